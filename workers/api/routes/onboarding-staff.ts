// Staff of a restaurant, managed by operators: invite a person (a new one
// gets a link to choose a password; someone on another restaurant's staff is
// added to this one too) and take someone off a restaurant.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull, or } from "drizzle-orm";
import { refreshTokens, restaurantStaff, restaurants, users } from "../../../db/schema.ts";
import { audit, auditedNoChange } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { revokeSession } from "../auth/sessions.ts";
import { accountOut, findAccountByEmail, issueInvitation } from "../back-office/accounts.ts";
import { Account, IssuedInvitation } from "../back-office/schemas.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { Email } from "./auth.ts";

const Uuid = z.string().uuid();

const StaffInvite = z.strictObject({ email: Email, name: z.string().trim().min(1).max(100) }).openapi("StaffInvite");

const notFound = () => new ApiError(404, "restaurant_not_found", "No restaurant has this id.");

const inviteStaff = createRoute({
  method: "post",
  path: "/v1/admin/restaurants/{id}/staff",
  operationId: "inviteRestaurantStaff",
  tags: ["admin"],
  summary: "Add a staff member to a restaurant; a new person gets an invitation link to choose a password",
  description:
    "Someone already on the staff of another restaurant is added to this one too (and can switch between them at sign-in or refresh). Repeating the call changes nothing; a person who has not chosen a password yet gets a fresh link.",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: Uuid }), ...jsonBody(StaffInvite) },
  responses: {
    201: jsonResponse(
      z.object({ staff: Account, added: z.boolean(), invitation: IssuedInvitation.nullable() }),
      "New person invited",
    ),
    200: jsonResponse(
      z.object({ staff: Account, added: z.boolean(), invitation: IssuedInvitation.nullable() }),
      "Existing staff member added (or already there)",
    ),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const removeStaff = createRoute({
  method: "delete",
  path: "/v1/admin/restaurants/{id}/staff/{userId}",
  operationId: "removeRestaurantStaff",
  tags: ["admin"],
  summary: "Take a staff member off a restaurant; sessions acting for it stop refreshing at once",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: Uuid, userId: Uuid }) },
  responses: {
    204: { description: "Removed" },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export function registerOnboardingStaffRoutes(app: App): void {
  app.openapi(inviteStaff, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const admin = principalOf(c);
    const result = await c.var.db.transaction(async (tx) => {
      const [restaurant] = await tx
        .select({ id: restaurants.id })
        .from(restaurants)
        .where(eq(restaurants.id, id))
        .limit(1);
      if (!restaurant) throw notFound();
      let account = await findAccountByEmail(tx, body.email);
      let created = false;
      if (!account) {
        const [inserted] = await tx
          .insert(users)
          .values({ email: body.email, name: body.name, role: "restaurant_staff", restaurantId: id })
          .onConflictDoNothing()
          .returning({ id: users.id });
        // Lost a race with a concurrent invite of the same e-mail: carry on with theirs.
        account = await findAccountByEmail(tx, body.email);
        created = inserted !== undefined;
      }
      if (!account) throw new Error("staff account vanished");
      if (account.role !== "restaurant_staff") {
        throw new ApiError(
          409,
          "email_in_use",
          `This e-mail belongs to a ${account.role.replace("_", " ")} account; staff need their own.`,
        );
      }
      if (account.deactivatedAt) {
        throw new ApiError(409, "account_deactivated", "This account is deactivated; reactivate it first.");
      }
      const added = await tx
        .insert(restaurantStaff)
        .values({ userId: account.id, restaurantId: id })
        .onConflictDoNothing()
        .returning({ userId: restaurantStaff.userId });
      const joined = added.length > 0 && (created || account.restaurantId !== id);
      const invitation = account.invited ? await issueInvitation(tx, account.id, admin.userId) : null;
      if (!joined && !created && !invitation) auditedNoChange(c);
      if (joined || created) {
        await audit(c, tx, {
          action: created ? "staff.invite" : "staff.add",
          entityType: "user",
          entityId: account.id,
          after: { email: account.email, name: account.name, restaurantId: id },
        });
      } else if (invitation) {
        await audit(c, tx, {
          action: "user.invitation_reissued",
          entityType: "user",
          entityId: account.id,
          after: { expiresAt: invitation.expiresAt },
        });
      }
      return { staff: accountOut(account), added: joined || created, invitation, created };
    });
    const { created, ...out } = result;
    return c.json(out, created ? 201 : 200);
  });

  app.openapi(removeStaff, async (c) => {
    const { id, userId } = c.req.valid("param");
    const families = await c.var.db.transaction(async (tx) => {
      const [account] = await tx
        .select({ id: users.id, role: users.role, restaurantId: users.restaurantId })
        .from(users)
        .where(eq(users.id, userId))
        .for("update")
        .limit(1);
      const memberships = await tx
        .select({ restaurantId: restaurantStaff.restaurantId })
        .from(restaurantStaff)
        .where(eq(restaurantStaff.userId, userId));
      const all = new Set([
        ...memberships.map((m) => m.restaurantId),
        ...(account?.restaurantId ? [account.restaurantId] : []),
      ]);
      if (account?.role !== "restaurant_staff" || !all.has(id)) {
        throw new ApiError(404, "staff_not_found", "This person is not on this restaurant's staff.");
      }
      all.delete(id);
      const nextHome = account.restaurantId === id ? [...all][0] : account.restaurantId;
      if (!nextHome) {
        throw new ApiError(409, "last_restaurant", "This is their only restaurant; deactivate the account instead.");
      }
      await tx
        .delete(restaurantStaff)
        .where(and(eq(restaurantStaff.userId, userId), eq(restaurantStaff.restaurantId, id)));
      if (nextHome !== account.restaurantId) {
        await tx.insert(restaurantStaff).values({ userId, restaurantId: nextHome }).onConflictDoNothing();
        await tx.update(users).set({ restaurantId: nextHome }).where(eq(users.id, userId));
      }
      // Sessions acting for this restaurant can neither refresh nor, once revoked below, use their access tokens.
      const sessions = await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            // Sessions that name no restaurant act for the home one.
            account.restaurantId === id
              ? or(eq(refreshTokens.restaurantId, id), isNull(refreshTokens.restaurantId))
              : eq(refreshTokens.restaurantId, id),
          ),
        )
        .returning({ familyId: refreshTokens.familyId });
      await audit(c, tx, {
        action: "staff.remove",
        entityType: "user",
        entityId: userId,
        before: { restaurantId: id, homeRestaurantId: account.restaurantId },
        after: { homeRestaurantId: nextHome },
      });
      return [...new Set(sessions.map((s) => s.familyId))];
    });
    await Promise.all(families.map((familyId) => revokeSession(c.env, userId, familyId)));
    return c.body(null, 204);
  });
}
