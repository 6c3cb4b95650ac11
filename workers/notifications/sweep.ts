// The scheduled sweep (the cron trigger, once a minute): notifications and
// webhook deliveries whose next attempt is due, or whose lease ran out
// because the isolate delivering them died. Each row is claimed by moving
// its time forward in the same statement that selects it, so two sweeps (or
// a sweep and the queue consumer) never send the same row at once.
import { and, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { notifications, webhookDeliveries } from "../../db/schema-notifications.ts";
import type { Env } from "../env.ts";
import { deliverNotifications } from "./deliver.ts";
import { LEASE_MS } from "./fanout.ts";
import { deliverWebhooks } from "./webhook-delivery.ts";

export const SWEEP_BATCH = 100;

export async function sweepDue(
  env: Env,
  db: Database,
  now = Date.now(),
): Promise<{ notifications: number; webhooks: number }> {
  const lease = new Date(now + LEASE_MS);
  const dueNotifications = await db
    .update(notifications)
    .set({ nextAttemptAt: lease })
    .where(
      inArray(
        notifications.id,
        db
          .select({ id: notifications.id })
          .from(notifications)
          .where(
            and(
              inArray(notifications.status, ["queued", "retried"]),
              isNotNull(notifications.nextAttemptAt),
              lte(notifications.nextAttemptAt, new Date(now)),
            ),
          )
          .orderBy(notifications.nextAttemptAt)
          .limit(SWEEP_BATCH)
          .for("update", { skipLocked: true }),
      ),
    )
    .returning();
  const dueDeliveries = await db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: lease })
    .where(
      inArray(
        webhookDeliveries.id,
        db
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(
            and(
              sql`${webhookDeliveries.status} = 'pending'`,
              isNotNull(webhookDeliveries.nextAttemptAt),
              lte(webhookDeliveries.nextAttemptAt, new Date(now)),
            ),
          )
          .orderBy(webhookDeliveries.nextAttemptAt)
          .limit(SWEEP_BATCH)
          .for("update", { skipLocked: true }),
      ),
    )
    .returning();
  await Promise.all([deliverNotifications(env, db, dueNotifications), deliverWebhooks(env, db, dueDeliveries)]);
  return { notifications: dueNotifications.length, webhooks: dueDeliveries.length };
}
