// Protocol 2's packed fix frames at the Zone DO: announced in the status, taken
// and acknowledged like a JSON batch, refused with malformed_message (and
// nothing changed) when their shape is wrong, and held to the same size, rate
// and "is this still your zone" checks as every other frame.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { COURIER_PROTOCOL, PACKED_FIXES_KIND } from "../../domain/dispatch/fix-frame.ts";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { testEnv } from "../../test/world.ts";
import { CLOSE_CODES, COURIER_MESSAGE_RATE, MAX_FIX_BATCH, MAX_FRAME_BYTES } from "./protocol.ts";
import type { ZoneDO } from "./zone-do.ts";
import { courierSocket, fixAt, goOnline } from "./zone-test-kit.ts";

function zone(cell: string): DurableObjectStub<ZoneDO> {
  return testEnv.ZONE.get(testEnv.ZONE.idFromName(cell));
}

function randomCellCentre(): LatLng {
  const p = { lat: 44 + Math.random() * 6, lng: 2 + Math.random() * 16 };
  const b = decodeGeohashBounds(zoneCellOf(p.lat, p.lng));
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
}

async function connect(cell: string, id: string = crypto.randomUUID()) {
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
  const socket = courierSocket(id, res);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );
  return { ...socket, closed };
}

function numbers(values: number[]): ArrayBuffer {
  const buffer = new ArrayBuffer(values.length * 8);
  const view = new DataView(buffer);
  for (const [i, v] of values.entries()) view.setFloat64(i * 8, v, true);
  return buffer;
}

function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
}

describe("packed fix frames (protocol 2)", () => {
  it("the zone announces the protocol on connect, takes a packed batch, acks it and indexes the newest fix", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    expect(await a.next("status")).toMatchObject({ cell, protocol: COURIER_PROTOCOL });
    await goOnline(a, at);
    const t0 = Date.now();
    const path = [10, 20, 30].map((m, i) =>
      fixAt(destinationPoint(at, 0, m), { at: t0 + i * 1000, ...(i === 1 ? { headingDeg: 0, speedMps: 5 } : {}) }),
    );
    a.sendPacked(path);
    expect(await a.next("ack")).toMatchObject({ seq: path[2]?.seq, accepted: 3, dropped: 0 });
    const state = await zone(cell).courier(a.id);
    expect(state?.lastFix).toEqual(path[2]);
    const nearest = await zone(cell).nearestAvailable(path[2]?.lat as number, path[2]?.lng as number, 1, 5);
    expect(nearest[0]?.courierId).toBe(a.id);
    // Replayed: duplicates, refused and counted, the courier where they were.
    a.sendPacked(path);
    expect(await a.next("ack")).toMatchObject({ accepted: 0, dropped: 3 });
    a.close();
  });

  it("cumulative acks answer packed frames like JSON ones", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    a.send({ type: "ack_mode", mode: "cumulative" });
    const t0 = Date.now();
    // Nine frames: the socket's first fix frame is answered at once (decision 59 addendum), the next
    // eight by one cumulative ack.
    const frames = Array.from({ length: 9 }, (_, i) => [
      fixAt(destinationPoint(at, 0, 10 * i + 5), { at: t0 + 2 * i }),
      fixAt(destinationPoint(at, 0, 10 * i + 10), { at: t0 + 2 * i + 1 }),
    ]);
    for (const f of frames) a.sendPacked(f);
    expect(await a.next("ack")).toMatchObject({ seq: frames[0]?.[1]?.seq, accepted: 2, dropped: 0 });
    expect(await a.next("ack")).toMatchObject({ seq: frames.at(-1)?.[1]?.seq, accepted: 16, dropped: 0 });
    a.close();
  });

  it("odd numbers in a well-shaped frame are fixes refused as out_of_range, not a malformed frame", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    const good = fixAt(destinationPoint(at, 0, 10));
    a.ws.send(
      numbers([
        PACKED_FIXES_KIND,
        ...[Number.NaN, at.lng, 8, Date.now(), good.seq - 1, Number.NaN, Number.NaN],
        ...[good.lat, good.lng, good.accuracyM, good.at, good.seq, Number.NaN, Number.NaN],
      ]),
    );
    expect(await a.next("ack")).toMatchObject({ seq: good.seq, accepted: 1, dropped: 1 });
    expect((await zone(cell).stats()).dropped.out_of_range).toBeGreaterThanOrEqual(1);
    a.close();
  });

  const malformed: Array<[string, (good: number[]) => ArrayBuffer]> = [
    ["a length that is not whole doubles", (good) => numbers(good).slice(0, good.length * 8 - 3)],
    ["a header alone", () => numbers([PACKED_FIXES_KIND])],
    ["a fix cut short", (good) => numbers(good.slice(0, -1))],
    ["an unknown header", (good) => numbers([7, ...good.slice(1)])],
    [
      "more fixes than a batch may hold",
      (good) => numbers([PACKED_FIXES_KIND, ...Array.from({ length: MAX_FIX_BATCH + 1 }, () => good.slice(1)).flat()]),
    ],
  ];
  it.each(malformed)("%s is refused as malformed_message, nothing changed, the socket kept", async (_, build) => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    const before = await zone(cell).courier(a.id);
    const moved = fixAt(destinationPoint(at, 90, 30));
    const good = [
      PACKED_FIXES_KIND,
      moved.lat,
      moved.lng,
      moved.accuracyM,
      moved.at,
      moved.seq,
      Number.NaN,
      Number.NaN,
    ];
    a.ws.send(build(good));
    expect(await a.next("error")).toMatchObject({
      code: "malformed_message",
      message: expect.stringMatching(/^Packed fix frame/),
    });
    expect(a.messages.filter((m) => m.type === "ack")).toHaveLength(1); // goOnline's only
    expect((await zone(cell).courier(a.id))?.lastFix).toEqual(before?.lastFix);
    // Still open: the same fix, well formed, is taken.
    a.sendPacked([moved]);
    expect(await a.next("ack")).toMatchObject({ seq: moved.seq, accepted: 1 });
    a.close();
  });

  it("a binary frame over the size limit is refused unread and the socket closed with 1009", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    a.ws.send(new ArrayBuffer(MAX_FRAME_BYTES + 8));
    expect(await a.next("error")).toMatchObject({ code: "frame_too_large" });
    expect(await within(a.closed, 3000)).toMatchObject({ code: CLOSE_CODES.frameTooLarge });
  });

  it("packed frames count against the message rate: a flood of them is cut off with 1008", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    for (let i = 0; i < COURIER_MESSAGE_RATE.capacity + 5; i++) a.sendPacked([fixAt(at)]);
    expect(await within(a.closed, 3000)).toMatchObject({ code: CLOSE_CODES.rateLimited });
    expect(a.messages.some((m) => m.type === "error" && m.code === "rate_limited")).toBe(true);
  });

  it("a packed frame from a courier this zone no longer has is refused with unknown_courier", async () => {
    const at = randomCellCentre();
    const cell = zoneCellOf(at.lat, at.lng);
    const a = await connect(cell);
    await goOnline(a, at);
    await runInDurableObject(zone(cell), (instance: ZoneDO) => {
      // biome-ignore lint/complexity/useLiteralKeys: a private method, reached on purpose from its test
      instance["forget"](a.id);
    });
    a.sendPacked([fixAt(destinationPoint(at, 0, 10))]);
    expect(await a.next("error")).toMatchObject({ code: "unknown_courier" });
    expect(await within(a.closed, 3000)).toMatchObject({ code: 4001 });
    expect(await zone(cell).courier(a.id)).toBeNull();
  });
});
