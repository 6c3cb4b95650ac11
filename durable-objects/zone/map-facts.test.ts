// What a Zone DO tells the live city map about each of its couriers: whether
// their app is connected comes from one pass over the cell's sockets (decision
// 65), and must still tell a courier whose socket closed from one still on.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CourierFacts } from "../../domain/citymap/couriers.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { eventually, testEnv } from "../../test/world.ts";
import type { ZoneDO } from "./zone-do.ts";
import { courierSocket, goOnline } from "./zone-test-kit.ts";

function zone(cell: string): DurableObjectStub<ZoneDO> {
  return testEnv.ZONE.get(testEnv.ZONE.idFromName(cell));
}

async function connect(cell: string, id: string) {
  const res = await zone(cell).fetch(
    new Request("https://zone/live", {
      headers: {
        upgrade: "websocket",
        "x-principal": JSON.stringify({ userId: id, role: "courier" }),
        "x-courier-vehicle": "bicycle",
        "x-zone-cell": cell,
      },
    }),
  );
  return courierSocket(id, res);
}

function factsOf(cell: string): Promise<CourierFacts[]> {
  return runInDurableObject(zone(cell), (instance: ZoneDO) =>
    (instance as unknown as { mapFacts(now: number): CourierFacts[] }).mapFacts(Date.now()),
  );
}

describe("the zone's map facts", () => {
  it("mark each courier connected while their socket is open, and not once it closed", async () => {
    const p = { lat: 47 + Math.random() * 4, lng: 8 + Math.random() * 10 };
    const b = decodeGeohashBounds(zoneCellOf(p.lat, p.lng));
    const centre = { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
    const cell = zoneCellOf(centre.lat, centre.lng);
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const sockets = [];
    for (const id of ids) {
      const socket = await connect(cell, id);
      await goOnline(socket, centre);
      sockets.push(socket);
    }
    const connected = (facts: CourierFacts[]) =>
      Object.fromEntries(facts.filter((f) => ids.includes(f.courierId)).map((f) => [f.courierId, f.connected]));
    expect(connected(await factsOf(cell))).toEqual({
      [ids[0] as string]: true,
      [ids[1] as string]: true,
      [ids[2] as string]: true,
    });

    sockets[1]?.close();
    await eventually(async () => connected(await factsOf(cell))[ids[1] as string] === false);
    expect(connected(await factsOf(cell))).toEqual({
      [ids[0] as string]: true,
      [ids[1] as string]: false,
      [ids[2] as string]: true,
    });
    sockets[0]?.close();
    sockets[2]?.close();
  });
});
