// One trace id follows an order across hops (decision 0049): the caller's
// `traceparent` is continued by the API (answered in the response header and
// written in its request log), passed to the Order DO's place and command
// RPCs, carried in the events queue message and written in the projection's
// log line for the event. A request without a valid header gets a trace named
// after its request id.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { parseTraceparent } from "../../domain/trace/traceparent.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;

beforeAll(async () => {
  world = await createWorld();
  customer = await signIn(world.emails.customer);
});

interface LogRecord {
  event: string;
  traceId?: string;
  requestId?: string;
  orderId?: string;
  type?: string;
  path?: string;
}

// The Worker, the Order DO and the queue consumer run in this test's isolate, so their
// structured lines and their queue sends pass through these spies.
let logs: LogRecord[];
let queued: OrderEventMessage[];

beforeEach(() => {
  logs = [];
  queued = [];
  const capture = (line: unknown) => {
    try {
      logs.push(JSON.parse(String(line)) as LogRecord);
    } catch {
      // Not one of ours (a library's plain text): not under test.
    }
  };
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(capture);
  const queueProto = Object.getPrototypeOf(testEnv.EVENTS) as Queue<unknown>;
  const send = queueProto.sendBatch;
  vi.spyOn(queueProto, "sendBatch").mockImplementation(function (
    this: Queue<unknown>,
    messages: Iterable<MessageSendRequest<unknown>>,
    options?: QueueSendBatchOptions,
  ) {
    const list = [...messages];
    for (const m of list) {
      const body = m.body as Partial<OrderEventMessage>;
      if (body.kind === "order_event") queued.push(body as OrderEventMessage);
    }
    return send.call(this, list, options);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function placeOrder(headers: Record<string, string>): Promise<Response> {
  return api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `trace-${crypto.randomUUID()}`, ...headers },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
}

function projectedLine(orderId: string, type: string): LogRecord | undefined {
  return logs.find((l) => l.event === "queue.order_event_projected" && l.orderId === orderId && l.type === type);
}

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

describe("trace context", () => {
  it("carries the caller's trace id from the request to the queue message and the projection's log", async () => {
    const traceId = randomHex(16);
    const res = await placeOrder({ traceparent: `00-${traceId}-${randomHex(8)}-01` });
    expect(res.status).toBe(201);
    const { id: orderId } = (await res.json()) as { id: string };

    const answered = parseTraceparent(res.headers.get("traceparent"));
    expect(answered?.traceId).toBe(traceId);

    const request = logs.find((l) => l.event === "request" && l.path === "/v1/orders");
    expect(request?.traceId).toBe(traceId);

    const message = queued.find((m) => m.event.orderId === orderId && m.event.type === "order.placed");
    expect(message?.traceparent && parseTraceparent(message.traceparent)?.traceId).toBe(traceId);

    const projected = await eventually(async () => projectedLine(orderId, "order.placed"));
    expect(projected.traceId).toBe(traceId);

    // A command on the same order under another trace: its event carries that one.
    const cancelTrace = randomHex(16);
    const cancelled = await api(`/v1/orders/${orderId}/cancel`, {
      method: "POST",
      token: customer,
      headers: { traceparent: `00-${cancelTrace}-${randomHex(8)}-00` },
      json: { reason: "changed my mind" },
    });
    expect(cancelled.status).toBe(200);
    expect(parseTraceparent(cancelled.headers.get("traceparent"))).toMatchObject({ traceId: cancelTrace, flags: 0 });
    const cancelMessage = queued.find((m) => m.event.orderId === orderId && m.event.type === "order.cancelled");
    expect(cancelMessage?.traceparent && parseTraceparent(cancelMessage.traceparent)?.traceId).toBe(cancelTrace);
    const cancelProjected = await eventually(async () => projectedLine(orderId, "order.cancelled"));
    expect(cancelProjected.traceId).toBe(cancelTrace);
  });

  it("names the trace after the request id when the caller's header is missing or malformed", async () => {
    const requestId = crypto.randomUUID();
    const res = await placeOrder({ "x-request-id": requestId, traceparent: "00-not-a-trace-01" });
    expect(res.status).toBe(201);
    const { id: orderId } = (await res.json()) as { id: string };
    const traceId = requestId.replace(/-/g, "");
    expect(parseTraceparent(res.headers.get("traceparent"))?.traceId).toBe(traceId);
    const message = queued.find((m) => m.event.orderId === orderId);
    expect(message?.traceparent && parseTraceparent(message.traceparent)?.traceId).toBe(traceId);
    expect((await eventually(async () => projectedLine(orderId, "order.placed"))).traceId).toBe(traceId);
  });

  it("answers every response, refusals included, with a traceparent", async () => {
    const res = await api("/v1/orders/not-a-uuid", { token: customer });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { requestId: string } };
    expect(parseTraceparent(res.headers.get("traceparent"))?.traceId).toBe(body.error.requestId.replace(/-/g, ""));
  });
});
