// Operators: deactivating an account stops it at once: no sign-in, no
// refresh, and the access tokens it holds stop working within seconds
// (docs/decisions/0011-hardening-session-revocation.md). Reactivation lets it
// sign in again; tokens from before stay void.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { refreshTokens, users } from "../../../db/schema.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { revokeAllSessions } from "../auth/sessions.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "../http/openapi.ts";

const AccountStatus = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    deactivatedAt: z.string().nullable(),
  })
  .openapi("AccountStatus");

const params = z.object({ id: z.string().uuid() });

const deactivate = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/deactivate",
  operationId: "deactivateUser",
  tags: ["admin"],
  summary: "Deactivate an account: sign-in and refresh refused, its access tokens void within seconds",
  description: "Idempotent: deactivating an account twice keeps the first time. An admin cannot deactivate themselves.",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params },
  responses: { 200: jsonResponse(AccountStatus, "Deactivated"), ...errorResponses(400, 401, 403, 404, 409) },
});

const reactivate = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/reactivate",
  operationId: "reactivateUser",
  tags: ["admin"],
  summary: "Reactivate an account: it may sign in again (tokens issued before deactivation stay void)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params },
  responses: { 200: jsonResponse(AccountStatus, "Active"), ...errorResponses(400, 401, 403, 404) },
});

const statusColumns = { id: users.id, email: users.email, role: users.role, deactivatedAt: users.deactivatedAt };

function toStatus(row: {
  id: string;
  email: string;
  role: z.infer<typeof AccountStatus>["role"];
  deactivatedAt: Date | null;
}) {
  return { ...row, deactivatedAt: row.deactivatedAt?.toISOString() ?? null };
}

export function registerUserAdminRoutes(app: App): void {
  app.openapi(deactivate, async (c) => {
    const { id } = c.req.valid("param");
    if (id === principalOf(c).userId) {
      throw new ApiError(409, "cannot_deactivate_self", "Ask another admin to deactivate your account.");
    }
    const db = c.var.db;
    await db
      .update(users)
      .set({ deactivatedAt: new Date() })
      .where(and(eq(users.id, id), isNull(users.deactivatedAt)));
    const [row] = await db.select(statusColumns).from(users).where(eq(users.id, id)).limit(1);
    if (!row) throw new ApiError(404, "user_not_found", "No account has this id.");
    await db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
    // Last, and repeated on a retry: until it is written the account's tokens still work.
    await revokeAllSessions(c.env, id);
    return c.json(toStatus(row), 200);
  });

  app.openapi(reactivate, async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await c.var.db
      .update(users)
      .set({ deactivatedAt: null })
      .where(eq(users.id, id))
      .returning(statusColumns);
    if (!row) throw new ApiError(404, "user_not_found", "No account has this id.");
    return c.json(toStatus(row), 200);
  });
}
