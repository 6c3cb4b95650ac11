// What became of each problem a customer reported, read from the order's own
// events (decision 0027): a report stays open until an operator refunds the
// order (order.refund_requested, then order.refunded when Stripe confirms) or
// resolves it without a refund (order.exception_resolved covering customer
// problems). A cancellation with a refund settles it too.
import type { OrderEvent } from "../api.ts";

export type ProblemState = "open" | "refund_pending" | "refunded" | "resolved";

export interface ProblemOutcome {
  seq: number;
  at: number;
  problem: string;
  state: ProblemState;
  /** Refunded (or being refunded) after the report; 0 when none. */
  refundMinor: number;
}

const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};

function coversProblems(payload: Record<string, unknown>): boolean {
  const kinds = payload.kinds;
  return kinds === null || kinds === undefined || (Array.isArray(kinds) && kinds.includes("customer_problem"));
}

export function problemOutcomes(events: readonly OrderEvent[]): ProblemOutcome[] {
  const reports: ProblemOutcome[] = [];
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  for (const event of ordered) {
    const open = reports.filter((r) => r.state === "open" || r.state === "refund_pending");
    switch (event.type) {
      case "order.problem_reported":
        reports.push({
          seq: event.seq,
          at: event.at,
          problem: String(event.payload.problem ?? "other"),
          state: "open",
          refundMinor: 0,
        });
        break;
      case "order.refund_requested":
      case "order.cancelled": {
        const amount = num(record(event.payload.refund).amountMinor);
        if (amount === 0) break;
        for (const report of open) {
          report.refundMinor += amount;
          report.state = "refund_pending";
        }
        break;
      }
      case "order.refunded":
        for (const report of reports) if (report.state === "refund_pending") report.state = "refunded";
        break;
      case "order.exception_resolved":
        if (!coversProblems(event.payload)) break;
        for (const report of open) if (report.state === "open") report.state = "resolved";
        break;
    }
  }
  return reports;
}

/** A report support has not settled yet (no refund confirmed, no resolution). */
export function awaitsSupport(events: readonly OrderEvent[]): boolean {
  return problemOutcomes(events).some((r) => r.state === "open" || r.state === "refund_pending");
}
