// Operators manage accounts: list and find people, create admins, send a
// fresh invitation link, and deactivate or reactivate anyone. Deactivation
// refuses sign-in and refresh at once (refresh tokens are revoked, sign-in
// checks the flag), voids every access token already issued within seconds
// through the user's SessionsDO (docs/decisions/0017-hardening-session-revocation.md),
// and cuts a courier's app off at their zone. Reactivation lets the account
// sign in again; tokens from before stay void.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, ilike, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import { accountInvitations, refreshTokens, userRole, users } from "../../../db/schema.ts";
import { audit, auditedNoChange } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { revokeAllSessions } from "../auth/sessions.ts";
import { accountColumns, accountOut, findAccountByEmail, issueInvitation } from "../back-office/accounts.ts";
import { disconnectCourier } from "../back-office/courier-presence.ts";
import { Account, IssuedInvitation } from "../back-office/schemas.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { Email } from "./auth.ts";

const params = z.object({ id: z.string().uuid() });

const listUsers = createRoute({
  method: "get",
  path: "/v1/admin/users",
  operationId: "listAccounts",
  tags: ["admin"],
  summary: "Accounts by role, name or e-mail, and status",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      role: z.enum(userRole.enumValues).optional(),
      q: z.string().trim().max(100).optional(),
      status: z.enum(["active", "deactivated", "invited"]).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(100_000).default(0),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ users: z.array(Account), total: z.number().int() }), "Accounts"),
    ...errorResponses(400, 401, 403),
  },
});

const createAdmin = createRoute({
  method: "post",
  path: "/v1/admin/admins",
  operationId: "createAdmin",
  tags: ["admin"],
  summary: "Create an operator account; they get an invitation link to choose a password",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(z.strictObject({ email: Email, name: z.string().trim().min(1).max(100) }).openapi("NewAdmin")),
  responses: {
    201: jsonResponse(z.object({ user: Account, invitation: IssuedInvitation }), "Created"),
    ...errorResponses(400, 401, 403, 409),
  },
});

