// Menu photos through the API: staff upload the widths the console resized,
// R2 keeps them under a content-addressed id, anyone fetches the nearest
// width, cached for a year, and embeddable by the apps on other origins.
// Anything that is not a photo of the width it claims changes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { api, createWorld, signInAll, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

/** The bytes a PNG header needs to say its size; the server reads headers, never pixels. */
function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(45);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
  bytes.set([...new TextEncoder().encode("IHDR")], 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  bytes.set([0, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode("IEND")], 33);
  return bytes;
}

function upload(parts: Record<string, Uint8Array | string>, token = tokens.staff, itemId = world.itemId) {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([value], { type: "image/png" }), `${name}.png`);
  }
  return api(`/v1/restaurants/${world.restaurantId}/menu/items/${itemId}/photo`, { method: "PUT", token, body: form });
}

interface Photo {
  url: string;
  widths: number[];
  width: number;
  height: number;
}

async function publicPhoto(): Promise<Photo | null> {
  const res = await api(`/v1/restaurants/${world.restaurantId}/menu`, { headers: { "cache-control": "no-cache" } });
  const menu = (await res.json()) as { categories: Array<{ items: Array<{ id: string; photo: Photo | null }> }> };
  return menu.categories.flatMap((c) => c.items).find((i) => i.id === world.itemId)?.photo ?? null;
}

describe("menu photos", () => {
  it("stores the widths sent, shows the photo on the public menu, and serves the nearest width to any origin", async () => {
    const res = await upload({ w160: png(160, 120), w480: png(480, 360) });
    expect(res.status, await res.clone().text()).toBe(200);
    const saved = (await res.json()) as { menuVersion: number; item: { photo: Photo } };
    expect(saved.item.photo.widths).toEqual([160, 480]);
    expect([saved.item.photo.width, saved.item.photo.height]).toEqual([480, 360]);

    const photo = await publicPhoto();
    expect(photo?.url).toBe(saved.item.photo.url);
    for (const [asked, served] of [
      [100, 160],
      [300, 480],
      [2000, 480],
    ] as const) {
      const image = await api(`${photo?.url}?w=${asked}`, { headers: { origin: "https://console.example" } });
      expect(image.status).toBe(200);
      expect(image.headers.get("x-photo-width")).toBe(String(served));
      expect(image.headers.get("content-type")).toBe("image/png");
      expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      // An <img> on the console's or the customer app's origin must be allowed to show it.
      expect(image.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
      expect(new Uint8Array(await image.arrayBuffer())).toEqual(png(served, (served * 3) / 4));
    }
    // Everything else stays same-origin for embedding.
    const json = await api(`/v1/restaurants/${world.restaurantId}/menu`);
    expect(json.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  });

  it("sending the same photo again is no new menu version; removing it takes it off the menu", async () => {
    const first = (await (await upload({ w160: png(160, 160) })).json()) as { menuVersion: number };
    const again = await upload({ w160: png(160, 160) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { menuVersion: number }).menuVersion).toBe(first.menuVersion);

    const removed = await api(`/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}/photo`, {
      method: "DELETE",
      token: tokens.staff,
    });
    expect(removed.status).toBe(200);
    expect(await publicPhoto()).toBeNull();
  });

  it("refuses files wider than their slot, not images, odd shapes and unknown parts, changing nothing", async () => {
    const kept = (await (await upload({ w160: png(160, 100) })).json()) as { item: { photo: Photo } };
    for (const [parts, code] of [
      [{ w160: png(480, 360) }, "too_wide"],
      [{ w480: new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>") }, "not_an_image"],
      [{ w160: png(160, 10) }, "odd_shape"],
      [{ w200: png(200, 150) }, "unknown_width"],
      [{ w160: "not a file" }, "unknown_width"],
    ] as const) {
      const res = await upload(parts as Record<string, Uint8Array | string>);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details?: Array<{ code: string }> } };
      expect(body.error.details?.map((d) => d.code)).toContain(code);
    }
    expect((await publicPhoto())?.url).toBe(kept.item.photo.url);
  });

  it("lets only the restaurant's own staff or an admin upload", async () => {
    for (const token of [tokens.otherStaff, tokens.customer, tokens.courier]) {
      expect((await upload({ w160: png(160, 120) }, token)).status).toBe(403);
    }
    expect((await upload({ w160: png(160, 120) }, "")).status).toBe(401);
    expect((await upload({ w160: png(160, 120) }, tokens.admin)).status).toBe(200);
    const unknown = await upload({ w160: png(160, 120) }, tokens.staff, crypto.randomUUID());
    expect(unknown.status).toBe(404);
  });
});
