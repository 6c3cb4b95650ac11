// A Zone DO's reports to the live city map (durable-objects/city-map): the
// whole list of its couriers, sent when who is here or what they may do
// changes, and for plain moves at most once a second, with a trailing report
// so the last move of a burst is not lost. One report in flight at a time;
// changes during it are folded into the next.
import type { CourierFacts } from "../../domain/citymap/couriers.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { cityMapOfCell } from "../city-map/stub.ts";
import type { CourierState } from "./protocol.ts";

/** What the map is told about each courier of the cell (those being handed over are the next cell's). */
export function courierFacts(
  couriers: Iterable<CourierState>,
  connected: ReadonlySet<string>,
  handingOver: ReadonlySet<string>,
  now: number,
): CourierFacts[] {
  const out: CourierFacts[] = [];
  for (const state of couriers) {
    if (handingOver.has(state.courierId)) continue;
    out.push({
      courierId: state.courierId,
      vehicle: state.vehicle,
      status: state.status,
      lat: state.lastFix?.lat ?? null,
      lng: state.lastFix?.lng ?? null,
      lastFixAt: state.lastFixAt,
      connected: connected.has(state.courierId),
      offerOrderId: state.offer && state.offer.expiresAt > now ? state.offer.orderId : null,
      activeOrders: [...state.activeOrders],
    });
  }
  return out;
}

/** Plain moves reach the map at most this often per cell. */
export const MAP_REPORT_EVERY_MS = 1_000;

export interface MapFeedHost {
  env: Env;
  cell(): string | null;
  facts(now: number): CourierFacts[];
}

export class MapFeed {
  private lastSentAt = 0;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private trailing: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: MapFeedHost) {}

  /** `urgent`: a courier came, left, or changed what they may do; otherwise only moved. */
  async changed(urgent: boolean): Promise<void> {
    const wait = this.lastSentAt + MAP_REPORT_EVERY_MS - Date.now();
    if (!urgent && wait > 0) {
      this.trailing ??= setTimeout(() => {
        this.trailing = null;
        void this.report();
      }, wait);
      return;
    }
    await this.report();
  }

  private report(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        const cell = this.host.cell();
        if (cell === null) return;
        const now = Date.now();
        this.lastSentAt = now;
        try {
          await cityMapOfCell(this.host.env, cell).cellSummary(cell, this.host.facts(now), now);
        } catch (err) {
          // The next change reports the whole cell again, so a lost report heals itself.
          logLine("warn", "zone.map_report_failed", { cell, error: String(err) });
        }
      } while (this.again);
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }
}
