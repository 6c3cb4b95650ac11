// The signed-in person's own account: name and phone, a copy of everything
// the platform holds about a customer, and deleting a customer account. A
// deleted account's orders stay for the restaurants' books with the personal
// data erased (docs/decisions/0020-customer-app-account-deletion-retention.md).
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import {
  customerAddresses,
  orderEvents,
  orderItems,
  orderRatings,
  orders,
  payments,
  refreshTokens,
  restaurants,
  users,
} from "../../../db/schema.ts";
import { verifyPassword } from "../../../domain/auth/password.ts";
import { TERMINAL_STATES } from "../../../domain/order/state-machine.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { revokeAllSessions } from "../auth/sessions.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { eraseProblemPhotos } from "../orders/problem-photo-store.ts";
import { addressView, registerAccountAddressRoutes, SavedAddress } from "./account-addresses.ts";

const Phone = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[0-9 ().-]{6,32}$/, "Digits, spaces and + ( ) . - only, 6 to 32 characters.");

const ProfilePatch = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    phone: Phone.nullable().optional().openapi({ description: "null removes the number." }),
  })
  .refine((p) => p.name !== undefined || p.phone !== undefined, { message: "Change the name or the phone." })
  .openapi("ProfilePatch");

const Profile = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    createdAt: z.string(),
  })
  .openapi("Profile");

const DeleteAccountBody = z
  .strictObject({ password: z.string().min(1).max(200).openapi({ description: "The account's password, again." }) })
  .openapi("DeleteAccount");

/** What the export holds; loose on purpose for the order rows, which are copied as stored. */
const AccountExport = z
  .object({
    exportedAt: z.string(),
    profile: Profile,
    addresses: z.array(SavedAddress),
    orders: z.array(z.record(z.string(), z.unknown())),
    ratings: z.array(z.record(z.string(), z.unknown())),
    sessions: z.array(z.object({ createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable() })),
  })
  .openapi("AccountExport");

const updateMe = createRoute({
  method: "patch",
  path: "/v1/me",
  operationId: "updateMe",
  tags: ["account"],
  summary: "Change your own name or phone number",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: jsonBody(ProfilePatch),
  responses: { 200: jsonResponse(Profile, "Changed"), ...errorResponses(400, 401, 404) },
});

const exportMe = createRoute({
  method: "get",
  path: "/v1/me/export",
  operationId: "exportMe",
  tags: ["account"],
  summary: "Everything the platform holds about you (customers), as one JSON document",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  responses: { 200: jsonResponse(AccountExport, "Your data"), ...errorResponses(401, 403, 404) },
});

const deleteMe = createRoute({
  method: "delete",
  path: "/v1/me",
  operationId: "deleteMe",
  tags: ["account"],
  summary: "Delete your customer account: sessions end, personal data is erased, orders stay anonymised",
  description:
    "Refused with 409 `orders_in_progress` while an order is still open, and with 422 `password_wrong` when the password does not match. Staff and couriers are removed by an operator instead.",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: jsonBody(DeleteAccountBody),
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 403, 404, 409, 422) },
});

const profileColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  phone: users.phone,
  role: users.role,
  createdAt: users.createdAt,
};

async function profileOf(db: Database, userId: string) {
  const [row] = await db.select(profileColumns).from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw new ApiError(404, "user_not_found", "The account no longer exists.");
  return { ...row, createdAt: row.createdAt.toISOString() };
}

async function ordersOf(db: Database, userId: string) {
  const rows = await db
    .select({ order: orders, restaurantName: restaurants.name })
    .from(orders)
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(eq(orders.customerId, userId))
    .orderBy(desc(orders.placedAt));
  const ids = rows.map((r) => r.order.id);
  if (ids.length === 0) return [];
  const [lines, events, charges] = await Promise.all([
    db.select().from(orderItems).where(inArray(orderItems.orderId, ids)).orderBy(asc(orderItems.lineNo)),
    db
      .select({
        orderId: orderEvents.orderId,
        seq: orderEvents.seq,
        type: orderEvents.type,
        occurredAt: orderEvents.occurredAt,
      })
      .from(orderEvents)
      .where(inArray(orderEvents.orderId, ids))
      .orderBy(asc(orderEvents.seq)),
    db
      .select({
        orderId: payments.orderId,
        kind: payments.kind,
        status: payments.status,
        amountMinor: payments.amountMinor,
        currency: payments.currency,
        createdAt: payments.createdAt,
      })
      .from(payments)
      .where(inArray(payments.orderId, ids)),
  ]);
  return rows.map(({ order, restaurantName }) => ({
    id: order.id,
    restaurantName,
    status: order.status,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    deliveryFeeMinor: order.deliveryFeeMinor,
    serviceFeeMinor: order.serviceFeeMinor,
    taxMinor: order.taxMinor,
    tipMinor: order.tipMinor,
    totalMinor: order.totalMinor,
    deliveryAddress: order.deliveryAddress,
    placedAt: order.placedAt.toISOString(),
    lines: lines.filter((l) => l.orderId === order.id).map(({ orderId: _o, menuItemId: _m, ...line }) => line),
    events: events
      .filter((e) => e.orderId === order.id)
      .map((e) => ({ seq: e.seq, type: e.type, at: e.occurredAt.toISOString() })),
    payments: charges
      .filter((p) => p.orderId === order.id)
      .map(({ orderId: _o, createdAt, ...p }) => ({ ...p, at: createdAt.toISOString() })),
  }));
}

