// The check a problem report's photos pass before the report reaches the
// order's object: each key is one this order's upload produced, still stored.
import { z } from "@hono/zod-openapi";
import { isProblemPhotoKeyOf, MAX_PROBLEM_PHOTOS } from "../../../domain/media/problem-photos.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";

/** The report's photos: keys from uploadProblemPhoto. */
export const ProblemPhotoKeys = z
  .array(z.string().max(200))
  .max(MAX_PROBLEM_PHOTOS)
  .optional()
  .openapi({ description: "Keys from uploadProblemPhoto, at most 3." });

export async function assertProblemPhotosStored(c: AppContext, orderId: string, keys: readonly string[]) {
  for (const key of keys) {
    if (!isProblemPhotoKeyOf(orderId, key) || (await c.env.DELIVERY_EVIDENCE.head(key)) === null) {
      throw new ApiError(422, "photo_not_found", "Upload each photo for this order first (POST …/problem-photos).");
    }
  }
}
