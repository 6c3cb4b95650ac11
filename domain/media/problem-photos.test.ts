import { describe, expect, it } from "vitest";
import { checkProblemPhoto, isProblemPhotoKeyOf, MAX_PROBLEM_PHOTO_BYTES, problemPhotoKey } from "./problem-photos.ts";

const PNG_1PX = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const ORDER = "6f1d2c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f";

describe("checkProblemPhoto", () => {
  it("takes a real PNG sent as one", () => {
    expect(checkProblemPhoto("image/png", PNG_1PX)).toEqual({ ok: true, type: "image/png" });
  });

  it("refuses another type, a body that is not what it claims, and one too large", () => {
    expect(checkProblemPhoto("image/gif", PNG_1PX)).toMatchObject({ ok: false, status: 415 });
    expect(checkProblemPhoto(undefined, PNG_1PX)).toMatchObject({ ok: false, status: 415 });
    expect(checkProblemPhoto("image/jpeg", PNG_1PX)).toMatchObject({ ok: false, status: 422, code: "not_an_image" });
    expect(checkProblemPhoto("image/png", new TextEncoder().encode("hello"))).toMatchObject({ ok: false, status: 422 });
    const big = new Uint8Array(MAX_PROBLEM_PHOTO_BYTES + 1);
    big.set(PNG_1PX);
    expect(checkProblemPhoto("image/png", big)).toMatchObject({ ok: false, status: 413 });
  });
});

describe("keys", () => {
  it("accepts only this order's content-named keys", () => {
    const key = problemPhotoKey(ORDER, "a".repeat(64), "image/webp");
    expect(key).toBe(`problem-reports/${ORDER}/${"a".repeat(64)}.webp`);
    expect(isProblemPhotoKeyOf(ORDER, key)).toBe(true);
    expect(isProblemPhotoKeyOf("11111111-2222-4333-8444-555555555555", key)).toBe(false);
    expect(isProblemPhotoKeyOf(ORDER, `problem-reports/${ORDER}/../x.png`)).toBe(false);
    expect(isProblemPhotoKeyOf(ORDER, `failed-deliveries/${ORDER}/${"a".repeat(64)}.png`)).toBe(false);
  });
});
