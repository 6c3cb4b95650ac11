// Request logs: platform/log.ts's lines, always carrying the request id and
// the trace id so a request can be followed across the Worker, DOs and the queue.
import type { Context } from "hono";
import { traceIdOf } from "../../../domain/trace/traceparent.ts";
import { type LogLevel, logLine } from "../../../platform/log.ts";

export { type LogLevel, logLine } from "../../../platform/log.ts";

export function log(c: Context, level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  logLine(level, event, { requestId: c.get("requestId"), traceId: traceIdOf(c.get("traceparent")), ...fields });
}
