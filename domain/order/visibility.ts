// Operators' own words about an order (contact notes, how they resolved it,
// why they moved a courier) are for operators. Customers, staff and couriers
// still get every event, so sequences stay dense for their watchers, only
// without those fields.
import type { ActorRole } from "./state-machine.ts";

interface EventLike {
  type: string;
  payload: Record<string, unknown>;
}

const OPERATOR_ONLY: Readonly<Record<string, readonly string[]>> = {
  "order.operator_note": ["note"],
  "order.exception_resolved": ["note"],
  "order.redispatched": ["reason"],
  // What a customer wrote about the courier or the kitchen is for the operators who act on it.
  "order.problem_reported": ["note"],
};

/** Fields removed from events an operator caused, whatever their type. */
const OPERATOR_ACTION_FIELDS = ["operatorKey"];

export function visibleTo<E extends EventLike>(role: ActorRole, event: E): E {
  if (role === "admin") return event;
  const hidden = new Set([...(OPERATOR_ONLY[event.type] ?? []), ...OPERATOR_ACTION_FIELDS]);
  // An operator's reason for moving a courier is theirs; a cancellation's reason is the customer's business.
  if (event.payload.byOperator === true || event.payload.forced === true) hidden.add("reason");
  if (![...hidden].some((key) => key in event.payload)) return event;
  const payload = Object.fromEntries(Object.entries(event.payload).filter(([key]) => !hidden.has(key)));
  return { ...event, payload };
}
