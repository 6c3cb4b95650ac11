// The check a problem report's photos pass before the report reaches the
// order's object: each key is one this order's upload produced, still stored.
import { isProblemPhotoKeyOf } from "../../../domain/media/problem-photos.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";

export async function assertProblemPhotosStored(c: AppContext, orderId: string, keys: readonly string[]) {
  for (const key of keys) {
    if (!isProblemPhotoKeyOf(orderId, key) || (await c.env.DELIVERY_EVIDENCE.head(key)) === null) {
      throw new ApiError(422, "photo_not_found", "Upload each photo for this order first (POST …/problem-photos).");
    }
  }
}
