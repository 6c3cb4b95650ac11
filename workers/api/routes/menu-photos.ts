// Menu photos: staff upload a photo in up to three widths (the console
// resizes it in the browser; docs/decisions: menu photos resized by the
// client), stored in R2 under a content-addressed id; anyone fetches the
// width nearest to what their screen needs, cached for a year at the edge
// since a photo id never changes content.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { type MenuPhoto, menuItems, restaurants } from "../../../db/schema.ts";
import {
  checkVariant,
  type ImageInfo,
  MAX_UPLOAD_BYTES,
  PHOTO_WIDTHS,
  pickWidth,
  type VariantIssue,
} from "../../../domain/media/image.ts";
import { sha256Hex } from "../../../domain/order/order-id.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonResponse, urlNumber } from "../http/openapi.ts";
import { afterCommit, assertRestaurantEditor, bumpMenuVersion } from "../restaurants/editing.ts";
import { itemNotFound, loadManagedItem } from "../restaurants/menu-store.ts";
import { MenuChange, MenuItemOut, Uuid } from "../restaurants/schemas.ts";

/** The photo upload may be this large; every other body keeps the API's 64 KiB limit. */
export const PHOTO_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;
export const PHOTO_UPLOAD_PATH = /^\/v1\/restaurants\/[^/]+\/menu\/items\/[^/]+\/photo$/;

const PhotoId = z.string().regex(/^[0-9a-f]{64}$/, "A photo id is 64 hex digits.");

const PhotoUpload = z
  .object(
    Object.fromEntries(
      PHOTO_WIDTHS.map((w) => [
        `w${w}`,
        z
          .any()
          .optional()
          .openapi({ type: "string", format: "binary", description: `The photo at most ${w} px wide.` }),
      ]),
    ),
  )
  .openapi("MenuPhotoUpload");

const uploadPhoto = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/menu/items/{itemId}/photo",
  operationId: "uploadMenuItemPhoto",
  tags: ["menu editor"],
  summary: "Set an item's photo: multipart parts w160, w480, w960 (JPEG, PNG or WebP, each at most that wide)",
  description:
    "At least one part. The console sends all three, resized in the browser; any subset works and each request is served the nearest width. The same files give the same photo id, so a retried upload changes nothing. At most 1.5 MiB per part, 3 MiB in all.",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")],
  request: {
    params: z.object({ id: Uuid, itemId: Uuid }),
    body: { content: { "multipart/form-data": { schema: PhotoUpload } }, required: true },
  },
  responses: {
    200: jsonResponse(MenuChange(MenuItemOut), "The item with its photo, and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 413, 429),
  },
});

const removePhoto = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/menu/items/{itemId}/photo",
  operationId: "deleteMenuItemPhoto",
  tags: ["menu editor"],
  summary: "Remove an item's photo (new menu version)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")],
  request: { params: z.object({ id: Uuid, itemId: Uuid }) },
  responses: {
    200: jsonResponse(MenuChange(MenuItemOut), "The item without a photo, and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const getPhoto = createRoute({
  method: "get",
  path: "/v1/media/menu/{restaurantId}/{photoId}",
  operationId: "getMenuPhoto",
  tags: ["discovery"],
  security: [],
  summary: "A menu photo in the stored width nearest to `w` (the smallest at least as wide, else the widest)",
  request: {
    params: z.object({ restaurantId: Uuid, photoId: PhotoId }),
    query: z.object({ w: urlNumber({ min: 1, max: 4096, int: true }).optional() }),
  },
  responses: {
    200: {
      description: "The image; cached for a year (a photo id never changes content)",
      content: { "image/webp": { schema: z.string().openapi({ format: "binary" }) } },
    },
    304: { description: "Not modified" },
    ...errorResponses(400, 404),
  },
});

const keyOf = (restaurantId: string, photoId: string, width: number) => `menu/${restaurantId}/${photoId}/${width}`;

interface Variant {
  width: number;
  bytes: Uint8Array;
  info: ImageInfo;
}

async function readVariants(c: AppContext): Promise<Variant[]> {
  let form: FormData;
  try {
    // Hono keeps the parsed body, so this reads what the route's validator already parsed.
    form = await c.req.formData();
  } catch {
    throw new ApiError(400, "malformed_upload", "Send the photo as multipart/form-data with parts w160, w480, w960.");
  }
  const issues: VariantIssue[] = [];
  const variants: Variant[] = [];
  let total = 0;
  for (const [name, value] of form.entries()) {
    const width = /^w(\d+)$/.exec(name)?.[1];
    if (!width || typeof value === "string") {
      issues.push({
        path: name,
        code: "unknown_width",
        message: `Unexpected part; send files named ${PHOTO_WIDTHS.map((w) => `w${w}`).join(", ")}.`,
      });
      continue;
    }
    const bytes = new Uint8Array(await value.arrayBuffer());
    total += bytes.byteLength;
    const checked = checkVariant(Number(width), bytes, name);
    if ("issue" in checked) issues.push(checked.issue);
    else variants.push({ width: Number(width), bytes, info: checked.info });
  }
  if (total > MAX_UPLOAD_BYTES) {
    throw new ApiError(413, "body_too_large", `A photo upload is at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB.`);
  }
  if (issues.length > 0) throw validationError(issues, "Some photo files cannot be used.");
  if (variants.length === 0) {
    throw validationError([{ path: "w960", code: "required", message: "Send at least one photo file." }]);
  }
  return variants.sort((a, b) => a.width - b.width);
}

