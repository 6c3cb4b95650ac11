// The platform Worker: fetch is the API, queue is the event consumer, and it
// exports every Durable Object class (see wrangler.toml).

import { openDb } from "../db/client.ts";
import { payoutPeriod } from "../domain/ledger/payouts.ts";
import { withNewTrace } from "../platform/trace-scope.ts";
import { createApp } from "./api/app.ts";
import { activeDeliveryAreas } from "./api/delivery-areas/area-cache.ts";
import { logLine } from "./api/http/log.ts";
import { registerDocsRoutes } from "./api/routes/docs.ts";
import type { Env } from "./env.ts";
import { refreshCalibration } from "./eta/calibration-store.ts";
import { handleQueue } from "./events/consumer.ts";
import { reconcile } from "./events/reconciler.ts";
import { PAYOUT_CRON, runPayouts } from "./ledger/payouts.ts";
import { RECONCILIATION_CRON, runDailyReconciliation } from "./ledger/reconciliation-runs.ts";
import { sweepDue } from "./notifications/sweep.ts";
import { releaseOrphanRedemptions } from "./promotions/redemptions.ts";

export { CityMapDO } from "../durable-objects/city-map/city-map-do.ts";
export { OrderDO } from "../durable-objects/order/order-do.ts";
export { ProjectionLagDO } from "../durable-objects/projection-lag/projection-lag-do.ts";
export { RestaurantDO } from "../durable-objects/restaurant/restaurant-do.ts";
export { SessionsDO } from "../durable-objects/sessions/sessions-do.ts";
export { ZoneDO } from "../durable-objects/zone/zone-do.ts";

const app = createApp();
// Added here, not in createApp: the reference page carries Swagger UI's files as
// text modules, which only the Worker's bundler loads; createApp stays
// importable from Node (npm run api:generate builds the document from it).
registerDocsRoutes(app);

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  // A new trace per run (decision 0049): every line the sweep writes, and the Order DOs it asks, carry it.
  scheduled: (controller, env, _ctx) => withNewTrace(() => runScheduled(controller, env)),
} satisfies ExportedHandler<Env>;

/** The cron triggers (wrangler.toml): the daily reconciliation, the payout run, and the every-minute sweep. */
async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const { db, close } = openDb(env, 2);
  if (controller.cron === RECONCILIATION_CRON) {
    try {
      const run = await runDailyReconciliation(env, db, controller.scheduledTime);
      // A difference is for operators to look into: logged as a warning, kept for the console.
      logLine(run.differences > 0 || run.truncated ? "warn" : "info", "reconciliation.ran", { ...run });
    } catch (err) {
      logLine("error", "reconciliation.failed", { error: String(err) });
    } finally {
      await close().catch(() => {});
    }
    return;
  }
  if (controller.cron === PAYOUT_CRON) {
    try {
      logLine("info", "payouts.ran", { ...(await runPayouts(env, db, payoutPeriod(controller.scheduledTime))) });
    } catch (err) {
      logLine("error", "payouts.failed", { error: String(err) });
    } finally {
      await close().catch(() => {});
    }
    return;
  }
  try {
    const report = await reconcile(env, db);
    logLine("info", "reconciler.ran", { ...report });
  } catch (err) {
    // Postgres unreachable: the next run tries again; the Order DOs keep re-sending meanwhile.
    logLine("error", "reconciler.failed", { error: String(err) });
  }
  try {
    // Every minute it only reads KV; the model is refitted from Postgres once it is 15 minutes old.
    const areas = await activeDeliveryAreas(env.MENU_CACHE, () => db);
    const { calibration, refreshed } = await refreshCalibration(env.MENU_CACHE, db, areas, Date.now());
    if (refreshed) {
      logLine("info", "eta.calibrated", {
        rides: calibration.global.samples,
        cells: Object.keys(calibration.cells).length,
        roadFactor: calibration.global.roadFactor,
      });
    }
  } catch (err) {
    logLine("error", "eta.calibration_failed", { error: String(err) });
  }
  try {
    const swept = await sweepDue(env, db);
    logLine("info", "notifications.swept", { ...swept });
  } catch (err) {
    logLine("error", "notifications.sweep_failed", { error: String(err) });
  }
  try {
    const released = await releaseOrphanRedemptions(db, controller.scheduledTime);
    if (released > 0) logLine("info", "promotions.released_orphans", { released });
  } catch (err) {
    logLine("error", "promotions.release_failed", { error: String(err) });
  } finally {
    await close().catch(() => {});
  }
}
