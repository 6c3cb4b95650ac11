import { describe, expect, it } from "vitest";
import { refundOf as refundOfEvent } from "./events.ts";
import {
  type Actor,
  type ActorRole,
  COMMAND_ROLES,
  DEFAULT_POLICY,
  type Decision,
  type DeliveryState,
  deadlines,
  decide,
  estimatedReadyAt,
  etaFor,
  newOrderSnapshot,
  ORDER_EVENT_TYPES,
  type OrderCommand,
  type OrderCommandType,
  type OrderSnapshot,
  type OrderState,
  type RefundRequest,
} from "./state-machine.ts";

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const TOTAL = 4_250;

const ACTORS: Record<ActorRole, Actor> = {
  customer: { role: "customer", id: "cust-1" },
  restaurant_staff: { role: "restaurant_staff", id: "staff-1", restaurantId: "rest-1" },
  courier: { role: "courier", id: "courier-1" },
  admin: { role: "admin", id: "admin-1" },
  system: { role: "system", id: "system:alarm" },
};
const ROLES = Object.keys(ACTORS) as ActorRole[];

const STRANGERS: Partial<Record<ActorRole, { actor: Actor; code: string }>> = {
  customer: { actor: { role: "customer", id: "cust-2" }, code: "not_order_customer" },
  restaurant_staff: {
    actor: { role: "restaurant_staff", id: "staff-2", restaurantId: "rest-2" },
    code: "not_restaurant_staff",
  },
};

// One well-formed instance of every command, valid in value so that only
// actor and state decide the outcome.
const COMMANDS: Record<OrderCommandType, OrderCommand> = {
  payment_succeeded: { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL, currency: "eur" },
  payment_failed: { type: "payment_failed", paymentIntentId: "pi_1", reason: "card_declined" },
  payment_timeout: { type: "payment_timeout" },
  accept: { type: "accept", prepTimeMinutes: 20 },
  reject: { type: "reject", reason: "out of dough" },
  acceptance_timeout: { type: "acceptance_timeout" },
  start_preparing: { type: "start_preparing" },
  adjust_prep_time: { type: "adjust_prep_time", prepTimeMinutes: 30 },
  mark_ready: { type: "mark_ready" },
  cancel: { type: "cancel", reason: "changed my mind" },
  refund: { type: "refund", amountMinor: 100, reason: "cold fries" },
  dispatch_started: { type: "dispatch_started" },
  courier_offered: { type: "courier_offered", courierId: "courier-1", expiresAt: T0 + 10 * 24 * 60 * MIN },
  offer_declined: { type: "offer_declined", courierId: "courier-1" },
  courier_assigned: { type: "courier_assigned", courierId: "courier-1" },
  arrived_at_pickup: { type: "arrived_at_pickup" },
  picked_up: { type: "picked_up" },
  arrived_at_dropoff: { type: "arrived_at_dropoff" },
  delivered: { type: "delivered" },
  courier_timeout: { type: "courier_timeout" },
  search_exhausted: { type: "search_exhausted", reason: "no_courier_accepted", radiusM: 3000, candidatesTried: 4 },
  operator_offer: {
    type: "operator_offer",
    courierId: "courier-3",
    expiresAt: T0 + 10 * 24 * 60 * MIN,
    reason: "phoned, on the way",
  },
  operator_assign: { type: "operator_assign", courierId: "courier-3", reason: "agreed by phone" },
  redispatch: { type: "redispatch", reason: "courier stuck in traffic" },
  resolve_exceptions: { type: "resolve_exceptions", note: "sorted" },
  add_note: { type: "add_note", note: "called the customer" },
  report_problem: { type: "report_problem", problem: "missing_items", note: "no drinks" },
  release_to_kitchen: { type: "release_to_kitchen" },
  courier_released: { type: "courier_released", reason: "cannot_find_restaurant" },
  escalate: { type: "escalate", reason: "courier_dark" },
  start_customer_wait: { type: "start_customer_wait" },
  delivery_failed: { type: "delivery_failed", reason: "customer_unreachable" },
};
const COMMAND_TYPES = Object.keys(COMMANDS) as OrderCommandType[];

function fresh(): OrderSnapshot {
  return newOrderSnapshot({
    id: "ord-1",
    customerId: "cust-1",
    restaurantId: "rest-1",
    totalMinor: TOTAL,
    currency: "EUR",
    placedAt: T0,
    paymentIntentId: "pi_1",
  });
}

function step(order: OrderSnapshot, type: OrderCommandType, role: ActorRole, at: number): OrderSnapshot {
  const d = decide(order, COMMANDS[type], ACTORS[role], at);
  if (!d.ok) throw new Error(`setup step ${type} from ${order.state}/${order.delivery} refused: ${d.code}`);
  return d.next;
}

// Reach each (order state, delivery state) the machine can be in by driving it,
// so every snapshot under test is one the machine itself produced.
function drive(steps: Array<[OrderCommandType, ActorRole]>): OrderSnapshot {
  let order = fresh();
  let at = T0;
  for (const [type, role] of steps) {
    at += MIN;
    order = step(order, type, role, at);
  }
  return order;
}

const toPaid: Array<[OrderCommandType, ActorRole]> = [["payment_succeeded", "system"]];
const toAccepted = [...toPaid, ["accept", "restaurant_staff"]] as Array<[OrderCommandType, ActorRole]>;
const kitchenPaths: Record<"accepted" | "preparing" | "ready", Array<[OrderCommandType, ActorRole]>> = {
  accepted: toAccepted,
  preparing: [...toAccepted, ["start_preparing", "restaurant_staff"]],
  ready: [...toAccepted, ["start_preparing", "restaurant_staff"], ["mark_ready", "restaurant_staff"]],
};
const dispatchPaths: Record<
  "none" | "searching" | "offered" | "assigned" | "at_pickup",
  Array<[OrderCommandType, ActorRole]>
> = {
  none: [],
  searching: [["dispatch_started", "system"]],
  offered: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
  ],
  assigned: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
    ["courier_assigned", "courier"],
  ],
  at_pickup: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
    ["courier_assigned", "courier"],
    ["arrived_at_pickup", "courier"],
  ],
};
const toPickedUp = [...kitchenPaths.ready, ...dispatchPaths.at_pickup, ["picked_up", "courier"]] as Array<
  [OrderCommandType, ActorRole]
>;

/** Drives to the door, waits out the customer wait, and fails the delivery. */
function failedDelivery(): OrderSnapshot {
  const atDoor = drive([...toPickedUp, ["arrived_at_dropoff", "courier"], ["start_customer_wait", "courier"]]);
  return step(atDoor, "delivery_failed", "courier", (atDoor.customerWaitUntil ?? 0) + 1);
}