async function deletePhotoObjects(c: AppContext, restaurantId: string, photo: MenuPhoto | null): Promise<void> {
  if (!photo) return;
  try {
    await c.env.MENU_PHOTOS.delete(photo.widths.map((w) => keyOf(restaurantId, photo.id, w)));
  } catch (err) {
    log(c, "warn", "menu.photo_delete_failed", { restaurantId, photoId: photo.id, error: String(err) });
  }
}

export function registerMenuPhotoRoutes(app: App): void {
  app.openapi(uploadPhoto, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const variants = await readVariants(c);
    const digests = await Promise.all(variants.map((v) => crypto.subtle.digest("SHA-256", v.bytes)));
    const photoId = await sha256Hex(
      variants.map((v, i) => `${v.width}:${[...new Uint8Array(digests[i] as ArrayBuffer)].join(",")}`).join("|"),
    );
    // Objects first: a photo the menu names always exists. Same id, same bytes: a retry rewrites the same objects.
    await Promise.all(
      variants.map((v) =>
        c.env.MENU_PHOTOS.put(keyOf(id, photoId, v.width), v.bytes, {
          httpMetadata: { contentType: v.info.type, cacheControl: "public, max-age=31536000, immutable" },
        }),
      ),
    );
    const largest = variants.at(-1) as Variant;
    const photo: MenuPhoto = {
      id: photoId,
      widths: variants.map((v) => v.width),
      types: Object.fromEntries(variants.map((v) => [String(v.width), v.info.type])),
      width: largest.info.width,
      height: largest.info.height,
    };
    const { result, previous } = await c.var.db.transaction(async (tx) => {
      const [before] = await tx
        .select({ photo: menuItems.photo })
        .from(menuItems)
        .where(and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id)))
        .limit(1);
      if (!before) throw itemNotFound();
      if (before.photo?.id === photoId) {
        // The same photo again: nothing changes, so no new menu version.
        const [current] = await tx
          .select({ menuVersion: restaurants.menuVersion })
          .from(restaurants)
          .where(eq(restaurants.id, id));
        return {
          result: { menuVersion: current?.menuVersion ?? 0, item: await loadManagedItem(tx, id, itemId) },
          previous: undefined,
        };
      }
      const { menuVersion } = await bumpMenuVersion(tx, id);
      await tx.update(menuItems).set({ photo }).where(eq(menuItems.id, itemId));
      return { result: { menuVersion, item: await loadManagedItem(tx, id, itemId) }, previous: before.photo };
    });
    if (previous !== undefined) {
      await afterCommit(c, id);
      await deletePhotoObjects(c, id, previous);
    }
    return c.json(result, 200);
  });

  app.openapi(removePhoto, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { result, previous } = await c.var.db.transaction(async (tx) => {
      const [before] = await tx
        .select({ photo: menuItems.photo })
        .from(menuItems)
        .where(and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id)))
        .limit(1);
      if (!before) throw itemNotFound();
      const { menuVersion } = await bumpMenuVersion(tx, id);
      await tx.update(menuItems).set({ photo: null }).where(eq(menuItems.id, itemId));
      return { result: { menuVersion, item: await loadManagedItem(tx, id, itemId) }, previous: before.photo };
    });
    await afterCommit(c, id);
    await deletePhotoObjects(c, id, previous);
    return c.json(result, 200);
  });

  app.openapi(getPhoto, async (c) => {
    const { restaurantId, photoId } = c.req.valid("param");
    const { w } = c.req.valid("query");
    const etagFor = (width: number) => `"${photoId}-${width}"`;
    const cacheKey = new Request(new URL(`/v1/media/menu/${restaurantId}/${photoId}?w=${w ?? "max"}`, c.req.url));
    const cache = (globalThis as { caches?: { default?: Cache } }).caches?.default;
    const hit = await cache?.match(cacheKey);
    if (hit) {
      if (c.req.header("if-none-match") === hit.headers.get("etag")) return c.body(null, 304);
      return hit;
    }
    const listed = await c.env.MENU_PHOTOS.list({ prefix: `menu/${restaurantId}/${photoId}/` });
    const widths = listed.objects.map((o) => Number(o.key.split("/").at(-1))).filter(Number.isFinite);
    const width = pickWidth(widths, w);
    const object = width === null ? null : await c.env.MENU_PHOTOS.get(keyOf(restaurantId, photoId, width));
    if (!object || width === null) throw new ApiError(404, "photo_not_found", "No menu photo has this id.");
    const headers = new Headers({
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "cache-control": "public, max-age=31536000, immutable",
      etag: etagFor(width),
      "x-photo-width": String(width),
      "x-content-type-options": "nosniff",
    });
    const bytes = await object.arrayBuffer();
    const response = new Response(bytes, { status: 200, headers });
    if (cache) c.executionCtx.waitUntil(cache.put(cacheKey, response.clone()));
    if (c.req.header("if-none-match") === etagFor(width)) return c.body(null, 304);
    return response;
  });
}
