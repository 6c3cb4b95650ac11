// Sign-up, sign-in, refresh-token rotation and sign-out. Refresh tokens
// rotate on every use; presenting one that was already rotated means it was
// stolen or replayed, so its whole family is revoked.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { refreshTokens, users } from "../../../db/schema.ts";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../../../domain/auth/password.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import { hashRefreshToken, issueAccessToken, loadSigningKeys, newRefreshToken } from "../../../domain/auth/tokens.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { revokeSession } from "../auth/sessions.ts";
import { beginSignIn, pruneSignInThrottle, signInSucceeded } from "../auth/sign-in-guard.ts";
import { staffRestaurants } from "../back-office/accounts.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";

export const Email = z.string().trim().toLowerCase().email().max(254);
export const Password = z.string().min(10, "Use at least 10 characters.").max(200);
const ActAs = z.string().uuid().optional().openapi({
  description: "Staff of several restaurants: the one this session acts for (default: their home restaurant).",
});

const SignUpBody = z
  .strictObject({ email: Email, password: Password, name: z.string().trim().min(1).max(100) })
  .openapi("SignUp");
const SignInBody = z
  .strictObject({ email: Email, password: z.string().min(1).max(200), restaurantId: ActAs })
  .openapi("SignIn");
const RefreshBody = z
  .strictObject({ refreshToken: z.string().min(20).max(200), restaurantId: ActAs })
  .openapi("Refresh");
const SignOutBody = z.strictObject({ refreshToken: z.string().min(20).max(200) }).openapi("SignOut");

const User = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    restaurantId: z.string().uuid().nullable(),
  })
  .openapi("User");

const Session = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int(),
    refreshToken: z.string(),
    user: User,
  })
  .openapi("Session");

const Me = User.extend({
  phone: z.string().nullable().openapi({ description: "Set with PATCH /v1/me." }),
  restaurants: z
    .array(z.object({ id: z.string().uuid(), name: z.string() }))
    .openapi({ description: "Staff: every restaurant they work for, home first; empty for other roles." }),
}).openapi("Me");

type UserRow = z.infer<typeof User>;

/**
 * Issues an access token and a refresh token. For staff, `user.restaurantId`
 * is the restaurant the session acts for; the refresh token remembers it.
 */
export async function startSession(c: AppContext, user: UserRow, familyId: string = crypto.randomUUID()) {
  const db = c.var.db;
  const keys = await loadSigningKeys(c.env.JWT_PRIVATE_KEYS);
  const ttl = Number(c.env.ACCESS_TOKEN_TTL_SECONDS) || 900;
  const principal: Principal = { userId: user.id, role: user.role, restaurantId: user.restaurantId ?? undefined };
  const nowSeconds = Math.floor(Date.now() / 1000);
  // The refresh-token family is the session: signing out of it voids its access tokens too.
  const accessToken = await issueAccessToken(
    keys,
    principal,
    { issuer: c.env.JWT_ISSUER, audience: c.env.JWT_AUDIENCE, ttlSeconds: ttl },
    nowSeconds,
    familyId,
  );
  const refreshToken = newRefreshToken();
  const refreshTtl = Number(c.env.REFRESH_TOKEN_TTL_SECONDS) || 30 * 24 * 3600;
  await db.insert(refreshTokens).values({
    userId: user.id,
    familyId,
    restaurantId: user.role === "restaurant_staff" ? user.restaurantId : null,
    tokenHash: await hashRefreshToken(refreshToken),
    expiresAt: new Date(Date.now() + refreshTtl * 1000),
  });
  return { accessToken, tokenType: "Bearer" as const, expiresIn: ttl, refreshToken, user };
}

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  restaurantId: users.restaurantId,
};

async function findUserByEmail(db: Database, email: string) {
  const rows = await db
    .select({ ...userColumns, passwordHash: users.passwordHash, deactivatedAt: users.deactivatedAt })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  return rows[0];
}

const signUp = createRoute({
  method: "post",
  path: "/v1/auth/sign-up",
  operationId: "signUp",
  tags: ["auth"],
  security: [],
  summary: "Create a customer account and start a session",
  request: jsonBody(SignUpBody),
  responses: { 201: jsonResponse(Session, "Signed up"), ...errorResponses(400, 409, 429) },
});

const signIn = createRoute({
  method: "post",
  path: "/v1/auth/sign-in",
  operationId: "signIn",
  tags: ["auth"],
  security: [],
  summary: "Sign in with email and password",
  request: jsonBody(SignInBody),
  description:
    "A wrong password and an unknown e-mail get the same answer after the same work. After a few failures in a row an account must wait before the next attempt (429 `sign_in_throttled` with Retry-After), doubling each time; the same holds for e-mails without an account.",
  responses: { 200: jsonResponse(Session, "Signed in"), ...errorResponses(400, 401, 403, 429) },
});

const refresh = createRoute({
  method: "post",
  path: "/v1/auth/refresh",
  operationId: "refreshSession",
  tags: ["auth"],
  security: [],
  summary: "Exchange a refresh token for a new session (the old refresh token stops working)",
  request: jsonBody(RefreshBody),
  responses: { 200: jsonResponse(Session, "Rotated"), ...errorResponses(400, 401, 403) },
});

const signOut = createRoute({
  method: "post",
  path: "/v1/auth/sign-out",
  operationId: "signOut",
  tags: ["auth"],
  security: [],
  summary: "Sign out: revoke the session's refresh tokens and, within seconds, its access tokens",
  request: jsonBody(SignOutBody),
  responses: { 204: { description: "Signed out" }, ...errorResponses(400) },
});

