// What a customer is told about delivery before ordering: the surge on the
// fee (with its reason) and the window in which the food should arrive.
// Discovery, the quote and placement all come through here, so the three
// never disagree. The arithmetic is in domain/surge and domain/eta.
import { type DeliveryWindow, deliveryWindow } from "../../../domain/eta/calibration.ts";
import { NO_SURGE_BPS, type Surge } from "../../../domain/surge/surge.ts";
import type { Env } from "../../env.ts";
import { localHour, readCalibration } from "../../eta/calibration-store.ts";
import {
  cachedSurgePolicies,
  currentSurge,
  loadPolicies,
  lockQuotedSurge,
  placementMultiplierBps,
  policyOf,
} from "../../surge/live-surge.ts";
import type { AppContext } from "../context.ts";
import type { DeliveryArea } from "../delivery-areas/area-cache.ts";
import { log } from "../http/log.ts";

export type SurgeMode =
  | { kind: "browse" }
  | { kind: "quote"; customerId: string }
  | { kind: "place"; customerId: string };

export interface ChargedSurge extends Surge {
  /** For a quote: until when placement holds this multiplier for the customer. */
  validUntil: number | null;
}

const NONE: ChargedSurge = {
  multiplierBps: NO_SURGE_BPS,
  reason: { code: "surge_off", waitingOrders: 0, availableCouriers: 0, message: "Standard delivery fee." },
  validUntil: null,
};

/**
 * The area's surge for this use. A quote locks what it shows for
 * QUOTE_VALIDITY_MS; a placement pays the lower of its lock and now. Surge
 * never blocks ordering: any failure reading it prices without it.
 */
export async function surgeFor(c: AppContext, area: DeliveryArea, mode: SurgeMode): Promise<ChargedSurge> {
  const env = c.env;
  const now = Date.now();
  try {
    const policies = await cachedSurgePolicies(env.MENU_CACHE, () => loadPolicies(c.var.db));
    const surge = await currentSurge(env, area, policyOf(policies, area.id), now);
    if (mode.kind === "quote") {
      const lock = await lockQuotedSurge(env.MENU_CACHE, mode.customerId, area.id, surge.multiplierBps, now);
      return { ...surge, validUntil: lock.expiresAt };
    }
    if (mode.kind === "place") {
      const charged = await placementMultiplierBps(env.MENU_CACHE, mode.customerId, area.id, surge.multiplierBps, now);
      return charged === surge.multiplierBps
        ? { ...surge, validUntil: null }
        : {
            multiplierBps: charged,
            reason: { ...surge.reason, message: `${surge.reason.message} Your quote's fee is kept.` },
            validUntil: null,
          };
    }
    return { ...surge, validUntil: null };
  } catch (err) {
    log(c, "warn", "surge.unavailable", { areaId: area.id, error: String(err) });
    return NONE;
  }
}

/** The window for one restaurant and address, from the learned model when there is one. */
export async function windowFor(
  env: Env,
  q: { areaId: string | null; timeZone: string; distanceM: number; prepMinutes: number; now: number },
): Promise<DeliveryWindow> {
  const calibration = await readCalibration(env.MENU_CACHE);
  return deliveryWindow(calibration, {
    areaId: q.areaId,
    localHour: localHour(q.now, q.timeZone),
    distanceM: q.distanceM,
    prepMinutes: q.prepMinutes,
  });
}
