// A customer's saved delivery addresses. Each is theirs alone: another
// customer's address id answers 404 exactly like one that does not exist.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, eq } from "drizzle-orm";
import { customerAddresses } from "../../../db/schema.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";

/** Enough for home, work and a few friends; a bound so one account cannot fill a table. */
export const MAX_SAVED_ADDRESSES = 30;

const Uuid = z.string().uuid();

const AddressFields = {
  label: z.string().trim().min(1).max(40).openapi({ example: "Home" }),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postcode: z.string().trim().min(1).max(20),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  instructions: z.string().trim().max(500).optional(),
};

const NewAddress = z.strictObject(AddressFields).openapi("NewSavedAddress");
const AddressPatch = z
  .strictObject({
    ...AddressFields,
    // null clears an optional line.
    line2: AddressFields.line2.unwrap().nullable().optional(),
    instructions: AddressFields.instructions.unwrap().nullable().optional(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: "Change at least one field." })
  .openapi("SavedAddressPatch");

export const SavedAddress = z
  .object({
    id: Uuid,
    label: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    postcode: z.string(),
    lat: z.number(),
    lng: z.number(),
    instructions: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SavedAddress");

const params = z.object({ id: Uuid });

const listAddresses = createRoute({
  method: "get",
  path: "/v1/me/addresses",
  operationId: "listMyAddresses",
  tags: ["account"],
  summary: "The signed-in customer's saved delivery addresses, oldest first",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  responses: {
    200: jsonResponse(z.object({ addresses: z.array(SavedAddress) }), "Saved addresses"),
    ...errorResponses(401, 403),
  },
});

const createAddress = createRoute({
  method: "post",
  path: "/v1/me/addresses",
  operationId: "createMyAddress",
  tags: ["account"],
  summary: `Save a delivery address (at most ${MAX_SAVED_ADDRESSES})`,
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: jsonBody(NewAddress),
  responses: { 201: jsonResponse(SavedAddress, "Saved"), ...errorResponses(400, 401, 403, 409) },
});

const updateAddress = createRoute({
  method: "patch",
  path: "/v1/me/addresses/{id}",
  operationId: "updateMyAddress",
  tags: ["account"],
  summary: "Change a saved address (null clears line2 or instructions)",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { params, ...jsonBody(AddressPatch) },
  responses: { 200: jsonResponse(SavedAddress, "Changed"), ...errorResponses(400, 401, 403, 404) },
});

const deleteAddress = createRoute({
  method: "delete",
  path: "/v1/me/addresses/{id}",
  operationId: "deleteMyAddress",
  tags: ["account"],
  summary: "Forget a saved address",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { params },
  responses: { 204: { description: "Forgotten" }, ...errorResponses(400, 401, 403, 404) },
});

type Row = typeof customerAddresses.$inferSelect;

export function addressView(row: Row): z.infer<typeof SavedAddress> {
  return {
    id: row.id,
    label: row.label,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    postcode: row.postcode,
    lat: row.lat,
    lng: row.lng,
    instructions: row.instructions,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function notFound(): ApiError {
  return new ApiError(404, "address_not_found", "You have no saved address with this id.");
}

export function registerAccountAddressRoutes(app: App): void {
  app.openapi(listAddresses, async (c) => {
    const rows = await c.var.db
      .select()
      .from(customerAddresses)
      .where(eq(customerAddresses.userId, principalOf(c).userId))
      .orderBy(asc(customerAddresses.createdAt), asc(customerAddresses.id));
    return c.json({ addresses: rows.map(addressView) }, 200);
  });

  app.openapi(createAddress, async (c) => {
    const userId = principalOf(c).userId;
    const body = c.req.valid("json");
    const [held] = await c.var.db
      .select({ n: count() })
      .from(customerAddresses)
      .where(eq(customerAddresses.userId, userId));
    if ((held?.n ?? 0) >= MAX_SAVED_ADDRESSES) {
      throw new ApiError(
        409,
        "too_many_addresses",
        `You can save at most ${MAX_SAVED_ADDRESSES} addresses; delete one first.`,
      );
    }
    const [row] = await c.var.db
      .insert(customerAddresses)
      .values({ ...body, line2: body.line2 || null, instructions: body.instructions || null, userId })
      .returning();
    if (!row) throw new ApiError(409, "address_not_saved", "The address could not be saved; try again.");
    c.header("location", `/v1/me/addresses/${row.id}`);
    return c.json(addressView(row), 201);
  });

  app.openapi(updateAddress, async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const [row] = await c.var.db
      .update(customerAddresses)
      .set({
        ...patch,
        ...(patch.line2 !== undefined && { line2: patch.line2 || null }),
        ...(patch.instructions !== undefined && { instructions: patch.instructions || null }),
        updatedAt: new Date(),
      })
      .where(and(eq(customerAddresses.id, id), eq(customerAddresses.userId, principalOf(c).userId)))
      .returning();
    if (!row) throw notFound();
    return c.json(addressView(row), 200);
  });

  app.openapi(deleteAddress, async (c) => {
    const { id } = c.req.valid("param");
    const gone = await c.var.db
      .delete(customerAddresses)
      .where(and(eq(customerAddresses.id, id), eq(customerAddresses.userId, principalOf(c).userId)))
      .returning({ id: customerAddresses.id });
    if (gone.length === 0) throw notFound();
    return c.body(null, 204);
  });
}