const me = createRoute({
  method: "get",
  path: "/v1/me",
  operationId: "getMe",
  tags: ["auth"],
  summary: "The signed-in user",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonResponse(Me, "The user"), ...errorResponses(401, 404) },
});

/**
 * The restaurant a staff session acts for: the one asked for (which must be
 * one of theirs), else the one the session already had if they still work
 * there, else their home restaurant. Other roles act for none.
 */
async function actingRestaurant(
  db: Database,
  user: UserRow,
  wanted: string | undefined,
  previous: string | null,
): Promise<string | null> {
  if (user.role !== "restaurant_staff") {
    if (wanted !== undefined)
      throw new ApiError(403, "not_restaurant_staff", "Only restaurant staff act for a restaurant.");
    return null;
  }
  if (wanted === undefined && (previous === null || previous === user.restaurantId)) return user.restaurantId;
  const mine = await staffRestaurants(db, user.id);
  if (wanted !== undefined) {
    if (!mine.some((r) => r.id === wanted)) {
      throw new ApiError(403, "not_restaurant_staff", "You do not work for this restaurant.");
    }
    return wanted;
  }
  return mine.some((r) => r.id === previous) ? previous : user.restaurantId;
}

/** One failed sign-in in this many also clears out day-old throttle rows. */
const PRUNE_ONE_IN = 200;

export function registerAuthRoutes(app: App): void {
  app.openapi(signUp, async (c) => {
    const body = c.req.valid("json");
    const passwordHash = await hashPassword(body.password);
    const inserted = await c.var.db
      .insert(users)
      .values({ email: body.email, name: body.name, role: "customer", passwordHash })
      .onConflictDoNothing()
      .returning(userColumns);
    const user = inserted[0];
    if (!user) throw new ApiError(409, "email_taken", "An account with this email already exists.");
    return c.json(await startSession(c, user), 201);
  });

  app.openapi(signIn, async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    const gate = await beginSignIn(db, body.email);
    if (!gate.allowed) {
      const retryAfterSeconds = Math.ceil(gate.retryAfterMs / 1000);
      throw new ApiError(
        429,
        "sign_in_throttled",
        "Too many failed sign-ins for this account; wait before trying again.",
        undefined,
        { retryAfterSeconds },
      );
    }
    const found = await findUserByEmail(db, body.email);
    // Same answer after the same work for an unknown e-mail and a wrong password: the
    // check runs against a stand-in hash when there is no real one, so timing tells nothing.
    const ok = await verifyPassword(body.password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found?.passwordHash || !ok) {
      if (Math.random() * PRUNE_ONE_IN < 1) await pruneSignInThrottle(db);
      throw new ApiError(401, "invalid_credentials", "Email or password is wrong.");
    }
    await signInSucceeded(db, gate.accountKey);
    // Only someone who knows the password learns that the account is deactivated.
    if (found.deactivatedAt) throw new ApiError(403, "account_deactivated", "This account is deactivated.");
    const { passwordHash: _hash, deactivatedAt: _deactivated, ...user } = found;
    const restaurantId = await actingRestaurant(db, user, body.restaurantId, null);
    return c.json(await startSession(c, { ...user, restaurantId }), 200);
  });

  app.openapi(refresh, async (c) => {
    const { refreshToken, restaurantId: wanted } = c.req.valid("json");
    const db = c.var.db;
    const tokenHash = await hashRefreshToken(refreshToken);
    const rows = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
    const row = rows[0];
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) {
      throw new ApiError(401, "refresh_token_invalid", "The refresh token is not valid; sign in again.");
    }
    // Mark rotated only if nobody else did first: two concurrent uses of one token cannot both win.
    const rotated = await db
      .update(refreshTokens)
      .set({ rotatedAt: new Date() })
      .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt)))
      .returning({ id: refreshTokens.id });
    if (rotated.length === 0) {
      await db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.familyId, row.familyId));
      // Whoever holds the family's access tokens (the thief or the owner) loses them too.
      await revokeSession(c.env, row.userId, row.familyId);
      throw new ApiError(
        401,
        "refresh_token_reused",
        "This refresh token was already used; every session from it is revoked.",
      );
    }
    const userRows = await db
      .select(userColumns)
      .from(users)
      .where(and(eq(users.id, row.userId), isNull(users.deactivatedAt)))
      .limit(1);
    const user = userRows[0];
    if (!user) throw new ApiError(401, "refresh_token_invalid", "The account no longer exists or is deactivated.");
    const restaurantId = await actingRestaurant(db, user, wanted, row.restaurantId);
    return c.json(await startSession(c, { ...user, restaurantId }, row.familyId), 200);
  });

  app.openapi(signOut, async (c) => {
    const { refreshToken } = c.req.valid("json");
    const db = c.var.db;
    const rows = await db
      .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, await hashRefreshToken(refreshToken)))
      .limit(1);
    const session = rows[0];
    if (session) {
      await db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.familyId, session.familyId));
      // A retry after a failure here finds the same family and writes the same revocation.
      await revokeSession(c.env, session.userId, session.familyId);
    }
    return c.body(null, 204);
  });

  app.openapi(me, async (c) => {
    const principal = principalOf(c);
    const rows = await c.var.db
      .select({ ...userColumns, phone: users.phone })
      .from(users)
      .where(eq(users.id, principal.userId))
      .limit(1);
    const user = rows[0];
    if (!user) throw new ApiError(404, "user_not_found", "The account no longer exists.");
    const restaurants = user.role === "restaurant_staff" ? await staffRestaurants(c.var.db, user.id) : [];
    // The restaurant this session acts for, which may not be the home one.
    return c.json({ ...user, restaurantId: principal.restaurantId ?? user.restaurantId, restaurants }, 200);
  });
}
