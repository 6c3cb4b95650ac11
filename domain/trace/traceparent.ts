// W3C Trace Context (https://www.w3.org/TR/trace-context/) reduced to what the
// platform needs: read a caller's `traceparent`, or make one from the request
// id when there is none, and start a child span for the next hop. One trace id
// then names an order's placement in the API's, the Order DO's and the
// projection's log lines (decision 0049). No I/O: the random span ids are
// passed in, so every function here is deterministic under test.

export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** 16 lowercase hex digits, never all zeros: the span that sent this context. */
  parentId: string;
  /** Bit 0 is "sampled"; the rest are carried as received. */
  flags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * Parses a `traceparent` header value; null for anything malformed, so a
 * caller's bad header starts a new trace rather than failing the request.
 * Version 00 must be exactly four fields; a later version may append fields
 * (the spec's forward compatibility), version ff is invalid.
 */
export function parseTraceparent(value: string | null | undefined): TraceContext | null {
  if (typeof value !== "string" || value.length > 512) return null;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return null;
  const [, version = "", traceId = "", parentId = "", flags = "", rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, flags: Number.parseInt(flags, 16) };
}

/** The header value for a context, always version 00. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.parentId}-${(context.flags & 0xff).toString(16).padStart(2, "0")}`;
}

/** The same trace, sent on by a new span (this hop's id becomes the next hop's parent). */
export function childOf(context: TraceContext, spanId: string): TraceContext {
  return { ...context, parentId: spanIdOrThrow(spanId) };
}

/**
 * A trace id made from a request id: a UUID's own 32 hex digits (so the two
 * ids read alike in logs), any other id hashed to 128 bits (FNV-1a), so the
 * same request id always names the same trace.
 */
export function traceIdFromRequestId(requestId: string): string {
  const hex = requestId.toLowerCase().replace(/-/g, "");
  if (/^[0-9a-f]{32}$/.test(hex) && hex !== ZERO_TRACE) return hex;
  let hash = 0x6c62272e07bb014262b821756295c58dn;
  const prime = 0x0000000001000000000000000000013bn;
  const mask = (1n << 128n) - 1n;
  for (const byte of new TextEncoder().encode(requestId)) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  const id = hash.toString(16).padStart(32, "0");
  return id === ZERO_TRACE ? `${id.slice(0, 31)}1` : id;
}

/**
 * The context a request runs under: the caller's trace when its header is
 * valid, else a new sampled trace named after the request id; either way with
 * `spanId` as this hop's span.
 */
export function requestTrace(header: string | null | undefined, requestId: string, spanId: string): TraceContext {
  const incoming = parseTraceparent(header);
  if (incoming) return childOf(incoming, spanId);
  return { traceId: traceIdFromRequestId(requestId), parentId: spanIdOrThrow(spanId), flags: 1 };
}

/** The trace id of a header value, or undefined when it is missing or malformed (old queue messages). */
export function traceIdOf(value: string | null | undefined): string | undefined {
  return parseTraceparent(value)?.traceId;
}

/** 16 hex digits from 8 random bytes; the caller passes the bytes so this stays pure. */
export function spanIdFromBytes(bytes: Uint8Array): string {
  const id = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return spanIdOrThrow(id === ZERO_SPAN ? "0000000000000001" : id);
}

function spanIdOrThrow(spanId: string): string {
  if (!/^[0-9a-f]{16}$/.test(spanId) || spanId === ZERO_SPAN) throw new Error(`not a span id: ${spanId}`);
  return spanId;
}
