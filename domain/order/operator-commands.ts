// What operators may do to an order that needs a person, and the customer's
// report of a problem that puts it in front of one, as pure rules. The
// state machine (state-machine.ts) routes these commands here and applies the
// plan through its own `apply`, so every operator action is an event on the
// order with the operator as its actor, like any other transition.
import { isProblemPhotoKeyOf, MAX_PROBLEM_PHOTOS } from "../media/problem-photos.ts";
import type { TransitionDraft } from "./events.ts";
import type { DeliveryState, OrderSnapshot, OrderState } from "./order-types.ts";

export type OperatorCommand =
  /** Offer the order to one courier, who must accept; replaces any live offer. */
  | { type: "operator_offer"; courierId: string; expiresAt: number; reason: string }
  /** Give the order to a courier without asking (they were phoned); a reason is required. */
  | { type: "operator_assign"; courierId: string; reason: string }
  /** Start the courier search again, dropping any courier who has not picked up yet. */
  | { type: "redispatch"; reason: string }
  /** The exceptions open on the order are dealt with; `kinds` narrows which. */
  | { type: "resolve_exceptions"; note: string; kinds?: string[] | undefined }
  /** A contact note ("called the customer, no answer"). */
  | { type: "add_note"; note: string }
  /** The customer tells operators something is wrong (during the order or after it ended). */
  | { type: "report_problem"; problem: CustomerProblem; note: string; photoKeys?: string[] | undefined };

export const CUSTOMER_PROBLEMS = [
  "missing_items",
  "wrong_items",
  "damaged",
  "late",
  "not_received",
  "courier_conduct",
  "other",
] as const;
export type CustomerProblem = (typeof CUSTOMER_PROBLEMS)[number];

export type OperatorCommandType = OperatorCommand["type"];

export const OPERATOR_COMMAND_TYPES: readonly OperatorCommandType[] = [
  "operator_offer",
  "operator_assign",
  "redispatch",
  "resolve_exceptions",
  "add_note",
  "report_problem",
];

/** Commands an operator may send after the order has ended (a failed delivery still needs its note). */
export const AFTER_END: readonly OperatorCommandType[] = ["resolve_exceptions", "add_note", "report_problem"];

export const OPERATOR_EVENT_TYPES = [
  "order.redispatched",
  "order.exception_resolved",
  "order.operator_note",
  "order.problem_reported",
] as const;

/** The events an operator's command can record. */
type OperatorEventType =
  | "order.courier_offered"
  | "order.courier_assigned"
  | "order.redispatched"
  | "order.exception_resolved"
  | "order.operator_note"
  | "order.problem_reported";

export type OperatorPlan =
  | { ok: true; changes: Partial<OrderSnapshot>; draft: TransitionDraft<OperatorEventType> }
  | { ok: false; status: 409 | 422; code: string; message: string };

const KITCHEN_STATES: readonly OrderState[] = ["accepted", "preparing", "ready"];
/** Before pickup the food is still at the restaurant, so the courier can still change. */
const BEFORE_PICKUP: readonly DeliveryState[] = ["none", "searching", "offered", "assigned", "at_pickup"];
const OFFERABLE: readonly DeliveryState[] = ["searching", "offered"];
export const MAX_NOTE = 1000;

function refuse(status: 409 | 422, code: string, message: string): OperatorPlan {
  return { ok: false, status, code, message };
}

function text(value: string, what: string): OperatorPlan | null {
  const trimmed = value.trim();
  if (trimmed === "") return refuse(422, `${what}_required`, `a ${what} is required`);
  if (trimmed.length > MAX_NOTE) return refuse(422, `${what}_too_long`, `a ${what} is at most ${MAX_NOTE} characters`);
  return null;
}

function beforePickup(order: OrderSnapshot, what: string): OperatorPlan | null {
  if (!KITCHEN_STATES.includes(order.state) || !BEFORE_PICKUP.includes(order.delivery)) {
    return refuse(
      409,
      "invalid_transition",
      `cannot ${what} an order that is ${order.state} (delivery ${order.delivery}); only before pickup`,
    );
  }
  return null;
}

