// The Zone DO on its own: couriers connect straight to it (as the API Worker
// would after authenticating them), stream fixes, move between cells and
// survive eviction. Each test works in its own random patch of the map, so
// tests never see each other's couriers.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import { destinationPoint, haversineMeters, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { seededRandom } from "../../domain/random/seeded-random.ts";
import { testEnv } from "../../test/world.ts";
import type { OfferMessage } from "./protocol.ts";
import type { ZoneDO } from "./zone-do.ts";
import { type CourierSocket, courierSocket, fixAt, goOnline } from "./zone-test-kit.ts";

function zone(cell: string): DurableObjectStub<ZoneDO> {
  return testEnv.ZONE.get(testEnv.ZONE.idFromName(cell));
}

/** Deterministic PRNG so a failing seed can be replayed. */
/** A point somewhere in central Europe no other test uses: far from the fixtures in Lisbon. */
function randomPatch(): LatLng {
  return { lat: 46 + Math.random() * 6, lng: 6 + Math.random() * 16 };
}

/** The centre of a random cell: a few hundred metres around it stay in the cell (no hand-over). */
function randomCellCentre(): LatLng {
  const p = randomPatch();
  const b = decodeGeohashBounds(zoneCellOf(p.lat, p.lng));
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
}

async function connect(cell: string, id: string = crypto.randomUUID(), vehicle: Vehicle = "bicycle") {
  const res = await zone(cell).fetch(
    new Request("https://zone/live", {
      headers: {
        upgrade: "websocket",
        "x-principal": JSON.stringify({ userId: id, role: "courier" }),
        "x-courier-vehicle": vehicle,
        "x-zone-cell": cell,
      },
    }),
  );
  return courierSocket(id, res);
}

const fix = fixAt;

