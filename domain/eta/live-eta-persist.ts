// When the Order DO writes its live ETA (and the courier position it came
// from) to storage. Positions arrive about once a second per order and each
// ETA used to be two SQLite writes; the broadcast to the watchers never waited
// for them, only the order's view after a restart reads them. So the DO keeps
// both in memory and writes them through at most every ETA_PERSIST_EVERY_MS,
// and at once when what a reader would see changes in kind: the first one, a
// different courier or vehicle, the pickup time appearing or going (the food
// on board), or an estimate that moved by ETA_PERSIST_SHIFT_MS or more.
// After an eviction the view shows the ETA at most ETA_PERSIST_EVERY_MS older
// than the last one broadcast (its updatedAt says when it was made).

export const ETA_PERSIST_EVERY_MS = 10_000;
/** An estimate that moved this much is written at once: a customer reloading must not see the old minute. */
export const ETA_PERSIST_SHIFT_MS = 60_000;

export interface PersistedEta {
  pickupAt: number | null;
  dropoffAt: number;
  model: "learned" | "fixed";
  at: number;
}

/** Whether `next` (just computed) must be written, given the one last written (null: none yet). */
export function etaShouldPersist(written: PersistedEta | null, next: PersistedEta): boolean {
  if (!written) return true;
  if (next.at - written.at >= ETA_PERSIST_EVERY_MS || next.at < written.at) return true;
  if ((written.pickupAt === null) !== (next.pickupAt === null)) return true;
  if (written.model !== next.model) return true;
  if (Math.abs(next.dropoffAt - written.dropoffAt) >= ETA_PERSIST_SHIFT_MS) return true;
  if (written.pickupAt !== null && next.pickupAt !== null) {
    return Math.abs(next.pickupAt - written.pickupAt) >= ETA_PERSIST_SHIFT_MS;
  }
  return false;
}

export interface CourierSighting {
  lat: number;
  lng: number;
  vehicle: string;
  /** Server time it was heard (epoch ms). */
  at: number;
}

/** Whether the courier position the ETA starts from must be written (null written: none yet, or cleared). */
export function sightingShouldPersist(written: CourierSighting | null, next: CourierSighting): boolean {
  if (!written) return true;
  if (written.vehicle !== next.vehicle) return true;
  return next.at - written.at >= ETA_PERSIST_EVERY_MS || next.at < written.at;
}
