// Admins read the audit log: every change staff and admins made, newest
// first, filtered by entity, actor, action or time, paged by id.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, like, lt, lte, type SQL, sql } from "drizzle-orm";
import { auditLog, users } from "../../../db/schema.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { bearerSecurity, errorResponses, jsonResponse, urlNumber } from "../http/openapi.ts";

export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    actorName: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    note: z.string().nullable(),
    requestId: z.string().nullable(),
    sourceEventId: z.string().nullable(),
  })
  .openapi("AuditEntry");

const Word = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, "Letters, digits and _ . : - only.");

const AuditQuery = z.object({
  entityType: Word.optional(),
  entityId: Word.optional(),
  actorId: Word.optional(),
  action: Word.optional().openapi({
    description: "Exact action, or a prefix ending in `.` (e.g. `restaurant.`, `order.`).",
  }),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  before: urlNumber({ min: 1, max: Number.MAX_SAFE_INTEGER, int: true })
    .optional()
    .openapi({ description: "Page: entries with a smaller id." }),
  limit: urlNumber({ min: 1, max: 200, int: true }).default(50),
});

const listAudit = createRoute({
  method: "get",
  path: "/v1/admin/audit",
  operationId: "listAuditEntries",
  tags: ["admin"],
  summary: "The audit log, newest first: who changed what, when, with the values before and after",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { query: AuditQuery },
  responses: {
    200: jsonResponse(
      z.object({ entries: z.array(AuditEntry), nextBefore: z.number().int().nullable() }),
      "A page of entries",
    ),
    ...errorResponses(400, 401, 403),
  },
});

export function registerAuditAdminRoutes(app: App): void {
  app.openapi(listAudit, async (c) => {
    const q = c.req.valid("query");
    const filters: SQL[] = [];
    if (q.entityType) filters.push(eq(auditLog.entityType, q.entityType));
    if (q.entityId) filters.push(eq(auditLog.entityId, q.entityId));
    if (q.actorId) filters.push(eq(auditLog.actorId, q.actorId));
    if (q.action) {
      // `_` is a LIKE wildcard and may appear in actions: match it literally.
      const prefix = `${q.action.replace(/[\\%_]/g, "\\$&")}%`;
      filters.push(q.action.endsWith(".") ? like(auditLog.action, prefix) : eq(auditLog.action, q.action));
    }
    if (q.from) filters.push(gte(auditLog.at, new Date(q.from)));
    if (q.to) filters.push(lte(auditLog.at, new Date(q.to)));
    if (q.before) filters.push(lt(auditLog.id, q.before));
    const rows = await c.var.db
      .select({ entry: auditLog, actorName: users.name, actorEmail: users.email })
      .from(auditLog)
      .leftJoin(users, sql`${users.id}::text = ${auditLog.actorId}`)
      .where(filters.length > 0 ? and(...filters) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const entries = page.map(({ entry, actorName, actorEmail }) => ({
      ...entry,
      at: entry.at.toISOString(),
      actorName: actorName ?? null,
      actorEmail: actorEmail ?? null,
    }));
    const last = entries[entries.length - 1];
    return c.json({ entries, nextBefore: rows.length > q.limit && last ? last.id : null }, 200);
  });
}