export function planOperatorCommand(order: OrderSnapshot, command: OperatorCommand, now: number): OperatorPlan {
  switch (command.type) {
    case "operator_offer": {
      const bad = text(command.reason, "reason");
      if (bad) return bad;
      if (!KITCHEN_STATES.includes(order.state) || !OFFERABLE.includes(order.delivery)) {
        return refuse(
          409,
          "invalid_transition",
          `cannot offer an order that is ${order.state} (delivery ${order.delivery}); only while it looks for a courier`,
        );
      }
      if (!Number.isFinite(command.expiresAt) || command.expiresAt <= now) {
        return refuse(422, "invalid_offer_expiry", `offer must expire after now (${now}), got ${command.expiresAt}`);
      }
      return {
        ok: true,
        changes: { delivery: "offered", offeredCourierId: command.courierId, offerExpiresAt: command.expiresAt },
        draft: {
          type: "order.courier_offered",
          payload: {
            courierId: command.courierId,
            expiresAt: command.expiresAt,
            byOperator: true,
            reason: command.reason.trim(),
            replacedOfferTo: order.delivery === "offered" ? order.offeredCourierId : null,
          },
        },
      };
    }
    case "operator_assign": {
      const bad = text(command.reason, "reason") ?? beforePickup(order, "assign a courier to");
      if (bad) return bad;
      if (order.courierId === command.courierId) {
        return refuse(409, "already_assigned", "this courier already has the order");
      }
      return {
        ok: true,
        changes: { delivery: "assigned", courierId: command.courierId, offeredCourierId: null, offerExpiresAt: null },
        draft: {
          type: "order.courier_assigned",
          payload: {
            courierId: command.courierId,
            forced: true,
            reason: command.reason.trim(),
            previousCourierId: order.courierId,
            withdrawnOfferTo: order.offeredCourierId,
            readyAt: order.readyAt,
          },
        },
      };
    }
    case "redispatch": {
      const bad = text(command.reason, "reason") ?? beforePickup(order, "re-dispatch");
      if (bad) return bad;
      return {
        ok: true,
        changes: {
          delivery: "searching",
          courierId: null,
          offeredCourierId: null,
          offerExpiresAt: null,
          escalatedAt: null,
          redispatchedAt: now,
        },
        draft: {
          type: "order.redispatched",
          payload: {
            reason: command.reason.trim(),
            previousCourierId: order.courierId,
            withdrawnOfferTo: order.offeredCourierId,
          },
        },
      };
    }
    case "resolve_exceptions": {
      const bad = text(command.note, "note");
      if (bad) return bad;
      const kinds = command.kinds && command.kinds.length > 0 ? [...new Set(command.kinds)] : null;
      return {
        ok: true,
        changes: {},
        draft: { type: "order.exception_resolved", payload: { note: command.note.trim(), kinds } },
      };
    }
    case "add_note": {
      const bad = text(command.note, "note");
      if (bad) return bad;
      return { ok: true, changes: {}, draft: { type: "order.operator_note", payload: { note: command.note.trim() } } };
    }
    case "report_problem": {
      // Nothing was bought before payment: there is nothing for an operator to put right.
      if (order.state === "placed" || order.paidAt === null) {
        return refuse(409, "invalid_transition", "a problem can be reported once the order is paid");
      }
      if (!(CUSTOMER_PROBLEMS as readonly string[]).includes(command.problem)) {
        return refuse(422, "problem_unknown", `problem is one of ${CUSTOMER_PROBLEMS.join(", ")}`);
      }
      const note = command.note.trim();
      if (note.length > MAX_NOTE) return refuse(422, "note_too_long", `a note is at most ${MAX_NOTE} characters`);
      const photoKeys = [...new Set(command.photoKeys ?? [])];
      if (photoKeys.length > MAX_PROBLEM_PHOTOS) {
        return refuse(422, "too_many_photos", `a report carries at most ${MAX_PROBLEM_PHOTOS} photos`);
      }
      if (!photoKeys.every((key) => isProblemPhotoKeyOf(order.id, key))) {
        return refuse(422, "photo_not_found", "attach only photos uploaded for this order");
      }
      return {
        ok: true,
        changes: {},
        draft: {
          type: "order.problem_reported",
          payload: {
            problem: command.problem,
            note: note === "" ? null : note,
            ...(photoKeys.length > 0 ? { photoKeys } : {}),
          },
        },
      };
    }
  }
}
