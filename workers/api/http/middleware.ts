import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { openDb } from "../../../db/client.ts";
import { formatTraceparent, requestTrace, spanIdFromBytes } from "../../../domain/trace/traceparent.ts";
import { withTrace } from "../../../platform/trace-scope.ts";
import type { AppEnv } from "../context.ts";
import { log, logLine } from "./log.ts";
import { ownLine, ReadSummary } from "./request-log.ts";

// Successful quick reads are counted here and logged as one summary line per isolate and second.
const reads = new ReadSummary();

/**
 * Honours a caller's X-Request-Id when it looks sane, else mints one; echoed on every response.
 * Likewise the trace: the caller's `traceparent` continued, else a trace named after the request
 * id; the response's `traceparent` carries this hop's span so a client can log the trace id.
 */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && /^[\w.:-]{8,128}$/.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  const span = spanIdFromBytes(crypto.getRandomValues(new Uint8Array(8)));
  const traceparent = formatTraceparent(requestTrace(c.req.header("traceparent"), id, span));
  c.set("traceparent", traceparent);
  const started = Date.now();
  // Lines written by helpers through platform/log.ts carry the trace id too (platform/trace-scope.ts).
  await withTrace(traceparent, () => next());
  c.header("x-request-id", id);
  c.header("traceparent", traceparent);
  const outcome = { method: c.req.method, status: c.res.status, ms: Date.now() - started };
  if (ownLine(outcome, c.env.REQUEST_LOG)) {
    log(c, "info", "request", { ...outcome, path: c.req.path, userId: c.get("principal")?.userId });
    return;
  }
  // The matched route's pattern (`/v1/restaurants/:id/menu`), not the path: the summary stays small.
  const summary = reads.count(outcome.method, routePath(c, -1), outcome, Date.now());
  if (summary) logLine("info", "requests.summary", { ...summary });
};

/**
 * Gives the request a Postgres pool (it connects on first query, so routes
 * that never touch Postgres pay nothing) and closes it after the response:
 * sockets cannot outlive a request in Workers.
 */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const handle = openDb(c.env);
  c.set("db", handle.db);
  try {
    await next();
  } finally {
    const closing = handle.close().catch(() => {});
    try {
      c.executionCtx.waitUntil(closing);
    } catch {
      await closing;
    }
  }
};
