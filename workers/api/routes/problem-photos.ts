// Photos on a problem report (decision 51): the customer uploads each photo
// on its own (the same raw-body upload as a courier's photo of the door),
// gets a key back, and names up to three keys in reportOrderProblem; the
// photos live in the delivery-evidence bucket under the order. Operators
// fetch them from the exceptions queue; nobody else reads them back.
import { createRoute, z } from "@hono/zod-openapi";
import {
  checkProblemPhoto,
  isProblemPhotoName,
  MAX_PROBLEM_PHOTO_BYTES,
  MAX_PROBLEM_PHOTOS_PER_ORDER,
  PROBLEM_PHOTO_TYPES,
  problemPhotoKey,
  problemPhotoPrefix,
} from "../../../domain/media/problem-photos.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "../http/openapi.ts";
import { orderStubFor, throwRefusal } from "./orders.ts";

export const PROBLEM_PHOTO_BYTES = MAX_PROBLEM_PHOTO_BYTES;
/** The route whose body may exceed the API's 64 KiB limit (app.ts). */
export const PROBLEM_PHOTO_PATH = /^\/v1\/orders\/[^/]+\/problem-photos$/;

const Uuid = z.string().uuid();

const uploadProblemPhoto = createRoute({
  method: "post",
  path: "/v1/orders/{id}/problem-photos",
  operationId: "uploadProblemPhoto",
  tags: ["orders"],
  summary: "A photo for a problem report (JPEG, PNG or WebP, at most 2 MiB); pass its key in reportOrderProblem",
  description:
    "Send the image as the raw body with its own content type. The key names the content, so a retried upload returns the same key. An order holds at most 9 problem photos.",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: {
    params: z.object({ id: Uuid }),
    body: {
      content: Object.fromEntries(
        PROBLEM_PHOTO_TYPES.map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }]),
      ),
      required: true,
    },
  },
  responses: {
    201: jsonResponse(z.object({ photoKey: z.string() }).openapi("ProblemPhoto"), "Stored"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
  },
});

const getProblemPhoto = createRoute({
  method: "get",
  path: "/v1/admin/orders/{id}/problem-photos/{name}",
  operationId: "getProblemPhoto",
  tags: ["admin"],
  summary: "A photo the customer attached to a problem report (operators only)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: Uuid, name: z.string().max(80) }) },
  responses: {
    200: {
      description: "The image",
      content: Object.fromEntries(
        PROBLEM_PHOTO_TYPES.map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }]),
      ),
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

async function digestHex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function registerProblemPhotoRoutes(app: App): void {
  app.openapi(uploadProblemPhoto, async (c) => {
    const orderId = c.req.valid("param").id;
    // Whose order first: nobody else's upload is read or stored (404, as for no such order).
    const found = await orderStubFor(c.env, orderId).get(principalOf(c));
    if (!found.ok) throwRefusal(found);
    if (found.order.status === "placed") {
      throw new ApiError(409, "invalid_transition", "A problem can be reported once the order is paid.");
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0)
      throw validationError([{ path: "body", code: "empty", message: "The photo is empty." }]);
    const checked = checkProblemPhoto(c.req.header("content-type"), bytes);
    if (!checked.ok) throw new ApiError(checked.status, checked.code, checked.message);
    const photoKey = problemPhotoKey(orderId, await digestHex(bytes), checked.type);
    if ((await c.env.DELIVERY_EVIDENCE.head(photoKey)) === null) {
      const stored = await c.env.DELIVERY_EVIDENCE.list({
        prefix: problemPhotoPrefix(orderId),
        limit: MAX_PROBLEM_PHOTOS_PER_ORDER,
      });
      if (stored.objects.length >= MAX_PROBLEM_PHOTOS_PER_ORDER) {
        throw new ApiError(
          422,
          "too_many_photos",
          `An order holds at most ${MAX_PROBLEM_PHOTOS_PER_ORDER} problem photos.`,
        );
      }
      await c.env.DELIVERY_EVIDENCE.put(photoKey, bytes, {
        httpMetadata: { contentType: checked.type },
        customMetadata: { orderId, customerId: principalOf(c).userId, kind: "problem_report" },
      });
    }
    return c.json({ photoKey }, 201);
  });

  app.openapi(getProblemPhoto, async (c) => {
    const { id, name } = c.req.valid("param");
    if (!isProblemPhotoName(name)) throw new ApiError(404, "photo_not_found", "No such photo.");
    const object = await c.env.DELIVERY_EVIDENCE.get(`${problemPhotoPrefix(id)}${name}`);
    if (!object) throw new ApiError(404, "photo_not_found", "No such photo.");
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
        // Evidence about a person's order: never kept by a shared cache.
        "cache-control": "private, max-age=300",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
