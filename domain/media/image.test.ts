import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { checkVariant, pickWidth, sniffImage } from "./image.ts";

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A complete, valid PNG (grey pixels), the way any encoder would write it. */
function png(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const raw = new Uint8Array(height * (width + 1)).fill(128);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** JPEG header: SOI, an APP0 (JFIF) segment, then SOF2 (progressive) with the size. */
function jpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0];
  const sof = [
    0xff,
    0xc2,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xda, 0, 2, 0xff, 0xd9]);
}

function webpVp8x(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set(new TextEncoder().encode("WEBPVP8X"), 8);
  const w = width - 1;
  const h = height - 1;
  b.set([w & 255, (w >> 8) & 255, (w >> 16) & 255, h & 255, (h >> 8) & 255, (h >> 16) & 255], 24);
  return b;
}

function webpLossless(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set(new TextEncoder().encode("WEBPVP8L"), 8);
  b[20] = 0x2f;
  const bits = (width - 1) | ((height - 1) << 14);
  b.set([bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255], 21);
  return b;
}

function webpLossy(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set(new TextEncoder().encode("WEBPVP8 "), 8);
  b.set([0x9d, 0x01, 0x2a, width & 255, width >> 8, height & 255, height >> 8], 23);
  return b;
}

describe("sniffImage", () => {
  it("reads type and size from JPEG, PNG and each kind of WebP header", () => {
    expect(sniffImage(png(7, 5))).toEqual({ type: "image/png", width: 7, height: 5 });
    expect(sniffImage(jpeg(960, 640))).toEqual({ type: "image/jpeg", width: 960, height: 640 });
    expect(sniffImage(webpVp8x(480, 360))).toEqual({ type: "image/webp", width: 480, height: 360 });
    expect(sniffImage(webpLossless(160, 120))).toEqual({ type: "image/webp", width: 160, height: 120 });
    expect(sniffImage(webpLossy(300, 200))).toEqual({ type: "image/webp", width: 300, height: 200 });
  });

  it("refuses what only pretends to be an image", () => {
    expect(sniffImage(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(sniffImage(new TextEncoder().encode("GIF89a......"))).toBeNull();
    expect(sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
    expect(sniffImage(png(7, 5).subarray(0, 20))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});

describe("checkVariant", () => {
  it("accepts an image no wider than its slot, including a narrower original", () => {
    expect(checkVariant(480, webpVp8x(480, 320), "w480")).toEqual({
      info: { type: "image/webp", width: 480, height: 320 },
    });
    expect("info" in checkVariant(960, jpeg(700, 500), "w960")).toBe(true);
  });

  it("names what is wrong with each refused file", () => {
    const code = (r: ReturnType<typeof checkVariant>) => ("issue" in r ? r.issue.code : "ok");
    expect(code(checkVariant(480, webpVp8x(960, 640), "w480"))).toBe("too_wide");
    expect(code(checkVariant(500, webpVp8x(480, 320), "w500"))).toBe("unknown_width");
    expect(code(checkVariant(480, new TextEncoder().encode("hello"), "w480"))).toBe("not_an_image");
    expect(code(checkVariant(480, webpVp8x(480, 40), "w480"))).toBe("odd_shape");
    expect(code(checkVariant(960, new Uint8Array(1_600_000), "w960"))).toBe("too_large");
  });
});

describe("pickWidth", () => {
  it("serves the smallest stored width at least as wide as asked, else the widest", () => {
    expect(pickWidth([960, 160, 480], 200)).toBe(480);
    expect(pickWidth([160, 480, 960], 480)).toBe(480);
    expect(pickWidth([160, 480], 2000)).toBe(480);
    expect(pickWidth([160, 480, 960], undefined)).toBe(960);
    expect(pickWidth([], 100)).toBeNull();
  });
});
