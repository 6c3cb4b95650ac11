// Writes audit rows (db/schema.ts auditLog) for changes made through the API.
// Called inside the change's own transaction wherever the change is a
// Postgres write, so a change without its audit row cannot commit. Changes
// decided by an Order DO are audited from their events instead
// (workers/events/order-audit.ts), which the outbox delivers at least once.
import { eq } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Database } from "../../../db/client.ts";
import { auditLog, restaurants } from "../../../db/schema.ts";
import { auditable, changedFields, type Fields } from "../../../domain/audit/diff.ts";
import { principalOf } from "../auth/authenticate.ts";
import type { AppContext } from "../context.ts";

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Transaction;

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: Fields | null;
  after?: Fields | null;
  note?: string | null;
}

export async function audit(c: AppContext, executor: Executor, entry: AuditEntry): Promise<void> {
  const principal = principalOf(c);
  c.set("audited", true);
  await executor.insert(auditLog).values({
    actorId: principal.userId,
    actorRole: principal.role,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ? auditable(entry.before) : null,
    after: entry.after ? auditable(entry.after) : null,
    note: entry.note ?? null,
    requestId: c.get("requestId") ?? null,
  });
}

/** A repeated request that changed nothing: no audit row, on purpose (and none from the safety net). */
export function auditedNoChange(c: AppContext): void {
  c.set("audited", true);
}

/**
 * An update's audit row holds only the fields that changed, plus `context`
 * (e.g. which restaurant a menu item belongs to); nothing is written when
 * nothing changed.
 */
export async function auditUpdate(
  c: AppContext,
  executor: Executor,
  entry: Omit<AuditEntry, "before" | "after"> & { before: Fields; after: Fields; context?: Fields },
): Promise<void> {
  const changes = changedFields(auditable(entry.before), auditable(entry.after));
  // Nothing changed, and that is the record: no row, and no fallback row either.
  c.set("audited", true);
  if (Object.keys(changes.after).length === 0) return;
  const { context, ...rest } = entry;
  await audit(c, executor, {
    ...rest,
    before: { ...context, ...changes.before },
    after: { ...context, ...changes.after },
  });
}

/**
 * Updates one restaurant row and audits what changed, in one transaction with
 * the row locked; undefined when there is no such restaurant.
 */
export async function updateRestaurantAudited(
  c: AppContext,
  id: string,
  set: PgUpdateSetSource<typeof restaurants>,
  action = "restaurant.update",
): Promise<typeof restaurants.$inferSelect | undefined> {
  return c.var.db.transaction(async (tx) => {
    const [before] = await tx.select().from(restaurants).where(eq(restaurants.id, id)).for("update").limit(1);
    if (!before) return undefined;
    const [after] = await tx.update(restaurants).set(set).where(eq(restaurants.id, id)).returning();
    if (!after) return undefined;
    const { createdAt: _b, menuVersion: _bv, ...beforeFields } = before;
    const { createdAt: _a, menuVersion: _av, ...afterFields } = after;
    await auditUpdate(c, tx, {
      action,
      entityType: "restaurant",
      entityId: id,
      before: beforeFields,
      after: afterFields,
    });
    return after;
  });
}
