// The trace context's header rules: valid headers are continued, malformed or
// all-zero ones start a new trace from the request id, and every hop gets its
// own span under the same trace id.
import { describe, expect, it } from "vitest";
import {
  childOf,
  formatTraceparent,
  parseTraceparent,
  requestTrace,
  spanIdFromBytes,
  traceIdFromRequestId,
  traceIdOf,
} from "./traceparent.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const HEADER = `00-${TRACE}-${PARENT}-01`;

describe("parseTraceparent", () => {
  it("reads the spec's example and writes it back unchanged", () => {
    const context = parseTraceparent(HEADER);
    expect(context).toEqual({ traceId: TRACE, parentId: PARENT, flags: 1 });
    expect(formatTraceparent(context as NonNullable<typeof context>)).toBe(HEADER);
  });

  it("refuses malformed, all-zero, upper-case and version ff headers", () => {
    for (const bad of [
      undefined,
      null,
      "",
      "garbage",
      `00-${TRACE}-${PARENT}`,
      `00-${"0".repeat(32)}-${PARENT}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `ff-${TRACE}-${PARENT}-01`,
      `00-${TRACE}-${PARENT}-01-extra`,
      `0-${TRACE}-${PARENT}-01`,
      `00-${TRACE}-${PARENT}-01${"x".repeat(600)}`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeNull();
    }
  });

  it("accepts a later version with extra fields, and keeps unknown flags", () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-03-what-comes-next`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: 3,
    });
  });
});

describe("requestTrace", () => {
  const span = "b7ad6b7169203331";

  it("continues a caller's trace under this hop's span", () => {
    expect(formatTraceparent(requestTrace(HEADER, "ignored-request-id", span))).toBe(`00-${TRACE}-${span}-01`);
  });

  it("names a new trace after a UUID request id when the header is missing or bad", () => {
    const requestId = "0b5e5c2e-8d1a-4b7e-9a51-3f0c2d9e7a11";
    for (const header of [undefined, "nonsense"]) {
      expect(requestTrace(header, requestId, span)).toEqual({
        traceId: "0b5e5c2e8d1a4b7e9a513f0c2d9e7a11",
        parentId: span,
        flags: 1,
      });
    }
  });

  it("hashes any other request id to a stable, valid trace id", () => {
    const a = traceIdFromRequestId("caller-chosen:id.1");
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFromRequestId("caller-chosen:id.1")).toBe(a);
    expect(traceIdFromRequestId("caller-chosen:id.2")).not.toBe(a);
    expect(traceIdFromRequestId("00000000-0000-0000-0000-000000000000")).not.toBe("0".repeat(32));
  });

  it("refuses a span id that is not 16 hex digits", () => {
    expect(() => requestTrace(HEADER, "r", "short")).toThrow(/span id/);
    expect(() => childOf({ traceId: TRACE, parentId: PARENT, flags: 1 }, "0".repeat(16))).toThrow(/span id/);
  });
});

describe("helpers", () => {
  it("traceIdOf reads a header's trace id and is undefined for old or bad values", () => {
    expect(traceIdOf(HEADER)).toBe(TRACE);
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf("00-bad")).toBeUndefined();
  });

  it("spanIdFromBytes takes 8 bytes and never yields the invalid all-zero id", () => {
    expect(spanIdFromBytes(new Uint8Array([0, 240, 103, 170, 11, 169, 2, 183, 9]))).toBe(PARENT);
    expect(spanIdFromBytes(new Uint8Array(8))).toBe("0000000000000001");
  });
});
