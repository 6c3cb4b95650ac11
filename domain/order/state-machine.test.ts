// decide() as a whole: the exhaustive state × command × role table, who may
// ask, the end states, and that it never mutates what it is given.
import { describe, expect, it } from "vitest";
import { ACTORS, COMMAND_TYPES, COMMANDS, LATE, ROLES, SCENARIOS, STRANGERS, scenario } from "./order-test-kit.ts";
import {
  type Actor,
  type ActorRole,
  COMMAND_ROLES,
  type Decision,
  type DeliveryState,
  decide,
  ORDER_EVENT_TYPES,
  type OrderCommandType,
  type OrderSnapshot,
  type OrderState,
} from "./state-machine.ts";

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