const SCENARIOS: Record<string, OrderSnapshot> = {
  "placed/none": drive([]),
  "paid/none": drive(toPaid),
  "picked_up/picked_up": drive(toPickedUp),
  "picked_up/at_dropoff": drive([...toPickedUp, ["arrived_at_dropoff", "courier"]]),
  "delivered/delivered": drive([...toPickedUp, ["arrived_at_dropoff", "courier"], ["delivered", "courier"]]),
  "rejected/none": drive([...toPaid, ["reject", "restaurant_staff"]]),
  "cancelled/none": drive([...toPaid, ["cancel", "customer"]]),
  "cancelled/assigned": drive([...toAccepted, ...dispatchPaths.assigned, ["cancel", "admin"]]),
  "failed/none": step(drive([]), "payment_timeout", "system", T0 + DEFAULT_POLICY.paymentTimeoutMs),
  "failed/failed": failedDelivery(),
};
for (const [kitchen, kPath] of Object.entries(kitchenPaths)) {
  for (const [delivery, dPath] of Object.entries(dispatchPaths)) {
    SCENARIOS[`${kitchen}/${delivery}`] = drive([...kPath, ...dPath]);
  }
}

type Outcome = { ok: true; to: string } | { ok: false; status: 403 | 409 | 422 };

const K = ["accepted", "preparing", "ready"] as const;
const PRE_PICKUP: DeliveryState[] = ["none", "searching", "offered", "assigned", "at_pickup"];
const inKitchen = (delivery: DeliveryState) => K.map((s) => `${s}/${delivery}`);
const allKitchen = K.flatMap((s) => PRE_PICKUP.map((d) => `${s}/${d}`));
const same = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, k]));
const withState = (keys: string[], state: OrderState) =>
  Object.fromEntries(keys.map((k) => [k, `${state}/${k.split("/")[1]}`]));
const withDelivery = (keys: string[], delivery: DeliveryState) =>
  Object.fromEntries(keys.map((k) => [k, `${k.split("/")[0]}/${delivery}`]));

// The explicit allowed table: command → rightful role → from "state/delivery" → to "state/delivery".
// Anything not listed here must be refused.
const ALLOWED: Partial<Record<OrderCommandType, Partial<Record<ActorRole, Record<string, string>>>>> = {
  payment_succeeded: { system: { "placed/none": "paid/none" } },
  payment_failed: { system: { "placed/none": "placed/none" } },
  payment_timeout: { system: { "placed/none": "failed/none" } },
  accept: { restaurant_staff: { "paid/none": "accepted/none" } },
  reject: { restaurant_staff: { "paid/none": "rejected/none" } },
  acceptance_timeout: { system: { "paid/none": "rejected/none" } },
  start_preparing: {
    restaurant_staff: withState(
      PRE_PICKUP.map((d) => `accepted/${d}`),
      "preparing",
    ),
  },
  adjust_prep_time: {
    restaurant_staff: same(PRE_PICKUP.flatMap((d) => [`accepted/${d}`, `preparing/${d}`])),
  },
  mark_ready: {
    restaurant_staff: withState(
      PRE_PICKUP.map((d) => `preparing/${d}`),
      "ready",
    ),
  },
  cancel: {
    customer: { "placed/none": "cancelled/none", "paid/none": "cancelled/none" },
    restaurant_staff: withState(
      PRE_PICKUP.flatMap((d) => [`accepted/${d}`, `preparing/${d}`]),
      "cancelled",
    ),
    admin: withState(
      ["placed/none", "paid/none", ...allKitchen, "picked_up/picked_up", "picked_up/at_dropoff"],
      "cancelled",
    ),
  },
  refund: {
    admin: same([
      "paid/none",
      ...allKitchen,
      "picked_up/picked_up",
      "picked_up/at_dropoff",
      "delivered/delivered",
      "failed/failed",
    ]),
  },
  dispatch_started: { system: withDelivery(inKitchen("none"), "searching") },
  courier_offered: { system: withDelivery(inKitchen("searching"), "offered") },
  offer_declined: {
    courier: withDelivery(inKitchen("offered"), "searching"),
    system: withDelivery(inKitchen("offered"), "searching"),
  },
  courier_assigned: { courier: withDelivery(inKitchen("offered"), "assigned") },
  arrived_at_pickup: { courier: withDelivery(inKitchen("assigned"), "at_pickup") },
  picked_up: { courier: { "ready/at_pickup": "picked_up/picked_up" } },
  arrived_at_dropoff: { courier: { "picked_up/picked_up": "picked_up/at_dropoff" } },
  delivered: { courier: { "picked_up/at_dropoff": "delivered/delivered" } },
  courier_timeout: { system: same(["ready/none", "ready/searching", "ready/offered"]) },
  // The zone's escalation leaves state alone; only a delivery still without a courier can run out of them.
  search_exhausted: {
    system: same([
      "placed/none",
      "paid/none",
      ...K.flatMap((s) => ["none", "searching", "offered"].map((d) => `${s}/${d}`)),
    ]),
  },
  operator_offer: {
    admin: { ...withDelivery(inKitchen("searching"), "offered"), ...withDelivery(inKitchen("offered"), "offered") },
  },
  operator_assign: { admin: withDelivery(allKitchen, "assigned") },
  redispatch: { admin: withDelivery(allKitchen, "searching") },
  resolve_exceptions: { admin: same(Object.keys(SCENARIOS)) },
  add_note: { admin: same(Object.keys(SCENARIOS)) },
  // Once paid, before or after the end; never for an order nobody paid for.
  report_problem: { customer: same(Object.keys(SCENARIOS).filter((k) => k !== "placed/none" && k !== "failed/none")) },
  courier_released: { courier: withDelivery([...inKitchen("assigned"), ...inKitchen("at_pickup")], "searching") },
  escalate: {
    system: same(["placed/none", "paid/none", ...allKitchen, "picked_up/picked_up", "picked_up/at_dropoff"]),
  },
  start_customer_wait: { courier: { "picked_up/at_dropoff": "picked_up/at_dropoff" } },
  // delivery_failed is allowed only after the wait, which no scenario of the table has started: see below.
};

// Refusals that are about values rather than state: a fully refunded order has
// nothing left to refund; the system releases a courier only for going dark.
const VALUE_REFUSALS: Record<string, 422> = {
  ...Object.fromEntries(
    [...inKitchen("assigned"), ...inKitchen("at_pickup")].map((k) => [`courier_released|system|${k}`, 422] as const),
  ),
  "refund|admin|rejected/none": 422,
  "refund|admin|cancelled/none": 422,
  "refund|admin|cancelled/assigned": 422,
};