/** An erased account's e-mail: unique (the index wants it) and tells nothing about the person. */
export function erasedEmail(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

export const ERASED_NAME = "Deleted customer";

export function registerAccountRoutes(app: App): void {
  app.openapi(updateMe, async (c) => {
    const { userId } = principalOf(c);
    const patch = c.req.valid("json");
    const [row] = await c.var.db
      .update(users)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.phone !== undefined && { phone: patch.phone || null }),
      })
      .where(eq(users.id, userId))
      .returning(profileColumns);
    if (!row) throw new ApiError(404, "user_not_found", "The account no longer exists.");
    return c.json({ ...row, createdAt: row.createdAt.toISOString() }, 200);
  });

  app.openapi(exportMe, async (c) => {
    const { userId } = principalOf(c);
    const db = c.var.db;
    const [profile, addresses, history, sessions, ratings] = await Promise.all([
      profileOf(db, userId),
      db
        .select()
        .from(customerAddresses)
        .where(eq(customerAddresses.userId, userId))
        .orderBy(asc(customerAddresses.createdAt)),
      ordersOf(db, userId),
      db
        .select({
          createdAt: refreshTokens.createdAt,
          expiresAt: refreshTokens.expiresAt,
          revokedAt: refreshTokens.revokedAt,
        })
        .from(refreshTokens)
        .where(eq(refreshTokens.userId, userId))
        .orderBy(desc(refreshTokens.createdAt))
        .limit(200),
      db.select().from(orderRatings).where(eq(orderRatings.customerId, userId)).orderBy(desc(orderRatings.createdAt)),
    ]);
    c.header("content-disposition", `attachment; filename="edge-delivery-export-${userId}.json"`);
    c.header("cache-control", "no-store");
    return c.json(
      {
        exportedAt: new Date().toISOString(),
        profile,
        addresses: addresses.map(addressView),
        orders: history,
        sessions: sessions.map((s) => ({
          createdAt: s.createdAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          revokedAt: s.revokedAt?.toISOString() ?? null,
        })),
        ratings: ratings.map(({ customerId: _c, courierId: _courier, createdAt, ...r }) => ({
          ...r,
          createdAt: createdAt.toISOString(),
        })),
      },
      200,
    );
  });

  app.openapi(deleteMe, async (c) => {
    const { userId } = principalOf(c);
    const { password } = c.req.valid("json");
    const db = c.var.db;
    const [user] = await db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1);
    if (!user) throw new ApiError(404, "user_not_found", "The account no longer exists.");
    if (!user.passwordHash || !(await verifyPassword(password, user.passwordHash))) {
      throw new ApiError(422, "password_wrong", "The password does not match this account.");
    }
    const open = await db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.customerId, userId), notInArray(orders.status, [...TERMINAL_STATES])))
      .limit(1);
    if (open.length > 0) {
      throw new ApiError(
        409,
        "orders_in_progress",
        "An order of yours is still open; delete the account once it is delivered or cancelled.",
      );
    }
    const ordered = await db.select({ id: orders.id }).from(orders).where(eq(orders.customerId, userId));
    await eraseProblemPhotos(
      c.env.DELIVERY_EVIDENCE,
      ordered.map((o) => o.id),
    );
    await db.transaction(async (tx) => {
      await tx.delete(customerAddresses).where(eq(customerAddresses.userId, userId));
      // Stars stay in the restaurants' and couriers' averages; the words the person wrote go.
      await tx.update(orderRatings).set({ restaurantComment: null }).where(eq(orderRatings.customerId, userId));
      await tx.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.userId, userId));
      // Kept for the restaurants' books: what was sold, when, for how much, to which town.
      // The street, the door and the notes for the courier go; the point is blurred to ~1 km.
      await tx
        .update(orders)
        .set({
          deliveryAddress: sql`jsonb_build_object(
            'line1', 'erased', 'city', ${orders.deliveryAddress}->>'city', 'postcode', 'erased',
            'lat', round((${orders.deliveryAddress}->>'lat')::numeric, 2)::float8,
            'lng', round((${orders.deliveryAddress}->>'lng')::numeric, 2)::float8)`,
        })
        .where(eq(orders.customerId, userId));
      await tx
        .update(users)
        .set({
          email: erasedEmail(userId),
          name: ERASED_NAME,
          phone: null,
          passwordHash: null,
          oidcIssuer: null,
          oidcSubject: null,
          deactivatedAt: new Date(),
          erasedAt: new Date(),
        })
        .where(eq(users.id, userId));
    });
    await revokeAllSessions(c.env, userId);
    return c.body(null, 204);
  });

  registerAccountAddressRoutes(app);
}
