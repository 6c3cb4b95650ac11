// Counts and times every statement the Neon driver sends from this process
// (the bench's own code and any platform code it runs in-process, such as the
// queue consumer), by wrapping the driver's Client.query once, and every
// connection it opens (Client.connect: WebSocket to the proxy, the proxy's TCP
// to PostgreSQL, startup and authentication). Each query call is one round
// trip: the driver sends Parse/Bind/Execute/Sync together and waits.
// Counting only: the wrapper adds a Map lookup and two clock reads.
import { Client } from "@neondatabase/serverless";

export interface StatementTally {
  count: number;
  ms: number;
}

/** The tally key of connection set-up, beside the statement kinds. */
export const CONNECT = "(connect: WebSocket, startup, auth)";

const tallies = new Map<string, StatementTally>();
let installed = false;

/** "insert orders", "select order_events", "begin", ... */
export function statementKind(text: string): string {
  const s = text.trim().toLowerCase().replace(/\s+/g, " ").replace(/^\(+/, "");
  const verb = s.split(" ")[0] ?? "?";
  const table = /(?:into|from|update) "?([a-z_]+)"?/.exec(s)?.[1];
  return table ? `${verb} ${table}` : verb;
}

function tally(kind: string, started: number): void {
  const t = tallies.get(kind) ?? { count: 0, ms: 0 };
  t.count++;
  t.ms += performance.now() - started;
  tallies.set(kind, t);
}

/**
 * Wraps `method` so each call is tallied under `kindOf(args)` when it settles, whether the
 * caller takes a promise (drizzle inside a transaction) or passes a callback (the pool's
 * own `pool.query`, which drizzle uses outside transactions, and `pool.connect`).
 */
function wrap(name: "query" | "connect", kindOf: (args: unknown[]) => string): void {
  // Patched through Reflect: the driver's overloaded methods have no one signature to wrap.
  const original: unknown = Reflect.get(Client.prototype, name);
  if (typeof original !== "function") throw new Error(`the Neon driver's Client has no ${name} method`);
  const counted = function (this: unknown, ...args: unknown[]) {
    const kind = kindOf(args);
    const started = performance.now();
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (...results: unknown[]) => {
        tally(kind, started);
        return callback(...results);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      const settle = () => tally(kind, started);
      (result as Promise<unknown>).then(settle, settle);
    }
    return result;
  };
  Reflect.set(Client.prototype, name, counted);
}

export function installStatementCounter(): void {
  if (installed) return;
  installed = true;
  wrap("query", (args) => {
    const first = args[0];
    return statementKind(typeof first === "string" ? first : ((first as { text?: string } | null)?.text ?? ""));
  });
  wrap("connect", () => CONNECT);
}

/** The tallies since the last call, and resets them. */
export function takeStatementTallies(): Record<string, StatementTally> {
  const out = Object.fromEntries(tallies);
  tallies.clear();
  return out;
}