const reinvite = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/invitation",
  operationId: "reissueInvitation",
  tags: ["admin"],
  summary: "A new link to choose a password (an earlier unused link stops working); not for customers",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params },
  responses: {
    200: jsonResponse(z.object({ user: Account, invitation: IssuedInvitation }), "Issued"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const deactivate = createRoute({
  method: "post",
  path: "/v1/admin/users/{id}/deactivate",
  operationId: "deactivateUser",
  tags: ["admin"],
  summary: "Deactivate an account: sign-in and refresh refused at once, a courier's app cut off",
  description:
    "Idempotent: deactivating an account twice keeps the first time. An admin cannot deactivate themselves. Access tokens already issued stop working within seconds.",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params },
  responses: { 200: jsonResponse(Account, "Deactivated"), ...errorResponses(400, 401, 403, 404, 409) },
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
  responses: { 200: jsonResponse(Account, "Active"), ...errorResponses(400, 401, 403, 404) },
});

async function account(c: AppContext, id: string) {
  const [row] = await c.var.db.select(accountColumns).from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw new ApiError(404, "user_not_found", "No account has this id.");
  return row;
}

export function registerUserAdminRoutes(app: App): void {
  app.openapi(listUsers, async (c) => {
    const q = c.req.valid("query");
    const filters: SQL[] = [];
    if (q.role) filters.push(eq(users.role, q.role));
    if (q.q) {
      const pattern = `%${q.q.replace(/[\\%_]/g, "\\$&")}%`;
      filters.push(or(ilike(users.name, pattern), ilike(users.email, pattern)) as SQL);
    }
    if (q.status === "deactivated") filters.push(isNotNull(users.deactivatedAt));
    if (q.status === "active") filters.push(and(isNull(users.deactivatedAt), isNotNull(users.passwordHash)) as SQL);
    if (q.status === "invited") filters.push(and(isNull(users.passwordHash), isNull(users.oidcSubject)) as SQL);
    const where = filters.length > 0 ? and(...filters) : undefined;
    const [rows, [count]] = await Promise.all([
      c.var.db.select(accountColumns).from(users).where(where).orderBy(asc(users.name)).limit(q.limit).offset(q.offset),
      c.var.db.select({ n: sql<number>`count(*)::int` }).from(users).where(where),
    ]);
    return c.json({ users: rows.map(accountOut), total: count?.n ?? 0 }, 200);
  });

  app.openapi(createAdmin, async (c) => {
    const body = c.req.valid("json");
    const result = await c.var.db.transaction(async (tx) => {
      if (await findAccountByEmail(tx, body.email)) {
        throw new ApiError(409, "email_taken", "An account with this e-mail already exists.");
      }
      const [created] = await tx
        .insert(users)
        .values({ email: body.email, name: body.name, role: "admin" })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!created) throw new ApiError(409, "email_taken", "An account with this e-mail already exists.");
      const invitation = await issueInvitation(tx, created.id, principalOf(c).userId);
      await audit(c, tx, { action: "admin.create", entityType: "user", entityId: created.id, after: body });
      return { id: created.id, invitation };
    });
    return c.json({ user: accountOut(await account(c, result.id)), invitation: result.invitation }, 201);
  });

  app.openapi(reinvite, async (c) => {
    const { id } = c.req.valid("param");
    const row = await account(c, id);
    if (row.role === "customer") {
      throw new ApiError(409, "customer_account", "Customers sign up and reset passwords themselves.");
    }
    if (row.deactivatedAt) throw new ApiError(409, "account_deactivated", "Reactivate the account first.");
    const invitation = await c.var.db.transaction(async (tx) => {
      const issued = await issueInvitation(tx, id, principalOf(c).userId);
      await audit(c, tx, {
        action: "user.invitation_reissued",
        entityType: "user",
        entityId: id,
        after: { expiresAt: issued.expiresAt },
      });
      return issued;
    });
    return c.json({ user: accountOut(row), invitation }, 200);
  });

  app.openapi(deactivate, async (c) => {
    const { id } = c.req.valid("param");
    if (id === principalOf(c).userId) {
      throw new ApiError(409, "cannot_deactivate_self", "Ask another admin to deactivate your account.");
    }
    const now = new Date();
    await c.var.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(users)
        .set({ deactivatedAt: now })
        .where(and(eq(users.id, id), isNull(users.deactivatedAt)))
        .returning({ id: users.id, role: users.role });
      if (!updated) {
        auditedNoChange(c);
        return null;
      }
      await tx
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
      await tx
        .update(accountInvitations)
        .set({ revokedAt: now })
        .where(
          and(
            eq(accountInvitations.userId, id),
            isNull(accountInvitations.usedAt),
            isNull(accountInvitations.revokedAt),
          ),
        );
      await audit(c, tx, {
        action: "user.deactivate",
        entityType: "user",
        entityId: id,
        before: { deactivatedAt: null },
        after: { deactivatedAt: now },
      });
      return updated;
    });
    const row = await account(c, id);
    // After the commit, and repeated on a retry: until it is written the account's access tokens still work.
    if (row.deactivatedAt) await revokeAllSessions(c.env, id);
    if (row.role === "courier" && row.deactivatedAt) {
      await disconnectCourier(c.env, c.var.db, id, "Your account was deactivated.");
    }
    return c.json(accountOut(row), 200);
  });

  app.openapi(reactivate, async (c) => {
    const { id } = c.req.valid("param");
    await c.var.db.transaction(async (tx) => {
      const [before] = await tx
        .select({ deactivatedAt: users.deactivatedAt })
        .from(users)
        .where(eq(users.id, id))
        .for("update")
        .limit(1);
      if (!before) throw new ApiError(404, "user_not_found", "No account has this id.");
      if (!before.deactivatedAt) {
        auditedNoChange(c);
        return;
      }
      await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, id));
      await audit(c, tx, {
        action: "user.reactivate",
        entityType: "user",
        entityId: id,
        before: { deactivatedAt: before.deactivatedAt },
        after: { deactivatedAt: null },
      });
    });
    return c.json(accountOut(await account(c, id)), 200);
  });
}
