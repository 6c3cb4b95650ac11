// Operators register couriers (vehicle, phone, home delivery area, whether
// their documents were checked) and give them a link to choose a password.
// Nobody is activated without checked documents; an active courier is one
// who may open a courier socket. Taking a courier off duty cuts their app
// off at once.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import { couriers, deliveryAreas, users, vehicleType } from "../../../db/schema.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { findAccountByEmail, issueInvitation } from "../back-office/accounts.ts";
import { disconnectCourier } from "../back-office/courier-presence.ts";
import { IssuedInvitation } from "../back-office/schemas.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, urlNumber } from "../http/openapi.ts";
import { Email } from "./auth.ts";

const Uuid = z.string().uuid();
const Vehicle = z.enum(vehicleType.enumValues);
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{6,20}$/, "A phone number, e.g. +351 912 345 678.");

const ManagedCourier = z
  .object({
    id: Uuid,
    email: z.string(),
    name: z.string(),
    phone: z.string(),
    vehicle: Vehicle,
    documentsChecked: z.boolean(),
    active: z.boolean(),
    homeDeliveryAreaId: Uuid.nullable(),
    deactivatedAt: z.string().nullable(),
    invited: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("ManagedCourier");

const NewCourier = z
  .strictObject({
    email: Email,
    name: z.string().trim().min(1).max(100),
    phone: Phone,
    vehicle: Vehicle,
    documentsChecked: z.boolean().default(false),
    active: z.boolean().optional().openapi({ description: "Default: true when the documents were checked." }),
    homeDeliveryAreaId: Uuid.nullable().default(null),
  })
  .openapi("NewCourier");

const CourierChanges = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    phone: Phone.optional(),
    vehicle: Vehicle.optional(),
    documentsChecked: z.boolean().optional(),
    active: z.boolean().optional(),
    homeDeliveryAreaId: Uuid.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "Send at least one field to change." })
  .openapi("CourierChanges");

const courierParams = z.object({ id: Uuid });

const listCouriers = createRoute({
  method: "get",
  path: "/v1/admin/couriers",
  operationId: "listManagedCouriers",
  tags: ["admin"],
  summary: "Registered couriers",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional(),
      active: z.enum(["true", "false"]).optional(),
      limit: urlNumber({ min: 1, max: 200, int: true }).default(50),
      offset: urlNumber({ min: 0, max: 100_000, int: true }).default(0),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ couriers: z.array(ManagedCourier), total: z.number().int() }), "Couriers"),
    ...errorResponses(400, 401, 403),
  },
});

const getCourier = createRoute({
  method: "get",
  path: "/v1/admin/couriers/{id}",
  operationId: "getManagedCourier",
  tags: ["admin"],
  summary: "One courier",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: courierParams },
  responses: { 200: jsonResponse(ManagedCourier, "The courier"), ...errorResponses(400, 401, 403, 404) },
});

