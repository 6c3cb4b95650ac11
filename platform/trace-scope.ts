// The trace an asynchronous path runs under (decision 0054, extending 0049),
// held in an AsyncLocalStorage so a Durable Object, the queue consumer or the
// notification fan-out need not thread it through every helper: an RPC entry
// point or a message loop opens the scope, and every log line written inside
// it (platform/log.ts) carries its trace id, and every event committed inside
// it carries the traceparent into its queue message. Paths no request starts
// (a Durable Object's alarm, the Worker's cron sweep) open a new trace, and a
// deadline served by an alarm runs in its own span linked to the trace that
// set it (decision 0049, addendum), so its lines also carry `linkedTraceId`.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  childOf,
  formatTraceparent,
  parseTraceparent,
  requestTrace,
  spanIdFromBytes,
  traceIdOf,
} from "../domain/trace/traceparent.ts";

interface Scope {
  traceparent: string;
  /** The trace that caused this work without being its parent (W3C/OpenTelemetry "link"). */
  link?: string;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs `fn` under `traceparent` (when given and valid; otherwise under the enclosing trace, if any). */
export function withTrace<T>(traceparent: string | undefined, fn: () => T): T {
  if (traceparent === undefined || parseTraceparent(traceparent) === null) return fn();
  return scope.run({ traceparent }, fn);
}

/**
 * Runs `fn` under a new trace: work that starts here (an alarm run, the cron
 * sweep), not a continuation of a request. `link` names the trace that caused
 * it, when known and valid.
 */
export function withNewTrace<T>(fn: () => T, link?: string): T {
  return scope.run(scoped(newTraceparent(), link), fn);
}

/**
 * Runs `fn` in a new span of the enclosing trace (a new trace when there is
 * none), linked to `link`: one deadline of an alarm run, linked to the trace
 * that scheduled it.
 */
export function withLinkedSpan<T>(link: string | undefined, fn: () => T): T {
  const current = parseTraceparent(scope.getStore()?.traceparent);
  const traceparent = current ? formatTraceparent(childOf(current, newSpanId())) : newTraceparent();
  return scope.run(scoped(traceparent, link), fn);
}

/** The enclosing trace, or a new one for a path that starts here (a socket message). */
export function traceOrStart(): string {
  return scope.getStore()?.traceparent ?? newTraceparent();
}

export function currentTraceparent(): string | undefined {
  return scope.getStore()?.traceparent;
}

/** The trace id and linked trace id log lines carry; both undefined outside a scope. */
export function currentTraceIds(): { traceId: string | undefined; linkedTraceId: string | undefined } {
  const current = scope.getStore();
  if (current === undefined) return { traceId: undefined, linkedTraceId: undefined };
  return { traceId: traceIdOf(current.traceparent), linkedTraceId: traceIdOf(current.link) };
}

function scoped(traceparent: string, link: string | undefined): Scope {
  return link !== undefined && parseTraceparent(link) !== null ? { traceparent, link } : { traceparent };
}

function newSpanId(): string {
  return spanIdFromBytes(crypto.getRandomValues(new Uint8Array(8)));
}

function newTraceparent(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return formatTraceparent(requestTrace(undefined, id, newSpanId()));
}
