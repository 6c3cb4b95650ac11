// Request logs: platform/log.ts's lines, always carrying the request id so a
// request can be followed across the Worker, DOs and the queue.
import type { Context } from "hono";
import { type LogLevel, logLine } from "../../../platform/log.ts";

export { type LogLevel, logLine } from "../../../platform/log.ts";

export function log(c: Context, level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  logLine(level, event, { requestId: c.get("requestId"), ...fields });
}
