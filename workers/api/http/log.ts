// Structured JSON logs, one object per line, always carrying the request id
// so a request can be followed across the Worker, DOs and the queue.
import type { Context } from "hono";

export type LogLevel = "debug" | "info" | "warn" | "error";

export function logLine(level: LogLevel, event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export function log(c: Context, level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  logLine(level, event, { requestId: c.get("requestId"), ...fields });
}
