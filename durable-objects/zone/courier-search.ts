// Finding couriers to offer an order to: this cell's own candidates, and the
// nearest across every cell the search circle touches (asking the other
// zones). Lent the zone's couriers and spatial index through CourierSearchHost.
import { cellsWithinRadius } from "../../domain/geo/geohash.ts";
import type { SpatialIndex } from "../../domain/geo/spatial-index.ts";
import type { Env } from "../../platform/env.ts";
import type { CourierState, ZoneCandidate } from "./protocol.ts";
import { zoneStub } from "./stubs.ts";

export interface CourierSearchHost {
  env: Env;
  cell(): string;
  couriers: Map<string, CourierState>;
  index: SpatialIndex<null>;
  isAvailable(state: CourierState, now: number): boolean;
  isStackable(state: CourierState, now: number): boolean;
  jobsOf(state: CourierState): NonNullable<CourierState["jobs"]>;
}

export class CourierSearch {
  constructor(private readonly host: CourierSearchHost) {}

  /**
   * Couriers of this cell only who may be offered an order, nearest first
   * (ties by id): free ones, and ones on a job with room for a stack, the
   * latter with their position and jobs so the offer loop can check the stack.
   */
  async candidates(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    const now = Date.now();
    const cell = this.host.cell();
    return this.host.index
      .nearest(lat, lng, k, radiusM, (entry) => {
        const state = this.host.couriers.get(entry.id);
        return state !== undefined && (this.host.isAvailable(state, now) || this.host.isStackable(state, now));
      })
      .map((n) => {
        const state = this.host.couriers.get(n.id) as CourierState;
        const busy = state.activeOrders.length > 0;
        return {
          courierId: n.id,
          cell,
          distanceM: n.distanceM,
          vehicle: state.vehicle,
          activeJobs: state.activeOrders.length,
          recentOffers: state.recentOffers,
          recentAccepts: state.recentAccepts,
          rating: state.rating ?? null,
          ...(busy && state.lastFix
            ? { position: { lat: state.lastFix.lat, lng: state.lastFix.lng }, jobs: this.host.jobsOf(state) }
            : {}),
        };
      });
  }

  /** The k nearest available couriers within radiusM, asking every cell the circle touches. */
  async nearestAvailable(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    const own = this.host.cell();
    const perCell = await Promise.all(
      cellsWithinRadius(lat, lng, radiusM).map((cell) =>
        cell === own
          ? this.candidates(lat, lng, k, radiusM)
          : zoneStub(this.host.env, cell).candidates(lat, lng, k, radiusM),
      ),
    );
    // A courier can briefly be known by two zones during a hand-over: keep the nearer sighting.
    const byCourier = new Map<string, ZoneCandidate>();
    for (const candidate of perCell.flat()) {
      const seen = byCourier.get(candidate.courierId);
      if (!seen || candidate.distanceM < seen.distanceM) byCourier.set(candidate.courierId, candidate);
    }
    return [...byCourier.values()]
      .sort((a, b) => a.distanceM - b.distanceM || (a.courierId < b.courierId ? -1 : a.courierId > b.courierId ? 1 : 0))
      .slice(0, Math.max(0, Math.floor(k)));
  }
}
