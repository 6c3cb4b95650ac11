// The Order DO's own alarm under a trace (decision 0049, addendum): the
// deadlines placement sets remember the placement's traceparent; when the
// payment deadline passes, the alarm runs under a new trace, its lines carry
// that trace and, as `linkedTraceId`, the placement's; the event it commits
// (the payment expired) carries the alarm's trace into its
// queue message.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { parseTraceparent } from "../../domain/trace/traceparent.ts";
import { api, createWorld, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;

beforeAll(async () => {
  world = await createWorld();
  customer = await signIn(world.emails.customer);
});

interface LogRecord {
  event: string;
  traceId?: string;
  linkedTraceId?: string;
  kind?: string;
  subject?: string;
}

let logs: LogRecord[];
let queued: OrderEventMessage[];

beforeEach(() => {
  logs = [];
  queued = [];
  const capture = (line: unknown) => {
    try {
      logs.push(JSON.parse(String(line)) as LogRecord);
    } catch {
      // A library's plain text: not under test.
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

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

const orderStub = (orderId: string) => testEnv.ORDER.get(testEnv.ORDER.idFromName(orderId));

describe("the Order DO's alarm", () => {
  it("runs a due deadline under a new trace linked to the placement that set it", async () => {
    const placementTrace = randomHex(16);
    const res = await api("/v1/orders", {
      method: "POST",
      token: customer,
      headers: {
        "idempotency-key": `alarm-trace-${crypto.randomUUID()}`,
        traceparent: `00-${placementTrace}-${randomHex(8)}-01`,
      },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    expect(res.status).toBe(201);
    const { id: orderId } = (await res.json()) as { id: string };
    const stub = orderStub(orderId);

    // The payment deadline remembers the placement's trace; then it is made due (placed two hours ago).
    const stored = await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql
        .exec<{ traceparent: string | null }>("select traceparent from alarm_schedule where kind = 'payment_timeout'")
        .one();
      const twoHoursAgo = Date.now() - 2 * 3_600_000;
      state.storage.sql.exec(
        "update meta set value = json_set(value, '$.placedAt', ?) where key in ('snapshot', 'order')",
        twoHoursAgo,
      );
      state.storage.sql.exec("update alarm_schedule set at = ? where kind = 'payment_timeout'", Date.now() - 1);
      return row.traceparent;
    });
    expect(parseTraceparent(stored)?.traceId).toBe(placementTrace);
    await evictDurableObject(stub);
    logs = [];

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const due = logs.find((l) => l.event === "alarm.deadline_due" && l.kind === "payment_timeout");
    expect(due?.linkedTraceId).toBe(placementTrace);
    const alarmTrace = due?.traceId;
    expect(alarmTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(alarmTrace).not.toBe(placementTrace);
    const expired = queued.find((m) => m.event.orderId === orderId && m.event.type === "order.payment_expired");
    expect(expired?.event.payload).toMatchObject({ reason: "payment_timeout" });
    expect(parseTraceparent(expired?.traceparent)?.traceId).toBe(alarmTrace);
    // Every line the alarm wrote carries a trace; none is left without one.
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.traceId === undefined)).toEqual([]);
  });
});
