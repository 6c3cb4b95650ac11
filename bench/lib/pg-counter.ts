// Counts and times every statement the Neon driver sends from this process
// (the bench's own code and any platform code it runs in-process, such as the
// queue consumer), by wrapping the driver's Client.query once. Each call is
// one round trip: the driver sends Parse/Bind/Execute/Sync together and waits.
// Counting only: the wrapper adds a Map lookup and two clock reads.
import { Client } from "@neondatabase/serverless";

export interface StatementTally {
  count: number;
  ms: number;
}

const tallies = new Map<string, StatementTally>();
let installed = false;

/** "insert orders", "select order_events", "begin", ... */
export function statementKind(text: string): string {
  const s = text.trim().toLowerCase().replace(/\s+/g, " ");
  const verb = s.split(" ")[0] ?? "?";
  const table = /(?:into|from|update) "?([a-z_]+)"?/.exec(s)?.[1];
  return table ? `${verb} ${table}` : verb;
}

export function installStatementCounter(): void {
  if (installed) return;
  installed = true;
  // Patched through Reflect: the driver's overloaded `query` has no one signature to wrap.
  const original: unknown = Reflect.get(Client.prototype, "query");
  if (typeof original !== "function") throw new Error("the Neon driver's Client has no query method");
  const counted = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === "string" ? first : ((first as { text?: string } | null)?.text ?? "");
    const kind = statementKind(text);
    const started = performance.now();
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      const settle = () => {
        const t = tallies.get(kind) ?? { count: 0, ms: 0 };
        t.count++;
        t.ms += performance.now() - started;
        tallies.set(kind, t);
      };
      (result as Promise<unknown>).then(settle, settle);
    }
    return result;
  };
  Reflect.set(Client.prototype, "query", counted);
}

/** The tallies since the last call, and resets them. */
export function takeStatementTallies(): Record<string, StatementTally> {
  const out = Object.fromEntries(tallies);
  tallies.clear();
  return out;
}
