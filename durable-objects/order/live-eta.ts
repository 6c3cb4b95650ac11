// The Order DO's live ETA (decision 53): domain/eta/live-eta.ts fed with the
// learned model from KV (the one discovery and quotes read, refitted by the
// scheduled handler), the order's delivery area and local hour, its phase,
// the assigned courier's last position and the kitchen's latest estimate.
// Recomputed on each courier position the DO broadcasts and whenever the
// food's time moves (acceptance, a prep change, food ready) before the food
// is on board; the last one is kept so the order's view shows it. Both the
// ETA and the courier position it starts from live in memory and are written
// through at most every ETA_PERSIST_EVERY_MS, or at once when they change in
// kind (domain/eta/live-eta-persist.ts, decision 65): a position no longer
// costs two SQLite writes, and after an eviction the view's ETA is at most
// that much older than the last one broadcast.
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import type { EtaCalibration } from "../../domain/eta/calibration.ts";
import { type LiveEta, type LivePhase, liveEta } from "../../domain/eta/live-eta.ts";
import {
  type CourierSighting,
  etaShouldPersist,
  type PersistedEta,
  sightingShouldPersist,
} from "../../domain/eta/live-eta-persist.ts";
import type { LatLng } from "../../domain/geo/distance.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import type { DeliveryState } from "../../domain/order/order-types.ts";
import { etaFor, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { localHour, readCalibration } from "../../workers/eta/calibration-store.ts";
import type { Watchers } from "./watchers.ts";

/** The model is refitted every 15 min at most: re-reading KV every 5 min per object is plenty. */
const CALIBRATION_TTL_MS = 5 * 60_000;

export interface LiveEtaHost {
  env: Env;
  watchers: Watchers;
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  meta(key: string): string | null;
  setMeta(key: string, value: string): void;
}

export interface StoredEta extends LiveEta {
  at: number;
}

type EtaCourier = LatLng & { vehicle: Vehicle };

/** The order's live ETA as its view shows it (ISO times). */
export interface LiveEtaView {
  pickupAt: string | null;
  dropoffAt: string;
  model: "learned" | "fixed";
  updatedAt: string;
}

export function phaseOf(delivery: DeliveryState): LivePhase | null {
  switch (delivery) {
    case "none":
    case "searching":
    case "offered":
      return "awaiting_courier";
    case "assigned":
    case "at_pickup":
      return "to_pickup";
    case "picked_up":
    case "at_dropoff":
      return "to_dropoff";
    default:
      return null;
  }
}

export class OrderLiveEta {
  private calibration: { value: EtaCalibration | null; readAt: number } | null = null;
  /** The newest ETA and courier position (undefined: not read from storage yet); storage may lag them. */
  private latest: StoredEta | null | undefined;
  private courierNow: EtaCourier | null | undefined;
  /** What storage holds, as far as this instance knows (null: nothing, or not known: write the next one). */
  private writtenEta: PersistedEta | null = null;
  private writtenCourier: CourierSighting | null = null;

  constructor(private readonly host: LiveEtaHost) {}

  /** The ETA with a courier fix; remembers the fix so a later prep change can use it. */
  async forPosition(courier: LatLng, vehicle: Vehicle, now: number): Promise<LiveEta | null> {
    this.courierNow = { lat: courier.lat, lng: courier.lng, vehicle };
    const sighting: CourierSighting = { ...this.courierNow, at: now };
    if (sightingShouldPersist(this.writtenCourier, sighting)) {
      this.host.setMeta("eta_courier", JSON.stringify(this.courierNow));
      this.writtenCourier = sighting;
    }
    return this.compute(now, false);
  }

  /** The courier left the order: the next one's ETA must not start from where this one was. */
  forgetCourier(): void {
    this.courierNow = null;
    this.writtenCourier = null;
    this.host.setMeta("eta_courier", "");
  }

  /**
   * The food's time moved (or the order was just accepted): before pickup
   * the customer's time moves with it, so it is sent at once, not on the
   * courier's next position (there may be no courier yet). Written at once:
   * rare, and what the kitchen just said.
   */
  async foodTimeChanged(now: number): Promise<void> {
    const eta = await this.compute(now, true);
    if (!eta || eta.pickupAt === null) return;
    this.host.watchers.broadcast({ type: "eta", eta }, ["customer", "restaurant_staff"]);
  }

  /** The last ETA computed, for the order's view. */
  last(): StoredEta | null {
    if (this.latest === undefined) {
      const raw = this.host.meta("live_eta");
      try {
        this.latest = raw ? (JSON.parse(raw) as StoredEta) : null;
      } catch {
        this.latest = null;
      }
    }
    return this.latest;
  }

  /** For the order's view, while the order is between acceptance and drop-off. */
  view(delivery: DeliveryState): LiveEtaView | null {
    const eta = this.last();
    if (!eta || phaseOf(delivery) === null) return null;
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      pickupAt: eta.pickupAt === null ? null : iso(eta.pickupAt),
      dropoffAt: iso(eta.dropoffAt),
      model: eta.model,
      updatedAt: iso(eta.at),
    };
  }

  private async compute(now: number, persistNow: boolean): Promise<LiveEta | null> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot || snapshot.acceptedAt === null) return null;
    const phase = phaseOf(snapshot.delivery);
    if (phase === null) return null;
    const courier = phase === "awaiting_courier" ? null : this.courier();
    const eta = liveEta({
      phase,
      courier,
      vehicle: courier?.vehicle ?? null,
      restaurant: order.restaurantLocation,
      dropoff: { lat: order.deliveryAddress.lat, lng: order.deliveryAddress.lng },
      foodReadyAt: etaFor(snapshot, now).readyAt,
      now,
      calibration: await this.model(now),
      areaId: order.deliveryAreaId ?? null,
      localHour: localHour(now, order.timeZone ?? "UTC"),
    });
    const stored: StoredEta = { ...eta, at: now };
    this.latest = stored;
    if (persistNow || etaShouldPersist(this.writtenEta, stored)) {
      this.host.setMeta("live_eta", JSON.stringify(stored));
      this.writtenEta = stored;
    }
    return eta;
  }

  private courier(): EtaCourier | null {
    if (this.courierNow === undefined) {
      const raw = this.host.meta("eta_courier");
      try {
        this.courierNow = raw ? (JSON.parse(raw) as EtaCourier) : null;
      } catch {
        this.courierNow = null;
      }
    }
    return this.courierNow;
  }

  /** KV is shared by every order: a failed read falls back to the fixed model rather than failing an update. */
  private async model(now: number): Promise<EtaCalibration | null> {
    if (this.calibration && now - this.calibration.readAt < CALIBRATION_TTL_MS) return this.calibration.value;
    const value = await readCalibration(this.host.env.MENU_CACHE);
    this.calibration = { value, readAt: now };
    return value;
  }
}
