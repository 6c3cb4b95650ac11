// Photos on a problem report: the order's own customer uploads up to three
// JPEG, PNG or WebP photos, names them in the report, and operators read them
// back from the exceptions queue; wrong types, large files, someone else's
// order, too many photos and unknown keys are refused.
import { beforeAll, describe, expect, it } from "vitest";
import { createOperatorWorld, type OperatorWorld } from "../../test/operator-world.ts";
import { api, eventually } from "../../test/world.ts";

let ow: OperatorWorld;
let orderId: string;

const PNG_1PX = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
/** The same 1 px PNG with a different trailing byte: another photo, another key. */
const variant = (n: number) => Uint8Array.from([...PNG_1PX, n]);

beforeAll(async () => {
  ow = await createOperatorWorld({ lat: 40 + Math.random() * 2, lng: -8 + Math.random() * 2 });
  orderId = await ow.placePaidOrder();
}, 60_000);

function upload(bytes: Uint8Array, type = "image/png", token = ow.tokens.customer, id = orderId) {
  return api(`/v1/orders/${id}/problem-photos`, {
    method: "POST",
    token,
    headers: { "content-type": type },
    body: bytes,
  });
}

async function code(res: Response): Promise<[number, string]> {
  return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
}

const keyOf = async (res: Response) => {
  expect(res.status).toBe(201);
  return ((await res.json()) as { photoKey: string }).photoKey;
};

describe("problem photos", () => {
  it("stores photos with the report and shows them to operators only", async () => {
    const first = await keyOf(await upload(variant(1)));
    expect(await keyOf(await upload(variant(1)))).toBe(first);
    const second = await keyOf(await upload(variant(2)));
    const res = await api(`/v1/orders/${orderId}/problems`, {
      method: "POST",
      token: ow.tokens.customer,
      json: { problem: "damaged", note: "The box was crushed", photoKeys: [first, second] },
    });
    expect(res.status).toBe(200);
    const [open] = await eventually(async () => {
      const list = await api(`/v1/admin/exceptions?status=open&orderId=${orderId}`, { token: ow.tokens.admin });
      const { exceptions } = (await list.json()) as { exceptions: { details: { photoKeys?: string[] } }[] };
      return exceptions.length > 0 ? exceptions : null;
    });
    expect(open?.details.photoKeys).toEqual([first, second]);
    const name = first.split("/").at(-1) ?? "";
    const photo = await api(`/v1/admin/orders/${orderId}/problem-photos/${name}`, { token: ow.tokens.admin });
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(variant(1));
    for (const token of [ow.tokens.customer, ow.tokens.staff, ow.tokens.courier]) {
      expect((await api(`/v1/admin/orders/${orderId}/problem-photos/${name}`, { token })).status).toBe(403);
    }
  });

  it("refuses a wrong type, a body that is not an image, a large photo, and someone else's order", async () => {
    expect(await code(await upload(PNG_1PX, "image/gif"))).toEqual([415, "unsupported_media_type"]);
    expect(await code(await upload(new TextEncoder().encode("<svg/>"), "image/png"))).toEqual([422, "not_an_image"]);
    const big = new Uint8Array(2 * 1024 * 1024 + 1);
    big.set(PNG_1PX);
    expect((await upload(big)).status).toBe(413);
    expect(await code(await upload(variant(3), "image/png", ow.tokens.otherCustomer))).toEqual([
      404,
      "order_not_found",
    ]);
    expect((await upload(variant(3), "image/png", ow.tokens.staff)).status).toBe(403);
    expect((await upload(variant(3), "image/png", ow.tokens.courier)).status).toBe(403);
  });

  it("refuses more than three photos on a report, and keys it did not upload", async () => {
    const keys = [];
    for (const n of [4, 5, 6, 7]) keys.push(await keyOf(await upload(variant(n))));
    const tooMany = await api(`/v1/orders/${orderId}/problems`, {
      method: "POST",
      token: ow.tokens.customer,
      json: { problem: "damaged", photoKeys: keys },
    });
    expect(tooMany.status).toBe(400);
    const forged = await api(`/v1/orders/${orderId}/problems`, {
      method: "POST",
      token: ow.tokens.customer,
      json: { problem: "damaged", photoKeys: [`problem-reports/${orderId}/${"0".repeat(64)}.png`] },
    });
    expect(await code(forged)).toEqual([422, "photo_not_found"]);
  });
});