const createCourier = createRoute({
  method: "post",
  path: "/v1/admin/couriers",
  operationId: "registerCourier",
  tags: ["admin"],
  summary: "Register a courier; they get an invitation link to choose a password",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(NewCourier),
  responses: {
    201: jsonResponse(z.object({ courier: ManagedCourier, invitation: IssuedInvitation }), "Registered"),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

const updateCourier = createRoute({
  method: "patch",
  path: "/v1/admin/couriers/{id}",
  operationId: "updateManagedCourier",
  tags: ["admin"],
  summary: "Change a courier's details, documents check or activity (inactive: cut off at once)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: courierParams, ...jsonBody(CourierChanges) },
  responses: { 200: jsonResponse(ManagedCourier, "The courier as saved"), ...errorResponses(400, 401, 403, 404, 422) },
});

const courierColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  phone: couriers.phone,
  vehicle: couriers.vehicle,
  documentsChecked: couriers.documentsChecked,
  active: couriers.active,
  homeDeliveryAreaId: couriers.homeZoneId,
  deactivatedAt: users.deactivatedAt,
  invited: sql<boolean>`(${users.passwordHash} is null and ${users.oidcSubject} is null)`,
  createdAt: couriers.createdAt,
};

interface CourierRow {
  id: string;
  email: string;
  name: string;
  phone: string;
  vehicle: (typeof vehicleType.enumValues)[number];
  documentsChecked: boolean;
  active: boolean;
  homeDeliveryAreaId: string | null;
  deactivatedAt: Date | null;
  invited: boolean;
  createdAt: Date;
}

function out(row: CourierRow) {
  return {
    ...row,
    invited: Boolean(row.invited),
    deactivatedAt: row.deactivatedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

async function findCourier(c: AppContext, id: string): Promise<CourierRow | undefined> {
  const [row] = await c.var.db
    .select(courierColumns)
    .from(couriers)
    .innerJoin(users, eq(users.id, couriers.userId))
    .where(eq(couriers.userId, id))
    .limit(1);
  return row;
}

const notFound = () => new ApiError(404, "courier_not_found", "No courier has this id.");

function refuseUnchecked(active: boolean, documentsChecked: boolean): void {
  if (active && !documentsChecked) {
    throw new ApiError(422, "documents_not_checked", "Check the courier's documents before activating them.");
  }
}

async function checkArea(c: AppContext, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [row] = await c.var.db
    .select({ id: deliveryAreas.id })
    .from(deliveryAreas)
    .where(eq(deliveryAreas.id, id))
    .limit(1);
  if (!row) throw new ApiError(404, "delivery_area_not_found", "No delivery area has this id.");
}

export function registerOnboardingCourierRoutes(app: App): void {
  app.openapi(listCouriers, async (c) => {
    const q = c.req.valid("query");
    const filters: SQL[] = [];
    if (q.q) {
      const pattern = `%${q.q.replace(/[\\%_]/g, "\\$&")}%`;
      filters.push(or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(couriers.phone, pattern)) as SQL);
    }
    if (q.active === "true") filters.push(and(eq(couriers.active, true), isNull(users.deactivatedAt)) as SQL);
    if (q.active === "false") filters.push(sql`(${couriers.active} = false or ${users.deactivatedAt} is not null)`);
    const where = filters.length > 0 ? and(...filters) : undefined;
    const [rows, [count]] = await Promise.all([
      c.var.db
        .select(courierColumns)
        .from(couriers)
        .innerJoin(users, eq(users.id, couriers.userId))
        .where(where)
        .orderBy(asc(users.name))
        .limit(q.limit)
        .offset(q.offset),
      c.var.db
        .select({ n: sql<number>`count(*)::int` })
        .from(couriers)
        .innerJoin(users, eq(users.id, couriers.userId))
        .where(where),
    ]);
    return c.json({ couriers: rows.map(out), total: count?.n ?? 0 }, 200);
  });

  app.openapi(getCourier, async (c) => {
    const row = await findCourier(c, c.req.valid("param").id);
    if (!row) throw notFound();
    return c.json(out(row), 200);
  });

  app.openapi(createCourier, async (c) => {
    const body = c.req.valid("json");
    const active = body.active ?? body.documentsChecked;
    refuseUnchecked(active, body.documentsChecked);
    await checkArea(c, body.homeDeliveryAreaId);
    const admin = principalOf(c);
    const { id, invitation } = await c.var.db.transaction(async (tx) => {
      if (await findAccountByEmail(tx, body.email)) {
        throw new ApiError(409, "email_taken", "An account with this e-mail already exists.");
      }
      const [user] = await tx
        .insert(users)
        .values({ email: body.email, name: body.name, role: "courier" })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!user) throw new ApiError(409, "email_taken", "An account with this e-mail already exists.");
      await tx.insert(couriers).values({
        userId: user.id,
        phone: body.phone,
        vehicle: body.vehicle,
        documentsChecked: body.documentsChecked,
        active,
        homeZoneId: body.homeDeliveryAreaId,
      });
      const issued = await issueInvitation(tx, user.id, admin.userId);
      await audit(c, tx, {
        action: "courier.register",
        entityType: "user",
        entityId: user.id,
        after: { ...body, active },
      });
      return { id: user.id, invitation: issued };
    });
    const row = await findCourier(c, id);
    if (!row) throw notFound();
    c.header("location", `/v1/admin/couriers/${id}`);
    return c.json({ courier: out(row), invitation }, 201);
  });

  app.openapi(updateCourier, async (c) => {
    const { id } = c.req.valid("param");
    const changes = c.req.valid("json");
    await checkArea(c, changes.homeDeliveryAreaId);
    const { before, after } = await c.var.db.transaction(async (tx) => {
      const [current] = await tx
        .select(courierColumns)
        .from(couriers)
        .innerJoin(users, eq(users.id, couriers.userId))
        .where(eq(couriers.userId, id))
        .for("update", { of: couriers })
        .limit(1);
      if (!current) throw notFound();
      const next = { ...current, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
      refuseUnchecked(next.active, next.documentsChecked);
      const courierSet = {
        ...(changes.phone !== undefined && { phone: changes.phone }),
        ...(changes.vehicle !== undefined && { vehicle: changes.vehicle }),
        ...(changes.documentsChecked !== undefined && { documentsChecked: changes.documentsChecked }),
        ...(changes.active !== undefined && { active: changes.active }),
        ...(changes.homeDeliveryAreaId !== undefined && { homeZoneId: changes.homeDeliveryAreaId }),
      };
      if (Object.keys(courierSet).length > 0) await tx.update(couriers).set(courierSet).where(eq(couriers.userId, id));
      if (changes.name !== undefined) await tx.update(users).set({ name: changes.name }).where(eq(users.id, id));
      const { invited: _i, createdAt: _c, deactivatedAt: _d, ...auditedBefore } = current;
      const { invited: _i2, createdAt: _c2, deactivatedAt: _d2, ...auditedAfter } = next as CourierRow;
      await auditUpdate(c, tx, {
        action: "courier.update",
        entityType: "user",
        entityId: id,
        before: auditedBefore,
        after: auditedAfter,
      });
      return { before: current, after: next as CourierRow };
    });
    if (before.active && !after.active) {
      await disconnectCourier(c.env, c.var.db, id, "An operator took you off duty.");
    }
    return c.json(out(after), 200);
  });
}
