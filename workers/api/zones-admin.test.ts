// Operators draw zones (which price orders) and watch a dispatch cell live.
import { beforeAll, describe, expect, it } from "vitest";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import { courierSocket, goOnline } from "../../durable-objects/zone/zone-test-kit.ts";
import { api, createWorld, signIn, type World } from "../../test/world.ts";

let world: World;
let admin: string;
let staff: string;

const square = (lng: number, lat: number, d = 0.01) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ],
});

function zoneBody(name: string) {
  return {
    name,
    polygon: square(18.4, -33.95),
    currency: "ZAR",
    baseDeliveryFeeMinor: 1500,
    perKmFeeMinor: 300,
    serviceFeeBps: 400,
    taxBps: 1500,
  };
}

beforeAll(async () => {
  world = await createWorld();
  [admin, staff] = await Promise.all([signIn(world.emails.admin), signIn(world.emails.staff)]);
});

describe("delivery zones", () => {
  it("an admin draws a zone, lists it and changes its fees", async () => {
    const name = `Cape Town ${crypto.randomUUID().slice(0, 8)}`;
    const created = await api("/v1/admin/zones", { method: "POST", token: admin, json: zoneBody(name) });
    expect(created.status).toBe(201);
    const zone = (await created.json()) as { id: string; active: boolean };
    expect(zone.active).toBe(true);

    const listed = (await (await api("/v1/admin/zones", { token: admin })).json()) as { zones: Array<{ id: string }> };
    expect(listed.zones.map((z) => z.id)).toContain(zone.id);

    const updated = await api(`/v1/admin/zones/${zone.id}`, {
      method: "PATCH",
      token: admin,
      json: { perKmFeeMinor: 350 },
    });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { perKmFeeMinor: number }).perKmFeeMinor).toBe(350);
  });

  it("an admin sets VAT-inclusive prices and a small-order fee; bad values are refused with the field named", async () => {
    const created = await api("/v1/admin/zones", {
      method: "POST",
      token: admin,
      json: { ...zoneBody(`VAT ${crypto.randomUUID().slice(0, 8)}`), active: false },
    });
    const zone = (await created.json()) as Record<string, unknown> & { id: string };
    // Defaults: tax added on top, no minimum.
    expect(zone).toMatchObject({ taxIncluded: false, smallOrderMinimumMinor: 0, smallOrderFeeMinor: 0 });
    const updated = await api(`/v1/admin/zones/${zone.id}`, {
      method: "PATCH",
      token: admin,
      json: { taxIncluded: true, smallOrderMinimumMinor: 10_000, smallOrderFeeMinor: 1_500 },
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({
      taxIncluded: true,
      smallOrderMinimumMinor: 10_000,
      smallOrderFeeMinor: 1_500,
      taxBps: 1500,
    });
    for (const bad of [{ smallOrderFeeMinor: -1 }, { smallOrderMinimumMinor: 1.5 }, { taxIncluded: "yes" }]) {
      const res = await api(`/v1/admin/zones/${zone.id}`, { method: "PATCH", token: admin, json: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = (await res.json()) as { error: { code: string; details?: Array<{ path: string }> } };
      expect(body.error.code).toBe("validation_failed");
    }
    const refused = await api(`/v1/admin/zones/${zone.id}`, {
      method: "PATCH",
      token: staff,
      json: { taxIncluded: true },
    });
    expect(refused.status).toBe(403);
  });

  it("a PATCH changes only the fields it names: a deactivated zone stays deactivated", async () => {
    const created = await api("/v1/admin/zones", {
      method: "POST",
      token: admin,
      json: { ...zoneBody(`Partial ${crypto.randomUUID().slice(0, 8)}`), active: false },
    });
    const zone = (await created.json()) as { id: string; active: boolean };
    expect(zone.active).toBe(false);
    const updated = await api(`/v1/admin/zones/${zone.id}`, {
      method: "PATCH",
      token: admin,
      json: { taxBps: 600 },
    });
    expect(updated.status).toBe(200);
    const body = (await updated.json()) as { active: boolean; taxBps: number; perKmFeeMinor: number };
    expect(body).toMatchObject({ active: false, taxBps: 600, perKmFeeMinor: 300 });
  });

  it("an empty PATCH is a 400 and changes nothing", async () => {
    const created = await api("/v1/admin/zones", {
      method: "POST",
      token: admin,
      json: { ...zoneBody(`Empty ${crypto.randomUUID().slice(0, 8)}`), active: false },
    });
    const zone = (await created.json()) as { id: string };
    const res = await api(`/v1/admin/zones/${zone.id}`, { method: "PATCH", token: admin, json: {} });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("nothing_to_change");
    const listed = (await (await api("/v1/admin/zones", { token: admin })).json()) as {
      zones: Array<{ id: string; active: boolean }>;
    };
    expect(listed.zones.find((z) => z.id === zone.id)?.active).toBe(false);
  });

  it("refuses a ring that does not close, with the field named", async () => {
    const body = zoneBody(`Open ring ${crypto.randomUUID().slice(0, 8)}`);
    body.polygon.coordinates[0]?.pop();
    const res = await api("/v1/admin/zones", { method: "POST", token: admin, json: body });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { details: Array<{ path: string }> } };
    expect(error.details[0]?.path).toBe("polygon.coordinates.0");
  });

  it("refuses a second zone with the same name with 409", async () => {
    const name = `Twice ${crypto.randomUUID().slice(0, 8)}`;
    expect((await api("/v1/admin/zones", { method: "POST", token: admin, json: zoneBody(name) })).status).toBe(201);
    const again = await api("/v1/admin/zones", { method: "POST", token: admin, json: zoneBody(name) });
    expect(again.status).toBe(409);
  });

  it("refuses restaurant staff with 403", async () => {
    const res = await api("/v1/admin/zones", { method: "POST", token: staff, json: zoneBody("Nope") });
    expect(res.status).toBe(403);
  });
});

describe("a dispatch cell, live", () => {
  it("shows an online courier on the map with the cell's stats", async () => {
    const courier = await signIn(world.emails.courier);
    // A patch of ocean no other test uses.
    const at = { lat: -40.5 + Math.random() * 0.01, lng: -30.5 + Math.random() * 0.01 };
    const cell = zoneCellOf(at.lat, at.lng);
    const socket = courierSocket(
      world.ids.courier,
      await api(`/v1/couriers/live?lat=${at.lat}&lng=${at.lng}`, { token: courier, headers: { upgrade: "websocket" } }),
    );
    await goOnline(socket, at);
    const res = await api(`/v1/admin/cells/${cell}`, { token: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      stats: { couriers: number; available: number };
      couriers: Array<{ courierId: string; lat: number; available: boolean }>;
    };
    expect(body.stats).toMatchObject({ couriers: 1, available: 1 });
    expect(body.couriers[0]).toMatchObject({ courierId: world.ids.courier, lat: at.lat, available: true });

    const near = await api(`/v1/admin/nearest-couriers?lat=${at.lat + 0.001}&lng=${at.lng}&k=5&radiusM=1000`, {
      token: admin,
    });
    expect(near.status).toBe(200);
    const { couriers } = (await near.json()) as { couriers: Array<{ courierId: string; distanceM: number }> };
    expect(couriers.map((x) => x.courierId)).toEqual([world.ids.courier]);
    expect(couriers[0]?.distanceM).toBeGreaterThan(100);
    expect(couriers[0]?.distanceM).toBeLessThan(120);
    socket.close();
  });

  it("refuses the nearest-couriers query to staff with 403 and an out-of-range point with 400", async () => {
    expect((await api("/v1/admin/nearest-couriers?lat=38.7&lng=-9.1", { token: staff })).status).toBe(403);
    const bad = await api("/v1/admin/nearest-couriers?lat=123&lng=-9.1", { token: admin });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: Array<{ path: string }> } }).error.details[0]?.path).toBe("lat");
  });

  it("refuses a malformed cell with 400", async () => {
    const res = await api("/v1/admin/cells/not-a-cell", { token: admin });
    expect(res.status).toBe(400);
  });
});
