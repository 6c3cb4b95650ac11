// The assigned courier's side of an order beyond the four happy-path steps:
// the job as their app shows it, handing the job back, waiting for a customer
// who does not answer and failing the delivery after the wait, and the alarm
// that notices a courier who went dark. Every change goes through the state
// machine via the host; retries of a change that already happened answer as
// the first call did.
import type { Principal } from "../../domain/auth/principal.ts";
import { DEFAULT_DARK_POLICY, darkVerdict } from "../../domain/dispatch/courier-dark.ts";
import { type CourierPay, courierPay } from "../../domain/dispatch/courier-pay.ts";
import type { DeliveryAddressInput, PlacedOrder } from "../../domain/order/order-event.ts";
import { etaFor, isTerminal, type OrderCommand, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import { logLine } from "../../platform/log.ts";
import type { CourierTrail } from "./courier-trail.ts";
import type { CommandResult, OrderView, Refusal } from "./order-results.ts";

export interface CourierJobView {
  orderId: string;
  status: string;
  delivery: string;
  lastSeq: number;
  restaurant: { id: string; name: string | null; address: string | null; lat: number; lng: number };
  dropoff: DeliveryAddressInput;
  items: Array<{ name: string; quantity: number; options: string[] }>;
  pay: CourierPay & { currency: string };
  readyAt: string | null;
  /** Epoch ms when the courier may fail the delivery; null until they start waiting at the door. */
  customerWaitUntil: number | null;
  pinAttemptsLeft: number;
}

export interface FailDeliveryInput {
  reason: string;
  note?: string | undefined;
  photoKey?: string | undefined;
}

/** The part of the Order DO's dispatch host this module uses. */
export interface CourierJobHost {
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  view(): OrderView;
  system(command: OrderCommand, source: string): Promise<CommandResult>;
  command(actor: Principal, command: OrderCommand): Promise<CommandResult>;
}

/** What this module needs beyond the dispatch host: the trail, PIN bookkeeping and the assignment time. */
export interface CourierJobDeps {
  trail: CourierTrail;
  pinAttemptsLeft(): number;
  meta(key: string): string | null;
  setMeta(key: string, value: string): void;
}

const notFound: Refusal = { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };

export class CourierJob {
  constructor(
    private readonly host: CourierJobHost,
    private readonly deps: CourierJobDeps,
  ) {}

  private assignedCourier(actor: Principal): boolean {
    return actor.role === "courier" && this.host.snapshot()?.courierId === actor.userId;
  }

  /** The job as the courier's app shows it. Only the assigned courier sees it; anyone else gets "no such order". */
  view(actor: Principal): { ok: true; job: CourierJobView } | Refusal {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot || !this.assignedCourier(actor)) return { ...notFound };
    const readyAt = etaFor(snapshot, Date.now()).readyAt;
    return {
      ok: true,
      job: {
        orderId: order.id,
        status: snapshot.state,
        delivery: snapshot.delivery,
        lastSeq: this.host.view().lastSeq,
        restaurant: {
          id: order.restaurantId,
          name: order.restaurantName ?? null,
          address: order.restaurantAddress ?? null,
          ...order.restaurantLocation,
        },
        dropoff: order.deliveryAddress,
        items: order.lines.map((l) => ({ name: l.name, quantity: l.quantity, options: l.options.map((o) => o.name) })),
        pay: { ...courierPay(order), currency: order.currency },
        readyAt: readyAt === null ? null : new Date(readyAt).toISOString(),
        customerWaitUntil: snapshot.customerWaitUntil ?? null,
        pinAttemptsLeft: this.deps.pinAttemptsLeft(),
      },
    };
  }

  /** Before pickup, the courier gives the job back with a reason; the order is offered to someone else. */
  async handBack(actor: Principal, reason: string, note: string | undefined): Promise<CommandResult> {
    const snapshot = this.host.snapshot();
    if (!snapshot) return { ...notFound };
    if (!this.assignedCourier(actor)) {
      // A retry of a hand-back that went through answers as the first call did.
      if (actor.role === "courier" && this.deps.meta(`released:${actor.userId}`)) {
        return { ok: true, order: this.host.view(), events: [] };
      }
      return { ...notFound };
    }
    const result = await this.host.command(actor, { type: "courier_released", reason, note });
    if (result.ok) this.deps.setMeta(`released:${actor.userId}`, reason);
    return result;
  }

  /** At the door with nobody answering: the wait starts, and the customer sees the courier is waiting. */
  async startWait(actor: Principal): Promise<CommandResult> {
    if (!this.assignedCourier(actor)) return { ...notFound };
    const result = await this.host.command(actor, { type: "start_customer_wait" });
    if (!result.ok && result.code === "already_waiting" && this.assignedCourier(actor)) {
      return { ok: true, order: this.host.view(), events: [] };
    }
    return result;
  }

  async failDelivery(actor: Principal, input: FailDeliveryInput): Promise<CommandResult> {
    // Someone else's order answers like one that does not exist, so ids cannot be probed.
    if (!this.assignedCourier(actor)) return { ...notFound };
    const snapshot = this.host.snapshot();
    if (snapshot?.delivery === "failed") {
      return { ok: true, order: this.host.view(), events: [] };
    }
    return this.host.command(actor, { type: "delivery_failed", ...input });
  }

  /** When the order last heard from its courier: their newest position, or the assignment itself. */
  lastSeenAt(courierId: string): number {
    const assignedAt = Number(this.deps.meta("assigned_at") ?? "0");
    return Math.max(assignedAt, this.deps.trail.lastSeenAt(courierId) ?? 0);
  }

  /**
   * The courier_dark alarm. Returns when to look again, or null when there is
   * nothing left to watch. A deadline is only a wake-up call: the time since
   * the courier was last seen decides.
   */
  async onDarkDeadline(now: number): Promise<number | null> {
    const snapshot = this.host.snapshot();
    const courierId = snapshot?.courierId ?? null;
    if (!snapshot || courierId === null || isTerminal(snapshot.state)) return null;
    const pickedUp = snapshot.delivery === "picked_up" || snapshot.delivery === "at_dropoff";
    if (!pickedUp && snapshot.delivery !== "assigned" && snapshot.delivery !== "at_pickup") return null;
    const lastSeenAt = this.lastSeenAt(courierId);
    const verdict = darkVerdict(lastSeenAt, pickedUp, now);
    if (verdict.action === "wait") return verdict.until;
    if (verdict.action === "release") {
      const released = await this.host.system({ type: "courier_released", reason: "went_dark" }, "alarm");
      if (!released.ok) logLine("warn", "order.dark_release_refused", { orderId: snapshot.id, code: released.code });
      return null;
    }
    // Escalate once per silence: a courier who comes back and goes quiet again is escalated again.
    if (this.deps.meta("dark_escalated_for") !== String(lastSeenAt)) {
      const escalated = await this.host.system({ type: "escalate", reason: "courier_dark" }, "alarm");
      if (escalated.ok) this.deps.setMeta("dark_escalated_for", String(lastSeenAt));
    }
    return now + DEFAULT_DARK_POLICY.escalateAfterMs;
  }
}