function courierOwns(order: OrderSnapshot, type: OrderCommandType, actor: Actor): boolean {
  if (type === "courier_assigned" || type === "offer_declined") return order.offeredCourierId === actor.id;
  return order.courierId === actor.id;
}

function expected(key: string, order: OrderSnapshot, type: OrderCommandType, role: ActorRole): Outcome {
  if (!COMMAND_ROLES[type].includes(role)) return { ok: false, status: 403 };
  if (role === "courier" && !courierOwns(order, type, ACTORS.courier)) return { ok: false, status: 403 };
  const to = ALLOWED[type]?.[role]?.[key];
  if (to !== undefined) return { ok: true, to };
  return { ok: false, status: VALUE_REFUSALS[`${type}|${role}|${key}`] ?? 409 };
}

// Far past every deadline, before the offer expires.
const LATE = T0 + 24 * 60 * MIN;

function outcome(d: Decision): Outcome {
  return d.ok ? { ok: true, to: `${d.next.state}/${d.next.delivery}` } : { ok: false, status: d.status };
}

describe("decide: exhaustive state × command × role table", () => {
  it("covers every order state and every delivery state", () => {
    const keys = Object.keys(SCENARIOS);
    const states = new Set(keys.map((k) => k.split("/")[0]));
    const deliveries = new Set(keys.map((k) => k.split("/")[1]));
    expect(states.size).toBe(10);
    expect(deliveries.size).toBe(9);
  });

  for (const [key, order] of Object.entries(SCENARIOS)) {
    it(`from ${key} every command by every role is either in the allowed table or refused with the expected status`, () => {
      const mismatches: string[] = [];
      for (const type of COMMAND_TYPES) {
        for (const role of ROLES) {
          const want = expected(key, order, type, role);
          const got = outcome(decide(order, COMMANDS[type], ACTORS[role], LATE));
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            mismatches.push(`${type} by ${role}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });

    it(`from ${key} a customer or staff member of another order is always refused with 403`, () => {
      for (const type of COMMAND_TYPES) {
        for (const [role, stranger] of Object.entries(STRANGERS)) {
          if (!stranger) continue;
          const d = decide(order, COMMANDS[type], stranger.actor, LATE);
          const code = COMMAND_ROLES[type].includes(role as ActorRole) ? stranger.code : "role_not_allowed";
          expect(d, `${type} by ${role}`).toMatchObject({ ok: false, status: 403, code });
        }
      }
    });

    it(`from ${key} another courier is always refused with 403`, () => {
      const other: Actor = { role: "courier", id: "courier-2" };
      for (const type of COMMAND_TYPES) {
        const cmd = COMMANDS[type];
        const d = decide(order, "courierId" in cmd ? { ...cmd, courierId: "courier-2" } : cmd, other, LATE);
        expect(d, type).toMatchObject({ ok: false, status: 403 });
      }
    });
  }

  it("every allowed transition emits exactly one known order.* event whose payload states the new state", () => {
    for (const [type, byRole] of Object.entries(ALLOWED)) {
      for (const [role, froms] of Object.entries(byRole ?? {})) {
        for (const from of Object.keys(froms)) {
          const order = SCENARIOS[from];
          if (!order) throw new Error(`no scenario ${from}`);
          const d = decide(order, COMMANDS[type as OrderCommandType], ACTORS[role as ActorRole], LATE);
          if (!d.ok) throw new Error(`${type} by ${role} from ${from} refused`);
          expect(d.events).toHaveLength(1);
          const [event] = d.events;
          expect(ORDER_EVENT_TYPES).toContain(event?.type);
          expect(event?.payload).toMatchObject({
            orderId: "ord-1",
            state: d.next.state,
            delivery: d.next.delivery,
            previousState: order.state,
            previousDelivery: order.delivery,
            by: { role, id: ACTORS[role as ActorRole].id },
            at: LATE,
          });
        }
      }
    }
  });
});

function expectOk(d: Decision): Extract<Decision, { ok: true }> {
  if (!d.ok) throw new Error(`expected ok, got ${d.status} ${d.code}: ${d.message}`);
  return d;
}

function scenario(key: string): OrderSnapshot {
  const s = SCENARIOS[key];
  if (!s) throw new Error(`no scenario ${key}`);
  return s;
}

function refundOf(d: Extract<Decision, { ok: true }>): RefundRequest | null {
  const event = d.events[0];
  return event ? refundOfEvent(event) : null;
}

describe("decide: actor checks", () => {
  it("refuses a courier who is not assigned with 403 not_assigned_courier", () => {
    const d = decide(scenario("ready/at_pickup"), { type: "picked_up" }, { role: "courier", id: "courier-9" }, LATE);
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_assigned_courier" });
  });

  it("refuses a courier answering an offer made to someone else with 403 not_offered_courier", () => {
    const d = decide(
      scenario("accepted/offered"),
      { type: "courier_assigned", courierId: "courier-9" },
      { role: "courier", id: "courier-9" },
      LATE,
    );
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_offered_courier" });
  });

  it("refuses the offered courier accepting on behalf of another courier with 403 not_offered_courier", () => {
    const d = decide(
      scenario("accepted/offered"),
      { type: "courier_assigned", courierId: "courier-9" },
      ACTORS.courier,
      LATE,
    );
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_offered_courier" });
  });

  it("refuses staff whose token names no restaurant with 403 not_restaurant_staff", () => {
    const d = decide(scenario("paid/none"), COMMANDS.accept, { role: "restaurant_staff", id: "staff-1" }, LATE);
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_restaurant_staff" });
  });

  it("refuses a customer cancelling someone else's order with 403 not_order_customer", () => {
    const d = decide(scenario("placed/none"), COMMANDS.cancel, { role: "customer", id: "cust-2" }, LATE);
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_order_customer" });
  });

  it("refuses a role that may never issue a command with 403 role_not_allowed", () => {
    const d = decide(scenario("placed/none"), COMMANDS.payment_succeeded, ACTORS.admin, LATE);
    expect(d).toMatchObject({ ok: false, status: 403, code: "role_not_allowed" });
  });

  it("answers a wrong actor with 403 even when the state would also refuse", () => {
    const d = decide(
      scenario("delivered/delivered"),
      COMMANDS.accept,
      { role: "restaurant_staff", id: "x", restaurantId: "rest-2" },
      LATE,
    );
    expect(d).toMatchObject({ ok: false, status: 403, code: "not_restaurant_staff" });
  });
});

describe("decide: payment", () => {
  it("marks a placed order paid and records the intent, amount and time", () => {
    const d = expectOk(decide(fresh(), COMMANDS.payment_succeeded, ACTORS.system, T0 + MIN));
    expect(d.next).toMatchObject({ state: "paid", paidMinor: TOTAL, paymentIntentId: "pi_1", paidAt: T0 + MIN });
    expect(d.events[0]).toMatchObject({
      type: "order.paid",
      payload: { amountMinor: TOTAL, paymentIntentId: "pi_1", acceptBy: T0 + MIN + DEFAULT_POLICY.acceptanceTimeoutMs },
    });
  });

  it("refuses a payment whose amount differs from the total with 422 amount_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL - 1, currency: "eur" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "amount_mismatch" });
  });

  it("refuses a payment for another payment intent with 422 payment_intent_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_2", amountMinor: TOTAL, currency: "eur" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "payment_intent_mismatch" });
  });

  it("answers a payment before the order recorded its payment intent with 409 payment_intent_not_recorded", () => {
    const order = { ...fresh(), paymentIntentId: null };
    expect(decide(order, COMMANDS.payment_succeeded, ACTORS.system, T0)).toMatchObject({
      ok: false,
      status: 409,
      code: "payment_intent_not_recorded",
    });
    expect(decide(order, COMMANDS.payment_failed, ACTORS.system, T0)).toMatchObject({
      ok: false,
      status: 409,
      code: "payment_intent_not_recorded",
    });
    // Once the order no longer awaits payment, the same event is out of date, not early.
    const closed = { ...order, state: "failed" as const };
    expect(decide(closed, COMMANDS.payment_succeeded, ACTORS.system, T0)).toMatchObject({
      ok: false,
      code: "invalid_transition",
    });
  });

  it("refuses a payment in another currency with 422 currency_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL, currency: "usd" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "currency_mismatch" });
  });

  it("refuses a duplicate payment webhook with 409 invalid_transition naming the state", () => {
    const d = decide(scenario("paid/none"), COMMANDS.payment_succeeded, ACTORS.system, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
    expect(!d.ok && d.message).toContain("paid");
  });

  it("keeps a declined order placed (payable again), records the decline, and refunds nothing", () => {
    const d = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0));
    expect(d.next.state).toBe("placed");
    expect(d.events[0]).toMatchObject({
      type: "order.payment_failed",
      payload: { reason: "card_declined", state: "placed", previousState: "placed" },
    });
    expect(refundOf(d)).toBeNull();
  });

  it("takes a payment after a decline on the same PaymentIntent, within the payment window", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0 + 1_000)).next;
    const twice = expectOk(decide(declined, COMMANDS.payment_failed, ACTORS.system, T0 + 2_000)).next;
    const paid = expectOk(decide(twice, COMMANDS.payment_succeeded, ACTORS.system, T0 + 3_000));
    expect(paid.next.state).toBe("paid");
    expect(paid.events[0]).toMatchObject({ type: "order.paid", payload: { previousState: "placed" } });
  });

  it("keeps the payment deadline after a decline: not due early, fails the order when due", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0 + 1_000)).next;
    expect(deadlines(declined)).toEqual([{ kind: "payment_timeout", at: T0 + DEFAULT_POLICY.paymentTimeoutMs }]);
    expect(decide(declined, COMMANDS.payment_timeout, ACTORS.system, T0 + 2_000)).toMatchObject({ ok: false });
    const expired = expectOk(
      decide(declined, COMMANDS.payment_timeout, ACTORS.system, T0 + DEFAULT_POLICY.paymentTimeoutMs),
    );
    expect(expired.next.state).toBe("failed");
  });

  it("refuses a decline for another PaymentIntent after a first decline", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0)).next;
    expect(
      decide(declined, { type: "payment_failed", paymentIntentId: "pi_other", reason: "x" }, ACTORS.system, T0),
    ).toMatchObject({ ok: false, status: 422, code: "payment_intent_mismatch" });
  });

  it("expires an unpaid order at the payment deadline with order.payment_expired", () => {
    const at = T0 + DEFAULT_POLICY.paymentTimeoutMs;
    const d = expectOk(decide(fresh(), COMMANDS.payment_timeout, ACTORS.system, at));
    expect(d.next.state).toBe("failed");
    expect(d.events[0]).toMatchObject({ type: "order.payment_expired", payload: { paymentIntentId: "pi_1" } });
  });

  it("refuses a payment timeout that fires before the deadline with 409 not_due", () => {
    const d = decide(fresh(), COMMANDS.payment_timeout, ACTORS.system, T0 + DEFAULT_POLICY.paymentTimeoutMs - 1);
    expect(d).toMatchObject({ ok: false, status: 409, code: "not_due" });
  });
});

describe("decide: acceptance", () => {
  const paid = () => scenario("paid/none");

  it("accepts a paid order with a prep time and announces the ready estimate", () => {
    const d = expectOk(decide(paid(), { type: "accept", prepTimeMinutes: 25 }, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "accepted", prepTimeMinutes: 25, acceptedAt: LATE });
    expect(d.events[0]).toMatchObject({
      type: "order.accepted",
      payload: { prepTimeMinutes: 25, readyAt: LATE + 25 * MIN },
    });
  });

  it.each([0, -5, 121, 12.5, Number.NaN])("refuses prep time %s with 422 invalid_prep_time", (minutes) => {
    const d = decide(paid(), { type: "accept", prepTimeMinutes: minutes }, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("accepts the boundary prep times 1 and maxPrepTimeMinutes", () => {
    for (const minutes of [1, DEFAULT_POLICY.maxPrepTimeMinutes]) {
      expectOk(decide(paid(), { type: "accept", prepTimeMinutes: minutes }, ACTORS.restaurant_staff, LATE));
    }
  });

  it("honours a policy's own maximum prep time", () => {
    const policy = { ...DEFAULT_POLICY, maxPrepTimeMinutes: 30 };
    const d = decide(paid(), { type: "accept", prepTimeMinutes: 31 }, ACTORS.restaurant_staff, LATE, policy);
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("rejects a paid order with a full refund carrying the reason and an idempotency key", () => {
    const d = expectOk(decide(paid(), COMMANDS.reject, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "rejected", refundedMinor: TOTAL });
    expect(d.events[0]?.type).toBe("order.rejected");
    expect(refundOf(d)).toEqual({
      amountMinor: TOTAL,
      currency: "EUR",
      reason: "out of dough",
      paymentIntentId: "pi_1",
      idempotencyKey: "order:ord-1:refund:0",
    });
  });

  it("refuses a rejection without a reason with 422 reason_required", () => {
    const d = decide(paid(), { type: "reject", reason: "  " }, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 422, code: "reason_required" });
  });

  it("rejects with a full refund when the restaurant does not answer in time", () => {
    const order = paid();
    const at = (order.paidAt ?? 0) + DEFAULT_POLICY.acceptanceTimeoutMs;
    const d = expectOk(decide(order, COMMANDS.acceptance_timeout, ACTORS.system, at));
    expect(d.next.state).toBe("rejected");
    expect(d.events[0]?.type).toBe("order.acceptance_expired");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
  });

  it("refuses an acceptance timeout before the deadline with 409 not_due", () => {
    const order = paid();
    const at = (order.paidAt ?? 0) + DEFAULT_POLICY.acceptanceTimeoutMs - 1;
    expect(decide(order, COMMANDS.acceptance_timeout, ACTORS.system, at)).toMatchObject({
      status: 409,
      code: "not_due",
    });
  });
});

describe("decide: kitchen", () => {
  it("moves accepted to preparing", () => {
    const d = expectOk(decide(scenario("accepted/none"), COMMANDS.start_preparing, ACTORS.restaurant_staff, LATE));
    expect(d.next.state).toBe("preparing");
    expect(d.events[0]?.type).toBe("order.preparing");
  });

  it("adjusts prep time and announces the new ready estimate measured from acceptance", () => {
    const order = scenario("preparing/none");
    const acceptedAt = order.acceptedAt ?? 0;
    const d = expectOk(
      decide(order, { type: "adjust_prep_time", prepTimeMinutes: 45 }, ACTORS.restaurant_staff, acceptedAt + MIN),
    );
    expect(d.next.prepTimeMinutes).toBe(45);
    expect(d.events[0]).toMatchObject({
      type: "order.prep_time_adjusted",
      payload: { prepTimeMinutes: 45, previousPrepTimeMinutes: 20, readyAt: acceptedAt + 45 * MIN },
    });
  });

  it("refuses an out-of-range prep time adjustment with 422 invalid_prep_time", () => {
    const d = decide(
      scenario("preparing/none"),
      { type: "adjust_prep_time", prepTimeMinutes: 0 },
      ACTORS.restaurant_staff,
      LATE,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("marks a preparing order ready and records when", () => {
    const d = expectOk(decide(scenario("preparing/assigned"), COMMANDS.mark_ready, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "ready", delivery: "assigned", readyAt: LATE });
    expect(d.events[0]).toMatchObject({ type: "order.ready", payload: { readyAt: LATE } });
  });

  it("refuses marking ready straight from accepted with 409 invalid_transition", () => {
    const d = decide(scenario("accepted/none"), COMMANDS.mark_ready, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
  });
});

describe("decide: cancellation", () => {
  it("lets a customer cancel an unpaid order with no refund", () => {
    const d = expectOk(decide(fresh(), COMMANDS.cancel, ACTORS.customer, T0));
    expect(d.next.state).toBe("cancelled");
    expect(d.events[0]).toMatchObject({
      type: "order.cancelled",
      payload: { cancelledBy: "customer", paymentIntentId: "pi_1" },
    });
    expect(refundOf(d)).toBeNull();
  });

  it("lets a customer cancel a paid, not yet accepted order with a full refund", () => {
    const d = expectOk(decide(scenario("paid/none"), COMMANDS.cancel, ACTORS.customer, LATE));
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(d.next.refundedMinor).toBe(TOTAL);
  });

  it.each(["accepted/none", "preparing/searching", "ready/assigned", "picked_up/picked_up"])(
    "refuses a customer cancelling from %s with 409 cancel_not_allowed",
    (key) => {
      expect(decide(scenario(key), COMMANDS.cancel, ACTORS.customer, LATE)).toMatchObject({
        ok: false,
        status: 409,
        code: "cancel_not_allowed",
      });
    },
  );

  it("lets staff cancel an accepted order with a full refund and names the courier to release", () => {
    const d = expectOk(decide(scenario("preparing/assigned"), COMMANDS.cancel, ACTORS.restaurant_staff, LATE));
    expect(d.next.state).toBe("cancelled");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(d.events[0]?.payload).toMatchObject({ cancelledBy: "restaurant_staff", courierId: "courier-1" });
  });

  it("clears an open offer on cancellation and names the offered courier", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.cancel, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ offeredCourierId: null, offerExpiresAt: null });
    expect(d.events[0]?.payload).toMatchObject({ offeredCourierId: "courier-1" });
  });

  it.each(["placed/none", "paid/none", "ready/none"])(
    "refuses staff cancelling from %s with 409 cancel_not_allowed",
    (key) => {
      expect(decide(scenario(key), COMMANDS.cancel, ACTORS.restaurant_staff, LATE)).toMatchObject({
        status: 409,
        code: "cancel_not_allowed",
      });
    },
  );

  it("lets an admin cancel after pickup, refunding only what is not yet refunded", () => {
    const order = { ...scenario("picked_up/at_dropoff"), refundedMinor: 1_000 };
    const d = expectOk(decide(order, COMMANDS.cancel, ACTORS.admin, LATE));
    expect(refundOf(d)).toMatchObject({ amountMinor: TOTAL - 1_000, idempotencyKey: "order:ord-1:refund:1000" });
    expect(d.next.refundedMinor).toBe(TOTAL);
  });

  it("refuses cancelling a terminal order with 409 invalid_transition", () => {
    expect(decide(scenario("delivered/delivered"), COMMANDS.cancel, ACTORS.admin, LATE)).toMatchObject({
      status: 409,
      code: "invalid_transition",
    });
  });

  it("refuses a cancellation without a reason with 422 reason_required", () => {
    expect(decide(fresh(), { type: "cancel", reason: "" }, ACTORS.customer, T0)).toMatchObject({
      status: 422,
      code: "reason_required",
    });
  });
});

describe("decide: admin refund", () => {
  it("requests a partial refund of a delivered order", () => {
    const d = expectOk(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor: 500, reason: "late" }, ACTORS.admin, LATE),
    );
    expect(d.next).toMatchObject({ state: "delivered", refundedMinor: 500 });
    expect(d.events[0]).toMatchObject({
      type: "order.refund_requested",
      payload: { refund: { amountMinor: 500, reason: "late" } },
    });
  });

  it("gives successive refunds distinct idempotency keys and stops at what was paid", () => {
    let order = scenario("delivered/delivered");
    const keys: string[] = [];
    for (const amountMinor of [1_000, 2_000, TOTAL - 3_000]) {
      const d = expectOk(decide(order, { type: "refund", amountMinor, reason: "goodwill" }, ACTORS.admin, LATE));
      keys.push(refundOf(d)?.idempotencyKey ?? "");
      order = d.next;
    }
    expect(new Set(keys).size).toBe(3);
    expect(order.refundedMinor).toBe(TOTAL);
    expect(decide(order, { type: "refund", amountMinor: 1, reason: "more" }, ACTORS.admin, LATE)).toMatchObject({
      status: 422,
      code: "refund_exceeds_remaining",
    });
  });

  it.each([0, -1, 1.5])("refuses refund amount %s with 422 invalid_refund_amount", (amountMinor) => {
    expect(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor, reason: "x" }, ACTORS.admin, LATE),
    ).toMatchObject({ status: 422, code: "invalid_refund_amount" });
  });

  it("refunds in KWD only in tens of fils, as Stripe takes them", () => {
    const kwd = { ...scenario("delivered/delivered"), currency: "KWD" };
    expect(decide(kwd, { type: "refund", amountMinor: 1005, reason: "x" }, ACTORS.admin, LATE)).toMatchObject({
      status: 422,
      code: "invalid_refund_amount",
    });
    expectOk(decide(kwd, { type: "refund", amountMinor: 1010, reason: "x" }, ACTORS.admin, LATE));
    // Any amount elsewhere.
    expectOk(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor: 1005, reason: "x" }, ACTORS.admin, LATE),
    );
  });

  it("refuses a refund above what was paid with 422 refund_exceeds_remaining", () => {
    expect(
      decide(scenario("paid/none"), { type: "refund", amountMinor: TOTAL + 1, reason: "x" }, ACTORS.admin, LATE),
    ).toMatchObject({ status: 422, code: "refund_exceeds_remaining" });
  });

  it("refuses refunding an order that was never paid with 409 invalid_transition", () => {
    for (const key of ["placed/none", "failed/none"]) {
      expect(decide(scenario(key), COMMANDS.refund, ACTORS.admin, LATE)).toMatchObject({
        status: 409,
        code: "invalid_transition",
      });
    }
  });
});

describe("decide: dispatch and delivery", () => {
  it("starts dispatch as soon as the order is accepted", () => {
    const d = expectOk(decide(scenario("accepted/none"), COMMANDS.dispatch_started, ACTORS.system, LATE));
    expect(d.next.delivery).toBe("searching");
    expect(d.events[0]?.type).toBe("order.dispatch_started");
  });

  it("records an offer with its expiry", () => {
    const d = expectOk(
      decide(
        scenario("preparing/searching"),
        { type: "courier_offered", courierId: "c-7", expiresAt: LATE + 30_000 },
        ACTORS.system,
        LATE,
      ),
    );
    expect(d.next).toMatchObject({ delivery: "offered", offeredCourierId: "c-7", offerExpiresAt: LATE + 30_000 });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_offered",
      payload: { courierId: "c-7", expiresAt: LATE + 30_000 },
    });
  });

  it("refuses an offer that has already expired with 422 invalid_offer_expiry", () => {
    const d = decide(
      scenario("preparing/searching"),
      { type: "courier_offered", courierId: "c-7", expiresAt: LATE },
      ACTORS.system,
      LATE,
    );
    expect(d).toMatchObject({ status: 422, code: "invalid_offer_expiry" });
  });

  it("returns to searching when the offered courier declines", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.offer_declined, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ delivery: "searching", offeredCourierId: null, offerExpiresAt: null });
    expect(d.events[0]).toMatchObject({
      type: "order.offer_declined",
      payload: { courierId: "courier-1", expired: false },
    });
  });

  it("marks a system decline as an expiry", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.offer_declined, ACTORS.system, LATE));
    const event = d.events[0];
    expect(event?.type === "order.offer_declined" && event.payload.expired).toBe(true);
  });

  it("refuses a system expiry for an offer that was replaced with 409 stale_offer", () => {
    const d = decide(
      scenario("accepted/offered"),
      { type: "offer_declined", courierId: "courier-old" },
      ACTORS.system,
      LATE,
    );
    expect(d).toMatchObject({ status: 409, code: "stale_offer" });
  });

  it("assigns the offered courier who accepts in time", () => {
    const d = expectOk(decide(scenario("ready/offered"), COMMANDS.courier_assigned, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({
      delivery: "assigned",
      courierId: "courier-1",
      offeredCourierId: null,
      offerExpiresAt: null,
    });
    expect(d.events[0]).toMatchObject({ type: "order.courier_assigned", payload: { courierId: "courier-1" } });
  });

  it("refuses a courier accepting after the offer expired with 409 offer_expired", () => {
    const order = scenario("ready/offered");
    const d = decide(order, COMMANDS.courier_assigned, ACTORS.courier, (order.offerExpiresAt ?? 0) + 1);
    expect(d).toMatchObject({ status: 409, code: "offer_expired" });
  });

  it("refuses pickup while the food is still being prepared with 409 order_not_ready", () => {
    const d = decide(scenario("preparing/at_pickup"), COMMANDS.picked_up, ACTORS.courier, LATE);
    expect(d).toMatchObject({ status: 409, code: "order_not_ready" });
  });

  it("moves order and delivery to picked_up together", () => {
    const d = expectOk(decide(scenario("ready/at_pickup"), COMMANDS.picked_up, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ state: "picked_up", delivery: "picked_up", pickedUpAt: LATE });
  });

  it("refuses pickup before arriving at the restaurant with 409 invalid_transition", () => {
    const d = decide(scenario("ready/assigned"), COMMANDS.picked_up, ACTORS.courier, LATE);
    expect(d).toMatchObject({ status: 409, code: "invalid_transition" });
  });

  it("moves order and delivery to delivered together", () => {
    const d = expectOk(decide(scenario("picked_up/at_dropoff"), COMMANDS.delivered, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ state: "delivered", delivery: "delivered", deliveredAt: LATE });
    expect(d.events[0]?.type).toBe("order.delivered");
  });
});

describe("decide: courier escalation", () => {
  const ready = () => scenario("ready/searching");

  it("escalates once when a ready order has waited too long for a courier, leaving state alone", () => {
    const order = ready();
    const at = (order.readyAt ?? 0) + DEFAULT_POLICY.readyWithoutCourierMs;
    const d = expectOk(decide(order, COMMANDS.courier_timeout, ACTORS.system, at));
    expect(d.next).toMatchObject({ state: "ready", delivery: "searching", escalatedAt: at });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_escalated",
      payload: { waitingMs: DEFAULT_POLICY.readyWithoutCourierMs },
    });
    expect(decide(d.next, COMMANDS.courier_timeout, ACTORS.system, at + MIN)).toMatchObject({
      status: 409,
      code: "already_escalated",
    });
  });

  it("refuses escalation before the wait is over with 409 not_due", () => {
    const order = ready();
    const at = (order.readyAt ?? 0) + DEFAULT_POLICY.readyWithoutCourierMs - 1;
    expect(decide(order, COMMANDS.courier_timeout, ACTORS.system, at)).toMatchObject({ status: 409, code: "not_due" });
  });

  it("refuses escalation once a courier is assigned with 409 invalid_transition", () => {
    expect(decide(scenario("ready/assigned"), COMMANDS.courier_timeout, ACTORS.system, LATE)).toMatchObject({
      status: 409,
      code: "invalid_transition",
    });
  });
});

describe("decide: terminal states", () => {
  it.each(["delivered/delivered", "rejected/none", "cancelled/none", "failed/none"])(
    "refuses every non-refund command from %s with 409 invalid_transition when the actor is entitled",
    (key) => {
      const order = scenario(key);
      for (const type of COMMAND_TYPES.filter((t) => t !== "refund")) {
        const d = decide(order, COMMANDS[type], ACTORS.system, LATE);
        if (COMMAND_ROLES[type].includes("system")) {
          expect(d, type).toMatchObject({ status: 409, code: "invalid_transition" });
          expect(!d.ok && d.message, type).toContain(order.state);
        }
      }
    },
  );
});

describe("decide: purity", () => {
  it("never mutates the snapshot it is given", () => {
    for (const order of Object.values(SCENARIOS)) {
      const before = structuredClone(order);
      for (const type of COMMAND_TYPES) for (const role of ROLES) decide(order, COMMANDS[type], ACTORS[role], LATE);
      expect(order).toEqual(before);
    }
  });
});

describe("deadlines", () => {
  it("arms the payment deadline for a placed order", () => {
    expect(deadlines(fresh())).toEqual([{ kind: "payment_timeout", at: T0 + 15 * MIN }]);
  });

  it("arms the acceptance deadline for a paid order", () => {
    const order = scenario("paid/none");
    expect(deadlines(order)).toEqual([{ kind: "acceptance_timeout", at: (order.paidAt ?? 0) + 5 * MIN }]);
  });

  it.each(["ready/none", "ready/searching", "ready/offered"])("arms the courier deadline for %s", (key) => {
    const order = scenario(key);
    expect(deadlines(order)).toEqual([{ kind: "courier_timeout", at: (order.readyAt ?? 0) + 10 * MIN }]);
  });

  it("arms nothing for a ready order that has already escalated", () => {
    expect(deadlines({ ...scenario("ready/searching"), escalatedAt: LATE })).toEqual([]);
  });

  it("arms nothing in every other state", () => {
    const armed = new Set(["placed/none", "paid/none", "ready/none", "ready/searching", "ready/offered"]);
    for (const [key, order] of Object.entries(SCENARIOS)) {
      if (!armed.has(key)) expect(deadlines(order), key).toEqual([]);
    }
  });

  it("uses the policy it is given", () => {
    const policy = { ...DEFAULT_POLICY, paymentTimeoutMs: 1_000 };
    expect(deadlines(fresh(), policy)).toEqual([{ kind: "payment_timeout", at: T0 + 1_000 }]);
  });

  it("names deadlines that decide accepts exactly at their time", () => {
    for (const order of Object.values(SCENARIOS)) {
      for (const { kind, at } of deadlines(order)) {
        const type = kind === "release_due" ? "release_to_kitchen" : kind;
        expect(decide(order, { type }, ACTORS.system, at).ok, `${order.state} ${kind}`).toBe(true);
      }
    }
  });
});

describe("etaFor", () => {
  it("has no estimate before acceptance", () => {
    expect(etaFor(scenario("paid/none"), LATE)).toEqual({ readyAt: null });
  });

  it("estimates ready time from acceptance plus prep time", () => {
    const order = scenario("accepted/none");
    const acceptedAt = order.acceptedAt ?? 0;
    expect(etaFor(order, acceptedAt)).toEqual({ readyAt: acceptedAt + 20 * MIN });
  });

  it("never estimates a ready time in the past for a late kitchen", () => {
    const order = scenario("preparing/none");
    const now = (order.acceptedAt ?? 0) + 60 * MIN;
    expect(etaFor(order, now)).toEqual({ readyAt: now });
  });

  it("reports the actual ready time once ready", () => {
    const order = scenario("ready/none");
    expect(etaFor(order, LATE + 60 * MIN)).toEqual({ readyAt: order.readyAt });
  });

  it("has no estimate for an order cancelled before it was ready", () => {
    expect(etaFor(scenario("cancelled/assigned"), LATE)).toEqual({ readyAt: null });
  });
});

describe("orders for later", () => {
  const releaseAt = T0 + 3 * 60 * MIN;
  const readyBy = releaseAt + 25 * MIN;
  function scheduled(): OrderSnapshot {
    const placed = newOrderSnapshot({
      id: "ord-1",
      customerId: "cust-1",
      restaurantId: "rest-1",
      totalMinor: TOTAL,
      currency: "EUR",
      placedAt: T0,
      paymentIntentId: "pi_1",
      releaseAt,
      readyBy,
    });
    return step(placed, "payment_succeeded", "system", T0 + MIN);
  }

  it("waits, paid, for its release: no acceptance deadline until then, and the kitchen cannot accept early", () => {
    const order = scheduled();
    expect(deadlines(order)).toEqual([{ kind: "release_due", at: releaseAt }]);
    expect(decide(order, COMMANDS.accept, ACTORS.restaurant_staff, T0 + 2 * MIN)).toMatchObject({
      ok: false,
      status: 409,
      code: "not_released_yet",
    });
    expect(decide(order, { type: "release_to_kitchen" }, ACTORS.system, releaseAt - 1)).toMatchObject({
      ok: false,
      code: "not_due",
    });
    expect(decide(order, { type: "acceptance_timeout" }, ACTORS.system, LATE)).toMatchObject({ ok: false });
  });

  it("is released by the alarm at its time, then runs the usual acceptance deadline from the release", () => {
    const released = expectOk(decide(scheduled(), { type: "release_to_kitchen" }, ACTORS.system, releaseAt + 5));
    expect(released.events[0]).toMatchObject({ type: "order.released", payload: { releaseAt, readyBy } });
    expect(released.next.releasedAt).toBe(releaseAt + 5);
    expect(deadlines(released.next)).toEqual([
      { kind: "acceptance_timeout", at: releaseAt + 5 + DEFAULT_POLICY.acceptanceTimeoutMs },
    ]);
    expect(decide(released.next, { type: "release_to_kitchen" }, ACTORS.system, LATE)).toMatchObject({
      ok: false,
      status: 409,
    });
    const accepted = expectOk(decide(released.next, COMMANDS.accept, ACTORS.restaurant_staff, releaseAt + MIN));
    // Accepted with 20 minutes at release + 1: still due at the planned time, not earlier.
    expect(etaFor(accepted.next, releaseAt + MIN)).toEqual({ readyAt: readyBy });
  });

  it("can be cancelled by the customer while it waits, with a full refund", () => {
    const d = expectOk(decide(scheduled(), COMMANDS.cancel, ACTORS.customer, T0 + 2 * MIN));
    expect(d.next.state).toBe("cancelled");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(deadlines(d.next)).toEqual([]);
  });

  it("tells the customer the planned time before acceptance, and the quote for an order now", () => {
    expect(estimatedReadyAt(scheduled(), T0 + 2 * MIN)).toBe(readyBy);
    const quoted = step(
      newOrderSnapshot({
        id: "o",
        customerId: "cust-1",
        restaurantId: "rest-1",
        totalMinor: TOTAL,
        currency: "EUR",
        placedAt: T0,
        paymentIntentId: "pi_1",
        quotedPrepMinutes: 35,
      }),
      "payment_succeeded",
      "system",
      T0 + MIN,
    );
    expect(estimatedReadyAt(quoted, T0 + 2 * MIN)).toBe(T0 + MIN + 35 * MIN);
    expect(estimatedReadyAt(scenario("paid/none"), LATE)).toBeNull();
    const accepted = scenario("accepted/none");
    expect(estimatedReadyAt(accepted, accepted.acceptedAt ?? 0)).toBe(
      etaFor(accepted, accepted.acceptedAt ?? 0).readyAt,
    );
  });
});

describe("newOrderSnapshot", () => {
  it("starts placed, unpaid, with no delivery", () => {
    expect(fresh()).toMatchObject({
      state: "placed",
      delivery: "none",
      paidMinor: 0,
      refundedMinor: 0,
      courierId: null,
    });
  });

  it("refuses a non-integer total", () => {
    expect(() =>
      newOrderSnapshot({ id: "o", customerId: "c", restaurantId: "r", totalMinor: 1.5, currency: "EUR", placedAt: T0 }),
    ).toThrow(RangeError);
  });
});

describe("decide: what goes wrong on the road", () => {
  const atDoor = () => scenario("picked_up/at_dropoff");

  it("lets the assigned courier hand a job back before pickup, with a reason, and searches again", () => {
    const d = expectOk(
      decide(
        scenario("preparing/at_pickup"),
        { type: "courier_released", reason: "restaurant_closed", note: " shut " },
        ACTORS.courier,
        LATE,
      ),
    );
    expect(d.next).toMatchObject({ state: "preparing", delivery: "searching", courierId: null });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_released",
      payload: { courierId: "courier-1", reason: "restaurant_closed", note: "shut", by: { role: "courier" } },
    });
  });

  it("refuses a hand-back without a known reason, and the system's release for anything but going dark", () => {
    const order = scenario("accepted/assigned");
    expect(decide(order, { type: "courier_released", reason: "bored" }, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      status: 422,
      code: "invalid_reason",
    });
    expect(decide(order, { type: "courier_released", reason: "went_dark" }, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      code: "invalid_reason",
    });
    const dark = expectOk(decide(order, { type: "courier_released", reason: "went_dark" }, ACTORS.system, LATE));
    expect(dark.events[0]?.payload).toMatchObject({ reason: "went_dark", courierId: "courier-1" });
  });

  it("refuses a hand-back once the food is picked up", () => {
    const d = decide(scenario("picked_up/picked_up"), COMMANDS.courier_released, ACTORS.courier, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
  });

  it("escalates to operators without changing the order", () => {
    const order = scenario("picked_up/picked_up");
    const d = expectOk(decide(order, { type: "escalate", reason: "pin_locked" }, ACTORS.system, LATE));
    expect(d.next).toEqual(order);
    expect(d.events[0]).toMatchObject({
      type: "order.escalated",
      payload: { reason: "pin_locked", courierId: "courier-1" },
    });
  });

  it("starts the wait for an unreachable customer once, at the drop-off", () => {
    const d = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE));
    expect(d.next.customerWaitUntil).toBe(LATE + DEFAULT_POLICY.customerWaitMs);
    expect(d.events[0]?.payload).toMatchObject({ waitUntil: LATE + DEFAULT_POLICY.customerWaitMs });
    expect(decide(d.next, COMMANDS.start_customer_wait, ACTORS.courier, LATE + 1)).toMatchObject({
      ok: false,
      status: 409,
      code: "already_waiting",
    });
  });

  it("lets the courier fail the delivery only after the wait, with a known reason", () => {
    expect(decide(atDoor(), COMMANDS.delivery_failed, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      status: 409,
      code: "wait_not_started",
    });
    const waiting = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE)).next;
    const until = waiting.customerWaitUntil ?? 0;
    expect(decide(waiting, COMMANDS.delivery_failed, ACTORS.courier, until - 1)).toMatchObject({
      ok: false,
      status: 409,
      code: "wait_not_over",
    });
    expect(decide(waiting, { type: "delivery_failed", reason: "dog ate it" }, ACTORS.courier, until)).toMatchObject({
      ok: false,
      status: 422,
      code: "invalid_reason",
    });
    expect(decide(waiting, COMMANDS.delivery_failed, { role: "courier", id: "courier-2" }, until)).toMatchObject({
      ok: false,
      status: 403,
    });
    // The customer turning up during the wait still gets their food.
    expect(expectOk(decide(waiting, COMMANDS.delivered, ACTORS.courier, until - 1)).next.state).toBe("delivered");
  });

  it("ends a failed delivery in failed/failed with no refund: the customer is charged in full", () => {
    const waiting = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE)).next;
    const d = expectOk(
      decide(
        waiting,
        { type: "delivery_failed", reason: "customer_unreachable", note: "rang 3 times", photoKey: "k" },
        ACTORS.courier,
        waiting.customerWaitUntil ?? 0,
      ),
    );
    expect(d.next).toMatchObject({ state: "failed", delivery: "failed", paidMinor: TOTAL, refundedMinor: 0 });
    expect(d.events[0]).toMatchObject({
      type: "order.delivery_failed",
      payload: { reason: "customer_unreachable", note: "rang 3 times", photoKey: "k", refund: null },
    });
    expect(refundOf(d)).toBeNull();
    // Support may still refund by hand.
    const refund = expectOk(
      decide(d.next, { type: "refund", amountMinor: 500, reason: "goodwill" }, ACTORS.admin, LATE),
    );
    expect(refund.next.refundedMinor).toBe(500);
  });
});
