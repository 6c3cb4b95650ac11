// The check a problem report's photos pass before the report reaches the
// order's object: each key is one this order's upload produced, still stored.
import { z } from "@hono/zod-openapi";
import { isProblemPhotoKeyOf, MAX_PROBLEM_PHOTOS, problemPhotoPrefix } from "../../../domain/media/problem-photos.ts";
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

/**
 * Erases the photos a customer attached to problem reports on these orders
 * (their account is being deleted; decision 20). Runs before the account's
 * rows are erased so a failure leaves the account intact and the request can
 * simply be repeated: R2 deletes are idempotent.
 */
export async function eraseProblemPhotos(bucket: R2Bucket, orderIds: readonly string[]): Promise<number> {
  let erased = 0;
  for (const orderId of orderIds) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: problemPhotoPrefix(orderId), cursor });
      const keys = page.objects.map((o) => o.key);
      if (keys.length > 0) await bucket.delete(keys);
      erased += keys.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return erased;
}
