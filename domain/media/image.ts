// Menu photos. The console resizes a photo in the browser and uploads a few
// fixed widths (decision: docs/decisions, "menu photos resized by the
// client"); the server never decodes pixels. It reads only each file's header
// to learn what it really is and how big, refuses anything that is not a
// JPEG, PNG or WebP of the width it claims, and later serves the stored width
// nearest to what a screen asks for.

export type ImageType = "image/jpeg" | "image/png" | "image/webp";

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
}

/** The widths a photo is stored in: list thumbnail, menu card, item detail. */
export const PHOTO_WIDTHS = [160, 480, 960] as const;
export type PhotoWidth = (typeof PHOTO_WIDTHS)[number];

export const MAX_VARIANT_BYTES = 1_536 * 1024;
export const MAX_UPLOAD_BYTES = 3 * 1024 * 1024;

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) => ((u16be(b, i) << 16) >>> 0) + u16be(b, i + 2);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

function jpegInfo(b: Uint8Array): ImageInfo | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const length = u16be(b, i + 2);
    if (length < 2) return null;
    // Start-of-frame markers carry the size; C4, C8 and CC share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = u16be(b, i + 5);
      const width = u16be(b, i + 7);
      return width > 0 && height > 0 ? { type: "image/jpeg", width, height } : null;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + length;
  }
  return null;
}

function pngInfo(b: Uint8Array): ImageInfo | null {
  if (b.length < 24 || ascii(b, 12, 4) !== "IHDR") return null;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  return width > 0 && height > 0 ? { type: "image/png", width, height } : null;
}

function webpInfo(b: Uint8Array): ImageInfo | null {
  if (b.length < 30) return null;
  const chunk = ascii(b, 12, 4);
  let width = 0;
  let height = 0;
  if (chunk === "VP8 ") {
    // Lossy: a key frame's start code, then 14-bit sizes.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    width = u16le(b, 26) & 0x3fff;
    height = u16le(b, 28) & 0x3fff;
  } else if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return null;
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === "VP8X") {
    width = u24le(b, 24) + 1;
    height = u24le(b, 27) + 1;
  } else {
    return null;
  }
  return width > 0 && height > 0 ? { type: "image/webp", width, height } : null;
}

/** What the bytes really are, from their header alone; null for anything but a JPEG, PNG or WebP. */
export function sniffImage(bytes: Uint8Array): ImageInfo | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegInfo(bytes);
  if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return pngInfo(bytes);
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return webpInfo(bytes);
  return null;
}

export interface VariantIssue {
  path: string;
  code: "not_an_image" | "too_wide" | "too_large" | "odd_shape" | "unknown_width";
  message: string;
}

export function isPhotoWidth(width: number): width is PhotoWidth {
  return (PHOTO_WIDTHS as readonly number[]).includes(width);
}

/**
 * One uploaded width: a real image no wider than its slot (a small original
 * may be narrower), not absurdly tall, within the byte limit.
 */
export function checkVariant(
  width: number,
  bytes: Uint8Array,
  path: string,
): { info: ImageInfo } | { issue: VariantIssue } {
  if (!isPhotoWidth(width)) {
    return { issue: { path, code: "unknown_width", message: `Photo widths are ${PHOTO_WIDTHS.join(", ")}.` } };
  }
  if (bytes.byteLength > MAX_VARIANT_BYTES) {
    return {
      issue: { path, code: "too_large", message: `Each photo file is at most ${MAX_VARIANT_BYTES / 1024} KiB.` },
    };
  }
  const info = sniffImage(bytes);
  if (!info) return { issue: { path, code: "not_an_image", message: "Upload a JPEG, PNG or WebP image." } };
  if (info.width > width) {
    return {
      issue: {
        path,
        code: "too_wide",
        message: `This file is ${info.width} px wide; the ${width} slot takes at most ${width}.`,
      },
    };
  }
  if (info.height > info.width * 3 || info.width > info.height * 3) {
    return {
      issue: {
        path,
        code: "odd_shape",
        message: "Photos must be no more than 3 times as wide as tall, or tall as wide.",
      },
    };
  }
  return { info };
}

/** The stored width to serve for a request: the smallest that is at least as wide, else the widest. */
export function pickWidth(stored: readonly number[], requested: number | undefined): number | null {
  const sorted = [...stored].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  if (requested === undefined) return sorted.at(-1) ?? null;
  return sorted.find((w) => w >= requested) ?? sorted.at(-1) ?? null;
}

export function extensionOf(type: ImageType): string {
  return type === "image/jpeg" ? "jpg" : type === "image/png" ? "png" : "webp";
}
