// Courier rows: a first position is written at once; later moves due for
// writing wait for the next batch and go in one transaction for the cell.
// Acks: one per frame, or one for several after the app's `ack_mode`.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { testEnv } from "../../test/world.ts";
import { ACK_EVERY_FRAMES } from "./acks.ts";
import { PERSIST_BATCH_MS } from "./ingest.ts";
import type { CourierState } from "./protocol.ts";
import type { ZoneDO } from "./zone-do.ts";
import { courierSocket, fixAt, goOnline } from "./zone-test-kit.ts";

function zone(cell: string): DurableObjectStub<ZoneDO> {
  return testEnv.ZONE.get(testEnv.ZONE.idFromName(cell));
}

/** The centre of a random cell far from other tests' fixtures. */
function randomCellCentre(): LatLng {
  const p = { lat: 46 + Math.random() * 6, lng: 6 + Math.random() * 16 };
  const b = decodeGeohashBounds(zoneCellOf(p.lat, p.lng));
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
}

async function connect(cell: string) {
  const id = crypto.randomUUID();
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

async function rows(cell: string): Promise<Map<string, CourierState>> {
  return runInDurableObject(zone(cell), (_instance: ZoneDO, state) => {
    const out = new Map<string, CourierState>();
    for (const r of state.storage.sql.exec<{ body: string }>("select body from couriers").toArray()) {
      const courier = JSON.parse(r.body) as CourierState;
      out.set(courier.courierId, courier);
    }
    return out;
  });
}

describe("Zone ingest persistence", () => {
  it("writes a first position at once and later moves of several couriers together in the next batch", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    const b = await connect(cell);
    await goOnline(a, at);
    await goOnline(b, destinationPoint(at, 90, 200));
    const first = await rows(cell);
    expect(first.get(a.id)?.lastFix?.lat).toBeCloseTo(at.lat, 6);
    expect(first.get(b.id)?.lastFix).not.toBeNull();

    // As if both were last written more than PERSIST_EVERY_MS ago: their next move is due.
    await runInDurableObject(zone(cell), (instance: ZoneDO) => {
      // biome-ignore lint/complexity/useLiteralKeys: a private field, reached on purpose (bracket access) from its test
      const persistedAt = instance["persistedAt"];
      persistedAt.set(a.id, 0);
      persistedAt.set(b.id, 0);
    });
    const movedA = destinationPoint(at, 0, 20);
    const movedB = destinationPoint(at, 90, 220);
    a.send({ type: "fix", fix: fixAt(movedA) });
    b.send({ type: "fix", fix: fixAt(movedB) });
    expect(await a.next("ack")).toMatchObject({ accepted: 1 });
    expect(await b.next("ack")).toMatchObject({ accepted: 1 });

    // Acked and in the index, not yet written: they wait for the batch.
    const before = await rows(cell);
    expect(before.get(a.id)?.lastFix?.lat).toBeCloseTo(at.lat, 6);
    await new Promise((resolve) => setTimeout(resolve, PERSIST_BATCH_MS + 500));
    const after = await rows(cell);
    expect(after.get(a.id)?.lastFix?.lat).toBeCloseTo(movedA.lat, 6);
    expect(after.get(b.id)?.lastFix?.lng).toBeCloseTo(movedB.lng, 6);
    a.close();
    b.close();
  });

  it("takes a batch frame from a courier on no job without the lock, acks every fix and indexes the newest", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    const t0 = Date.now();
    const path = [10, 20, 30].map((m, i) =>
      fixAt(destinationPoint(at, 0, m), { seq: 1_000_000 + i, at: t0 + i * 1000 }),
    );
    a.send({ type: "fixes", fixes: path });
    expect(await a.next("ack")).toMatchObject({ seq: 1_000_002, accepted: 3, dropped: 0 });
    const nearest = await zone(cell).nearestAvailable(path[2]?.lat as number, path[2]?.lng as number, 1, 5);
    expect(nearest[0]?.courierId).toBe(a.id);
    // Replayed: every fix a duplicate, acked as dropped, the courier where they were.
    a.send({ type: "fixes", fixes: path });
    expect(await a.next("ack")).toMatchObject({ accepted: 0, dropped: 3 });
    a.close();
  });

  it("after ack_mode cumulative, answers the first frame at once and then ACK_EVERY_FRAMES frames with one ack for all of them", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    a.send({ type: "ack_mode", mode: "cumulative" });
    const t0 = Date.now();
    // The first frame after asking (a reconnect's backlog) is answered at once, well before ACK_EVERY_MS.
    const first = fixAt(destinationPoint(at, 0, 5), { at: t0 });
    a.send({ type: "fix", fix: first });
    expect(await a.next("ack", 2_000)).toMatchObject({ seq: first.seq, accepted: 1, dropped: 0 });
    const frames = Array.from({ length: ACK_EVERY_FRAMES }, (_, i) =>
      fixAt(destinationPoint(at, 0, 10 * (i + 1)), { at: t0 + 1 + i }),
    );
    for (const fix of frames) a.send({ type: "fix", fix });
    const ack = await a.next("ack");
    expect(ack).toMatchObject({ seq: frames.at(-1)?.seq, accepted: ACK_EVERY_FRAMES, dropped: 0 });
    expect(a.messages.filter((m) => m.type === "ack")).toHaveLength(3); // goOnline's, the first frame's, then this one
    const nearest = await zone(cell).nearestAvailable(frames.at(-1)?.lat as number, frames.at(-1)?.lng as number, 1, 5);
    expect(nearest[0]?.courierId).toBe(a.id);
    a.close();
  });

  it("with cumulative acks, answers the frames pending before a status change at once, ahead of the status", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    a.send({ type: "ack_mode", mode: "cumulative" });
    const t0 = Date.now();
    a.send({ type: "fix", fix: fixAt(destinationPoint(at, 0, 5), { at: t0 }) });
    await a.next("ack", 2_000);
    const pending = [1, 2, 3].map((i) => fixAt(destinationPoint(at, 0, 5 + 10 * i), { at: t0 + i }));
    for (const fix of pending) a.send({ type: "fix", fix });
    // Going offline: the app waits for its buffer to drain, so the zone does not hold these for its timer.
    a.send({ type: "status", status: "offline" });
    const status = await a.next("status", 2_000);
    expect(status).toMatchObject({ status: "offline" });
    const acks = a.messages.filter((m) => m.type === "ack");
    expect(acks).toHaveLength(3); // goOnline's, the first frame's, and the three pending ones in one
    expect(acks.at(-1)).toMatchObject({ seq: pending.at(-1)?.seq, accepted: 3, dropped: 0 });
    // ...and sent before the status answer.
    expect(a.messages.indexOf(acks.at(-1) as (typeof a.messages)[number])).toBeLessThan(a.messages.indexOf(status));
    a.close();
  });
});
