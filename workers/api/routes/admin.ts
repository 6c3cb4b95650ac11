// Operator tools: the dead-letter queue, visible and replayable.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, isNull } from "drizzle-orm";
import { deadLetters } from "../../../db/schema.ts";
import { audit } from "../audit/audit.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse, urlNumber } from "../http/openapi.ts";

const DeadLetter = z
  .object({
    id: z.number().int(),
    queue: z.string(),
    messageId: z.string(),
    body: z.unknown(),
    attempts: z.number().int(),
    receivedAt: z.string(),
    replayedAt: z.string().nullable(),
  })
  .openapi("DeadLetter");

const listDeadLetters = createRoute({
  method: "get",
  path: "/v1/admin/dead-letters",
  operationId: "listDeadLetters",
  tags: ["admin"],
  summary: "Messages that exhausted their retries",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { query: z.object({ pending: z.enum(["true", "false"]).default("true") }) },
  responses: {
    200: jsonResponse(z.object({ deadLetters: z.array(DeadLetter) }), "Dead letters"),
    ...errorResponses(401, 403),
  },
});

const replayDeadLetter = createRoute({
  method: "post",
  path: "/v1/admin/dead-letters/{id}/replay",
  operationId: "replayDeadLetter",
  tags: ["admin"],
  summary: "Send a dead letter back to the events queue (safe: projections are idempotent)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: urlNumber({ min: 1, max: Number.MAX_SAFE_INTEGER, int: true }) }) },
  responses: { 200: jsonResponse(DeadLetter, "Replayed"), ...errorResponses(401, 403, 404) },
});

export function registerAdminRoutes(app: App): void {
  app.openapi(listDeadLetters, async (c) => {
    const pending = c.req.valid("query").pending === "true";
    const rows = await c.var.db
      .select()
      .from(deadLetters)
      .where(pending ? isNull(deadLetters.replayedAt) : undefined)
      .orderBy(desc(deadLetters.id))
      .limit(200);
    return c.json(
      {
        deadLetters: rows.map((r) => ({
          ...r,
          receivedAt: r.receivedAt.toISOString(),
          replayedAt: r.replayedAt?.toISOString() ?? null,
        })),
      },
      200,
    );
  });

  app.openapi(replayDeadLetter, async (c) => {
    const { id } = c.req.valid("param");
    const rows = await c.var.db.select().from(deadLetters).where(eq(deadLetters.id, id)).limit(1);
    const row = rows[0];
    if (!row) throw new ApiError(404, "dead_letter_not_found", "No dead letter has this id.");
    await c.env.EVENTS.send(row.body, { contentType: "json" });
    const updated = await c.var.db.transaction(async (tx) => {
      const rows = await tx
        .update(deadLetters)
        .set({ replayedAt: new Date() })
        .where(and(eq(deadLetters.id, id)))
        .returning();
      await audit(c, tx, {
        action: "dead_letter.replay",
        entityType: "dead_letter",
        entityId: String(id),
        before: { replayedAt: row.replayedAt },
        after: { replayedAt: rows[0]?.replayedAt ?? null, messageId: row.messageId },
      });
      return rows;
    });
    const r = updated[0] ?? row;
    return c.json(
      { ...r, receivedAt: r.receivedAt.toISOString(), replayedAt: r.replayedAt?.toISOString() ?? null },
      200,
    );
  });
}