describe("Zone DO", () => {
  it("finds the same nearest available couriers as brute force, across cell edges (3 seeds)", async () => {
    for (const seed of [11, 23, 47]) {
      const random = seededRandom(seed);
      const anchor = randomPatch();
      // The corner shared by four cells: every search here crosses an edge.
      const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
      const corner = { lat: bounds.maxLat, lng: bounds.maxLng };
      const placed: Array<{ id: string; at: LatLng; available: boolean; socket: CourierSocket }> = [];
      for (let i = 0; i < 24; i++) {
        const at = destinationPoint(corner, random() * 360, Math.sqrt(random()) * 3000);
        const available = random() > 0.25;
        const socket = await connect(zoneCellOf(at.lat, at.lng));
        await goOnline(socket, at, available);
        placed.push({ id: socket.id, at, available, socket });
      }
      for (let q = 0; q < 4; q++) {
        const query = destinationPoint(corner, random() * 360, random() * 1500);
        const k = 1 + Math.floor(random() * 6);
        const radiusM = 800 + random() * 2500;
        const expected = placed
          .filter((p) => p.available)
          .map((p) => ({ id: p.id, d: haversineMeters(query, p.at) }))
          .filter((p) => p.d <= radiusM)
          .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
          .slice(0, k);
        const found = await zone(zoneCellOf(query.lat, query.lng)).nearestAvailable(query.lat, query.lng, k, radiusM);
        expect(
          found.map((c) => c.courierId),
          `seed ${seed} query ${q}`,
        ).toEqual(expected.map((e) => e.id));
        for (const [i, c] of found.entries()) expect(c.distanceM).toBeCloseTo(expected[i]?.d ?? -1, 6);
        expect(new Set(found.map((c) => c.cell)).size).toBeGreaterThanOrEqual(1);
      }
      for (const p of placed) p.socket.close();
    }
  });

  it("never offers work to a courier whose last fix is older than 60 s", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const socket = await connect(cell);
    await goOnline(socket, at);
    expect((await zone(cell).candidates(at.lat, at.lng, 5, 1000)).map((c) => c.courierId)).toEqual([socket.id]);
    await runInDurableObject(zone(cell), (instance: ZoneDO) => {
      const state = (instance as unknown as { couriers: Map<string, { lastFixAt: number }> }).couriers.get(socket.id);
      if (state) state.lastFixAt = Date.now() - 61_000;
    });
    expect(await zone(cell).candidates(at.lat, at.lng, 5, 1000)).toEqual([]);
    socket.close();
  });

  it("counts implausible, duplicate and out-of-order fixes by reason and never moves the courier with them", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const before = (await zone(cell).stats()).dropped;
    const socket = await connect(cell);
    socket.send({ type: "status", status: "online" });
    const good = fix(at);
    socket.send({ type: "fix", fix: good });
    expect(await socket.next("ack")).toMatchObject({ accepted: 1, dropped: 0 });

    // 30 km in one second, a replay, a fix from a minute ahead and one with 500 m accuracy.
    const far = destinationPoint(at, 90, 30_000);
    socket.send({ type: "fix", fix: fix(far, { at: good.at + 1000 }) });
    expect(await socket.next("ack")).toMatchObject({ accepted: 0, dropped: 1 });
    socket.send({ type: "fix", fix: good });
    await socket.next("ack");
    socket.send({
      type: "fixes",
      fixes: [
        fix(at, { at: Date.now() + 60_000 }),
        fix(at, { accuracyM: 500 }),
        { ...good, seq: good.seq - 1 },
        fix({ lat: 95, lng: 0 }),
      ],
    });
    expect(await socket.next("ack")).toMatchObject({ accepted: 0, dropped: 4 });

    const stats = await zone(cell).stats();
    expect({
      implausible_speed: stats.dropped.implausible_speed - before.implausible_speed,
      duplicate: stats.dropped.duplicate - before.duplicate,
      from_future: stats.dropped.from_future - before.from_future,
      poor_accuracy: stats.dropped.poor_accuracy - before.poor_accuracy,
      out_of_order: stats.dropped.out_of_order - before.out_of_order,
      out_of_range: stats.dropped.out_of_range - before.out_of_range,
    }).toEqual({
      implausible_speed: 1,
      duplicate: 1,
      from_future: 1,
      poor_accuracy: 1,
      out_of_order: 1,
      out_of_range: 1,
    });
    const state = await zone(cell).courier(socket.id);
    expect(state?.lastFix).toMatchObject({ lat: good.lat, lng: good.lng, seq: good.seq });
    socket.close();
  });

  it("refuses malformed messages with an error and keeps the socket open", async () => {
    const at = randomCellCentre();
    const socket = await connect(zoneCellOf(at.lat, at.lng));
    socket.send({ type: "fix", fix: { lat: "north" } });
    expect(await socket.next("error")).toMatchObject({ code: "malformed_message" });
    socket.ws.send("not json");
    expect(await socket.next("error")).toMatchObject({ code: "malformed_message" });
    socket.send({ type: "offer_response", orderId: crypto.randomUUID(), accept: true });
    expect(await socket.next("error")).toMatchObject({ code: "offer_not_yours" });
    await goOnline(socket, at);
    socket.close();
  });

  it("hands a courier over to the next cell: the new zone adopts them, live offer included, before the old one forgets them", async () => {
    const anchor = randomPatch();
    const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
    // 40 m south of the northern edge, then 80 m north: across it.
    const start = { lat: bounds.maxLat - 0.00036, lng: (bounds.minLng + bounds.maxLng) / 2 };
    const from = zoneCellOf(start.lat, start.lng);
    const across = destinationPoint(start, 0, 80);
    const to = zoneCellOf(across.lat, across.lng);
    expect(to).not.toBe(from);

    const socket = await connect(from);
    await goOnline(socket, start);
    // A live offer travels with the courier and is shown again after reconnecting.
    const orderId = crypto.randomUUID();
    const offer: OfferMessage = {
      type: "offer",
      orderId,
      restaurant: start,
      dropoff: across,
      expiresAt: Date.now() + 30_000,
      foodReadyAt: null,
      distanceM: 0,
      dropoffDistanceM: 80,
      restaurantName: "Test Kitchen",
      payoutMinor: 450,
      currency: "EUR",
    };
    const held = { orderId, dispatchCell: from, expiresAt: offer.expiresAt, message: offer };
    expect(await zone(from).deliverOffer(socket.id, held)).toEqual({ ok: true });
    expect(await socket.next("offer")).toEqual(offer);
    // One offer at a time: a second order is not shown to a courier already holding one.
    const other = { ...held, orderId: crypto.randomUUID(), message: { ...offer, orderId: crypto.randomUUID() } };
    expect(await zone(from).deliverOffer(socket.id, other)).toEqual({ ok: false, code: "busy" });

    // Watch the moment of adoption from inside the new zone: the old one must still know the courier then.
    // RPC only reaches prototype methods, so the spy wraps the class's adopt for the duration of the move.
    let oldZoneKnewAtAdoption: boolean | null = null;
    const proto = await runInDurableObject(zone(to), (instance: ZoneDO) => Object.getPrototypeOf(instance) as ZoneDO);
    const adopt = proto.adopt;
    proto.adopt = async function (this: ZoneDO, cell, state) {
      oldZoneKnewAtAdoption = (await zone(from).courier(state.courierId)) !== null;
      return adopt.call(this, cell, state);
    };
    const closed = new Promise<number>((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));
    try {
      socket.send({ type: "fix", fix: fix(across, { at: Date.now() + 10_000 }) });
      expect(await socket.next("handover")).toEqual({ type: "handover", cell: to });
      expect(await closed).toBe(4001);
    } finally {
      proto.adopt = adopt;
    }
    expect(oldZoneKnewAtAdoption).toBe(true);
    expect(await zone(from).courier(socket.id)).toBeNull();
    const adopted = await zone(to).courier(socket.id);
    expect(adopted).toMatchObject({ status: "online", lastFix: { lat: across.lat, lng: across.lng } });

    // The app reconnects where it was sent and is offered work there.
    const again = await connect(to, socket.id);
    expect(await again.next("status")).toMatchObject({ status: "online", cell: to });
    expect(await again.next("offer")).toEqual(offer);
    expect((await zone(to).courier(socket.id))?.offer).toMatchObject({ orderId, dispatchCell: from });
    // Holding the offer keeps them out of searches until it is answered or lapses.
    expect(await zone(to).candidates(across.lat, across.lng, 3, 500)).toEqual([]);
    await zone(to).offerClosed(socket.id, orderId, "expired");
    expect(await again.next("offer_withdrawn")).toEqual({ type: "offer_withdrawn", orderId, reason: "expired" });
    expect((await zone(to).candidates(across.lat, across.lng, 3, 500)).map((c) => c.courierId)).toEqual([socket.id]);
    again.close();
  });

  it("comes back after eviction with its couriers, their status, position and drop counts", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    const b = await connect(cell);
    await goOnline(a, at);
    await goOnline(b, destinationPoint(at, 45, 300));
    b.send({ type: "fix", fix: { ...fix(at), seq: 0 } });
    await b.next("ack");
    const before = await zone(cell).stats();
    expect(before).toMatchObject({ couriers: 2, connected: 2, available: 2 });

    await evictDurableObject(zone(cell));
    const after = await zone(cell).stats();
    expect(after).toMatchObject({ cell, couriers: 2, connected: 2, available: 2 });
    expect(after.dropped).toEqual(before.dropped);
    const found = await zone(cell).candidates(at.lat, at.lng, 5, 1000);
    expect(found.map((c) => c.courierId)).toEqual([a.id, b.id]);

    // The hibernated sockets still work against the rebuilt object.
    a.send({ type: "fix", fix: fix(destinationPoint(at, 180, 20)) });
    expect(await a.next("ack")).toMatchObject({ accepted: 1 });
    a.close();
    b.close();
  });
});
