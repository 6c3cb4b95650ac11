// The trace an asynchronous path runs under (decision 0054, extending 0049),
// held in an AsyncLocalStorage so a Durable Object, the queue consumer or the
// notification fan-out need not thread it through every helper: an RPC entry
// point or a message loop opens the scope, and every log line written inside
// it (platform/log.ts) carries its trace id, and every event committed inside
// it carries the traceparent into its queue message.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  formatTraceparent,
  parseTraceparent,
  requestTrace,
  spanIdFromBytes,
  traceIdOf,
} from "../domain/trace/traceparent.ts";

const scope = new AsyncLocalStorage<string>();

/** Runs `fn` under `traceparent` (when given and valid; otherwise under the enclosing trace, if any). */
export function withTrace<T>(traceparent: string | undefined, fn: () => T): T {
  if (traceparent === undefined || parseTraceparent(traceparent) === null) return fn();
  return scope.run(traceparent, fn);
}

/** The enclosing trace, or a new one for a path that starts here (an alarm, a socket message). */
export function traceOrStart(): string {
  const current = scope.getStore();
  if (current !== undefined) return current;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return formatTraceparent(requestTrace(undefined, id, spanIdFromBytes(crypto.getRandomValues(new Uint8Array(8)))));
}

export function currentTraceparent(): string | undefined {
  return scope.getStore();
}

export function currentTraceId(): string | undefined {
  const current = scope.getStore();
  return current === undefined ? undefined : traceIdOf(current);
}
