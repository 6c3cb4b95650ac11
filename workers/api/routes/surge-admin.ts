// Operators: surge settings per delivery area (decision 0040), and each
// area's surge as customers see it now, with the load behind it.
import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { deliveryAreas } from "../../../db/schema.ts";
import { surgePolicies } from "../../../db/schema-surge.ts";
import {
  DEFAULT_SURGE_POLICY,
  NO_SURGE_BPS,
  PLATFORM_MAX_SURGE_BPS,
  type SurgePolicy,
  validatePolicy,
} from "../../../domain/surge/surge.ts";
import { currentSurge, invalidateSurgePolicies, loadPolicies, policyOf } from "../../surge/live-surge.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { SurgeInfo } from "../orders/delivery-terms-schemas.ts";

const Policy = z
  .strictObject({
    enabled: z.boolean(),
    startRatio: z
      .number()
      .gt(0)
      .max(50)
      .openapi({ description: "Waiting orders per free courier at which surge starts." }),
    fullRatio: z.number().gt(0).max(100).openapi({ description: "Ratio at which the cap is reached." }),
    capBps: z
      .number()
      .int()
      .min(NO_SURGE_BPS)
      .max(PLATFORM_MAX_SURGE_BPS)
      .openapi({ description: "Highest multiplier, in bps (15000 = 1.5×)." }),
    halfLifeSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .openapi({ description: "Smoothing: half of a change in load shows in the price after this long." }),
  })
  .openapi("SurgePolicy");

const AreaSurge = z
  .object({
    zoneId: z.string().uuid(),
    name: z.string(),
    active: z.boolean(),
    policy: Policy,
    /** Whether an operator has set it; otherwise the policy shown is the default (off). */
    configured: z.boolean(),
    surge: SurgeInfo,
  })
  .openapi("AreaSurge");

const listSurge = createRoute({
  method: "get",
  path: "/v1/admin/surge",
  operationId: "listSurge",
  tags: ["admin"],
  summary: "Every delivery area's surge settings and its surge now, with the counts behind it",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: {
    200: jsonResponse(z.object({ areas: z.array(AreaSurge) }), "Areas by name"),
    ...errorResponses(401, 403),
  },
});

const setSurgePolicy = createRoute({
  method: "put",
  path: "/v1/admin/zones/{id}/surge",
  operationId: "setSurgePolicy",
  tags: ["admin"],
  summary: "Set a delivery area's surge settings (quotes already given keep their fee until they expire)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: z.string().uuid() }), ...jsonBody(Policy) },
  responses: { 200: jsonResponse(Policy, "Stored"), ...errorResponses(400, 401, 403, 404, 422) },
});

export function registerSurgeAdminRoutes(app: App): void {
  app.openapi(listSurge, async (c) => {
    const [areas, policies] = await Promise.all([
      c.var.db
        .select({
          id: deliveryAreas.id,
          name: deliveryAreas.name,
          active: deliveryAreas.active,
          polygon: deliveryAreas.polygon,
        })
        .from(deliveryAreas)
        .orderBy(asc(deliveryAreas.name)),
      loadPolicies(c.var.db),
    ]);
    const now = Date.now();
    const out = await Promise.all(
      areas.map(async (area) => {
        const policy = policyOf(policies, area.id);
        const surge = await currentSurge(c.env, area, policy, now);
        return {
          zoneId: area.id,
          name: area.name,
          active: area.active,
          policy,
          configured: area.id in policies,
          surge: { ...surge, validUntil: null },
        };
      }),
    );
    return c.json({ areas: out }, 200);
  });

  app.openapi(setSurgePolicy, async (c) => {
    const id = c.req.valid("param").id;
    const policy: SurgePolicy = c.req.valid("json");
    const problems = validatePolicy(policy);
    if (problems.length > 0) {
      throw new ApiError(
        422,
        "invalid_surge_policy",
        problems.map((p) => p.message).join("; "),
        problems.map((p) => ({ path: p.field, code: "invalid", message: p.message })),
      );
    }
    await c.var.db.transaction(async (tx) => {
      const [area] = await tx.select({ id: deliveryAreas.id }).from(deliveryAreas).where(eq(deliveryAreas.id, id));
      if (!area) throw new ApiError(404, "zone_not_found", "No zone has this id.");
      const [before] = await tx.select().from(surgePolicies).where(eq(surgePolicies.zoneId, id)).for("update");
      const row = { zoneId: id, ...policy, updatedAt: new Date() };
      await tx.insert(surgePolicies).values(row).onConflictDoUpdate({ target: surgePolicies.zoneId, set: row });
      // Surge changes what customers pay: who set it, and from what, is on the record.
      const entry = { action: "surge_policy.set", entityType: "delivery_area", entityId: id };
      if (before) {
        const { updatedAt: _u, zoneId: _z, ...old } = before;
        await auditUpdate(c, tx, { ...entry, before: old, after: { ...policy } });
      } else {
        await audit(c, tx, { ...entry, before: { ...DEFAULT_SURGE_POLICY }, after: { ...policy } });
      }
    });
    await invalidateSurgePolicies(c.env.MENU_CACHE);
    return c.json(policy, 200);
  });
}
