// Structured JSON logs, one object per line: the Worker, the Durable Objects
// and the queue consumer all write them. Request handlers add the request id
// through workers/api/http/log.ts. A line written under a trace scope
// (platform/trace-scope.ts) carries its trace id unless the fields name one,
// and, in a span linked to the trace that caused it (a deadline an alarm
// serves), that trace's id as `linkedTraceId`.
import { currentTraceIds } from "./trace-scope.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export function logLine(level: LogLevel, event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...currentTraceIds(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
