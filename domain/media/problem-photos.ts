// Photos a customer attaches to a problem report (decision 51): up to three
// per report, each a JPEG, PNG or WebP (what its bytes say, not what the
// request claims) of at most 2 MiB, stored in the delivery-evidence bucket
// under the order, named by content so a retried upload is the same object.
import { extensionOf, type ImageType, sniffImage } from "./image.ts";

export const MAX_PROBLEM_PHOTOS = 3;
export const MAX_PROBLEM_PHOTO_BYTES = 2 * 1024 * 1024;
/** Uploads an order may hold in all: a few reports' worth, so a client cannot fill the bucket. */
export const MAX_PROBLEM_PHOTOS_PER_ORDER = 9;
export const PROBLEM_PHOTO_TYPES: readonly ImageType[] = ["image/jpeg", "image/png", "image/webp"];

export type PhotoCheck =
  | { ok: true; type: ImageType }
  | { ok: false; status: 413 | 415 | 422; code: string; message: string };

/** What the request says it sends, and what the bytes are: both must be one of the three types, and agree. */
export function checkProblemPhoto(declared: string | undefined, bytes: Uint8Array): PhotoCheck {
  const type = (declared ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!(PROBLEM_PHOTO_TYPES as readonly string[]).includes(type)) {
    return { ok: false, status: 415, code: "unsupported_media_type", message: "Send a JPEG, PNG or WebP photo." };
  }
  if (bytes.byteLength > MAX_PROBLEM_PHOTO_BYTES) {
    return { ok: false, status: 413, code: "body_too_large", message: "A photo is at most 2 MiB." };
  }
  const info = sniffImage(bytes);
  if (!info || info.type !== type) {
    return { ok: false, status: 422, code: "not_an_image", message: `The file is not a ${type} image.` };
  }
  return { ok: true, type: info.type };
}

export const problemPhotoPrefix = (orderId: string) => `problem-reports/${orderId}/`;

export function problemPhotoKey(orderId: string, sha256Hex: string, type: ImageType): string {
  return `${problemPhotoPrefix(orderId)}${sha256Hex}.${extensionOf(type)}`;
}

const NAME = /^[0-9a-f]{64}\.(jpg|png|webp)$/;

/** A key this order's upload could have produced; anything else in a report is refused. */
export function isProblemPhotoKeyOf(orderId: string, key: string): boolean {
  const prefix = problemPhotoPrefix(orderId);
  return key.startsWith(prefix) && NAME.test(key.slice(prefix.length));
}

export function isProblemPhotoName(name: string): boolean {
  return NAME.test(name);
}
