// The exceptions queue as a pure function of an order's events: which
// moments opened a problem a person must look at, and which later event
// settled each one. The projection recomputes an order's exceptions from all
// of its events it has, so the result is the same whatever order the events
// arrive in and however often they are redelivered.

export const EXCEPTION_KINDS = [
  "no_courier",
  "courier_dark",
  "pin_locked",
  "delivery_failed",
  "refund_stuck",
  "customer_problem",
] as const;

export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface ExceptionEvent {
  id: string;
  seq: number;
  type: string;
  actorId: string;
  at: number;
  state: string;
  payload: Record<string, unknown>;
}

export interface DerivedException {
  openedEventId: string;
  kind: ExceptionKind;
  reason: string | null;
  openedSeq: number;
  openedAt: number;
  details: Record<string, unknown>;
  resolvedSeq: number | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: string | null;
  resolutionNote: string | null;
}

const TERMINAL = ["delivered", "rejected", "cancelled", "failed"];

const pick = (payload: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => payload[k] !== undefined).map((k) => [k, payload[k]]));

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** The exception an event opens, if any. */
export function opens(event: ExceptionEvent): Pick<DerivedException, "kind" | "reason" | "details"> | null {
  const p = event.payload;
  switch (event.type) {
    case "order.courier_escalated":
      // From the zone: everyone in range declined or nobody was in range; from the
      // order's own alarm: the food has waited too long without a courier.
      return {
        kind: "no_courier",
        reason: str(p.reason) ?? "food_waiting",
        details: pick(p, ["readyAt", "waitingMs", "candidatesTried", "radiusM"]),
      };
    case "order.escalated": {
      const reason = str(p.reason);
      if (reason === "courier_dark" || reason === "pin_locked") {
        return { kind: reason, reason, details: pick(p, ["courierId"]) };
      }
      return null;
    }
    case "order.delivery_failed":
      return { kind: "delivery_failed", reason: str(p.reason), details: pick(p, ["courierId", "note", "photoKey"]) };
    case "order.refund_stuck":
      return {
        kind: "refund_stuck",
        reason: "refund_failing",
        details: pick(p, ["requestEventId", "amountMinor", "attempts", "error"]),
      };
    case "order.problem_reported":
      return { kind: "customer_problem", reason: str(p.problem), details: pick(p, ["problem", "note", "photoKeys"]) };
    default:
      return null;
  }
}

/** Does `event` settle `open`, and how? Only events after the opening one count. */
export function settles(
  open: Pick<DerivedException, "kind" | "openedSeq" | "details">,
  event: ExceptionEvent,
): { resolution: string; note: string | null } | null {
  if (event.seq <= open.openedSeq) return null;
  const p = event.payload;
  switch (event.type) {
    case "order.exception_resolved": {
      const kinds = Array.isArray(p.kinds) ? (p.kinds as unknown[]) : null;
      return kinds === null || kinds.includes(open.kind) ? { resolution: "resolved", note: str(p.note) } : null;
    }
    case "order.courier_assigned":
      if (open.kind === "no_courier" || open.kind === "courier_dark") {
        return {
          resolution: p.forced === true ? "courier_assigned_by_operator" : "courier_assigned",
          note: str(p.reason),
        };
      }
      return null;
    case "order.redispatched":
      return open.kind === "no_courier" || open.kind === "courier_dark"
        ? { resolution: "redispatched", note: str(p.reason) }
        : null;
    case "order.refunded":
      return open.kind === "refund_stuck" && p.requestEventId === open.details.requestEventId
        ? { resolution: "refunded", note: null }
        : null;
    default: {
      // A complaint outlives a delivery or a failed one: only a person, or a cancellation (refunded), settles it.
      if (open.kind === "customer_problem" && (event.state === "delivered" || event.state === "failed")) return null;
      // The order ended: nothing is left to act on, except what its ending itself opened.
      const ended = TERMINAL.includes(event.state) && !TERMINAL.includes(String(p.previousState ?? event.state));
      return ended ? { resolution: `order_${event.state}`, note: str(p.reason) } : null;
    }
  }
}

export function deriveExceptions(events: readonly ExceptionEvent[]): DerivedException[] {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const out: DerivedException[] = [];
  for (const event of sorted) {
    const opened = opens(event);
    if (!opened) continue;
    const base = { ...opened, openedSeq: event.seq };
    const closer = sorted.find((later) => settles(base, later) !== null);
    const settled = closer ? settles(base, closer) : null;
    out.push({
      openedEventId: event.id,
      ...opened,
      openedSeq: event.seq,
      openedAt: event.at,
      resolvedSeq: closer?.seq ?? null,
      resolvedAt: closer?.at ?? null,
      resolvedBy: closer?.actorId ?? null,
      resolution: settled?.resolution ?? null,
      resolutionNote: settled?.note ?? null,
    });
  }
  return out;
}

/** Event types that can open or settle an exception: the projection recomputes an order only for these. */
export const EXCEPTION_EVENT_TYPES: readonly string[] = [
  "order.courier_escalated",
  "order.escalated",
  "order.delivery_failed",
  "order.refund_stuck",
  "order.problem_reported",
  "order.exception_resolved",
  "order.courier_assigned",
  "order.redispatched",
  "order.refunded",
  "order.delivered",
  "order.rejected",
  "order.acceptance_expired",
  "order.cancelled",
  "order.payment_expired",
  "order.payment_failed",
];
