// The other end of an invitation link: the person an operator registered
// sees who they are being invited as and chooses a password, which signs
// them in. The token travels in the body, never in a URL the logs record.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { accountInvitations, auditLog, users } from "../../../db/schema.ts";
import { hashPassword } from "../../../domain/auth/password.ts";
import { hashInvitationToken, INVITATION_REFUSALS, invitationState } from "../../../domain/onboarding/invitation.ts";
import { staffRestaurants } from "../back-office/accounts.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { Password, startSession } from "./auth.ts";

const Token = z.string().min(20).max(200);

const Invitation = z
  .object({
    email: z.string(),
    name: z.string(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    restaurants: z.array(z.object({ id: z.string().uuid(), name: z.string() })),
    expiresAt: z.string(),
  })
  .openapi("Invitation");

const lookupInvitation = createRoute({
  method: "post",
  path: "/v1/invitations/lookup",
  operationId: "lookupInvitation",
  tags: ["auth"],
  security: [],
  summary: "Who an invitation link is for, before they choose a password",
  request: jsonBody(z.strictObject({ token: Token }).openapi("InvitationLookup")),
  responses: { 200: jsonResponse(Invitation, "The invitation"), ...errorResponses(400, 404, 409) },
});

const acceptInvitation = createRoute({
  method: "post",
  path: "/v1/invitations/accept",
  operationId: "acceptInvitation",
  tags: ["auth"],
  security: [],
  summary: "Choose a password with an invitation link (once) and start a session",
  request: jsonBody(z.strictObject({ token: Token, password: Password }).openapi("InvitationAccept")),
  responses: {
    200: jsonResponse(
      z.object({
        accessToken: z.string(),
        tokenType: z.literal("Bearer"),
        expiresIn: z.number().int(),
        refreshToken: z.string(),
        user: z.object({
          id: z.string().uuid(),
          email: z.string(),
          name: z.string(),
          role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
          restaurantId: z.string().uuid().nullable(),
        }),
      }),
      "Password set; signed in",
    ),
    ...errorResponses(400, 403, 404, 409),
  },
});

const notFound = () => new ApiError(404, "invitation_not_found", "This link is not valid; check you copied all of it.");

async function findInvitation(c: AppContext, token: string) {
  const rows = await c.var.db
    .select({
      id: accountInvitations.id,
      expiresAt: accountInvitations.expiresAt,
      usedAt: accountInvitations.usedAt,
      revokedAt: accountInvitations.revokedAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      restaurantId: users.restaurantId,
      deactivatedAt: users.deactivatedAt,
    })
    .from(accountInvitations)
    .innerJoin(users, eq(users.id, accountInvitations.userId))
    .where(eq(accountInvitations.tokenHash, await hashInvitationToken(token)))
    .limit(1);
  const row = rows[0];
  if (!row) throw notFound();
  const state = invitationState(row, Date.now());
  if (state !== "valid") {
    const refusal = INVITATION_REFUSALS[state];
    throw new ApiError(409, refusal.code, refusal.message);
  }
  if (row.deactivatedAt) throw new ApiError(403, "account_deactivated", "This account is deactivated.");
  return row;
}

export function registerInvitationRoutes(app: App): void {
  app.openapi(lookupInvitation, async (c) => {
    const row = await findInvitation(c, c.req.valid("json").token);
    const restaurants = row.role === "restaurant_staff" ? await staffRestaurants(c.var.db, row.userId) : [];
    return c.json(
      { email: row.email, name: row.name, role: row.role, restaurants, expiresAt: row.expiresAt.toISOString() },
      200,
    );
  });

  app.openapi(acceptInvitation, async (c) => {
    const body = c.req.valid("json");
    const row = await findInvitation(c, body.token);
    const passwordHash = await hashPassword(body.password);
    const used = await c.var.db.transaction(async (tx) => {
      // Only the first of two concurrent uses wins.
      const claimed = await tx
        .update(accountInvitations)
        .set({ usedAt: new Date() })
        .where(and(eq(accountInvitations.id, row.id), isNull(accountInvitations.usedAt)))
        .returning({ id: accountInvitations.id });
      if (claimed.length === 0) return false;
      await tx.update(users).set({ passwordHash }).where(eq(users.id, row.userId));
      await tx.insert(auditLog).values({
        actorId: row.userId,
        actorRole: row.role,
        action: "user.invitation_accepted",
        entityType: "user",
        entityId: row.userId,
        before: null,
        after: { passwordSet: true },
        requestId: c.get("requestId") ?? null,
      });
      return true;
    });
    if (!used) throw new ApiError(409, INVITATION_REFUSALS.used.code, INVITATION_REFUSALS.used.message);
    const user = { id: row.userId, email: row.email, name: row.name, role: row.role, restaurantId: row.restaurantId };
    return c.json(await startSession(c, user), 200);
  });
}
