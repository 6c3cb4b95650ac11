// A courier socket that floods or sends huge frames is cut off, and the other
// couriers of its zone keep their ack latency while it happens.
import { describe, expect, it } from "vitest";
import type { Fix } from "../../domain/dispatch/fix.ts";
import type { LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { testEnv } from "../../test/world.ts";
import {
  CLOSE_CODES,
  COURIER_MESSAGE_RATE,
  MAX_FIX_BATCH,
  MAX_FIX_JSON_BYTES,
  MAX_FRAME_BYTES,
  type ZoneMessage,
} from "./protocol.ts";
import { type CourierSocket, courierSocket, fixAt, goOnline } from "./zone-test-kit.ts";

function centreOfRandomCell(): { cell: string; at: LatLng } {
  const p = { lat: 40 + Math.random() * 8, lng: -3 + Math.random() * 10 };
  const cell = zoneCellOf(p.lat, p.lng);
  const b = decodeGeohashBounds(cell);
  return { cell, at: { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 } };
}

interface Watched extends CourierSocket {
  closed: Promise<{ code: number; reason: string }>;
}

async function connect(cell: string, id: string = crypto.randomUUID()): Promise<Watched> {
  const res = await testEnv.ZONE.get(testEnv.ZONE.idFromName(cell)).fetch(
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

function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
}

const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)] as number;

/** Sends fixes one after another, each once the previous is acknowledged; returns each ack's latency. */
async function ackLatencies(socket: CourierSocket, at: LatLng, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    socket.send({ type: "fix", fix: fixAt(at) });
    await socket.next("ack");
    out.push(performance.now() - t);
    // Paced so that 40 of these stay within the burst plus what refills meanwhile.
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

describe("frame size", () => {
  it("the longest fix the protocol allows fits its byte budget, and a full batch of them fits a frame", () => {
    const long = -1.2345678901234567e-100; // the longest a double prints as: 24 characters
    const worst: Fix = { lat: long, lng: long, accuracyM: long, headingDeg: long, speedMps: long, at: long, seq: long };
    expect(String(long)).toHaveLength(24);
    expect(JSON.stringify(worst).length).toBeLessThanOrEqual(MAX_FIX_JSON_BYTES);
    const frame = JSON.stringify({ type: "fixes", fixes: Array(MAX_FIX_BATCH).fill(worst) });
    expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  it("a full batch at the limit is read and acknowledged", async () => {
    const { cell, at } = centreOfRandomCell();
    const courier = await connect(cell);
    const fixes = Array.from({ length: MAX_FIX_BATCH }, (_, i) =>
      fixAt(at, { at: Date.now() - (MAX_FIX_BATCH - i) * 1000 }),
    );
    courier.send({ type: "fixes", fixes });
    const ack = await courier.next("ack");
    expect(ack.accepted + ack.dropped).toBe(MAX_FIX_BATCH);
    courier.close();
  });

  for (const bytes of [MAX_FRAME_BYTES + 1, 1024 * 1024]) {
    it(`a frame of ${bytes} bytes is refused unread and the socket closed with 1009`, async () => {
      const { cell, at } = centreOfRandomCell();
      const courier = await connect(cell);
      await goOnline(courier, at);
      const padding = "x".repeat(bytes - 40);
      courier.ws.send(`{"type":"status","status":"offline","p":"${padding}"}`.slice(0, bytes));
      const error = await courier.next("error");
      expect(error).toMatchObject({ code: "frame_too_large" });
      expect(await within(courier.closed, 3000)).toMatchObject({ code: CLOSE_CODES.frameTooLarge });
      // Unread: the courier is still online with its position.
      const state = await testEnv.ZONE.get(testEnv.ZONE.idFromName(cell)).courier(courier.id);
      expect(state?.status).toBe("online");
    });
  }
});

describe("message rate", () => {
  it("a flooding courier is disconnected with 1008, and the others' ack p99 stays within a small factor", async () => {
    const { cell, at } = centreOfRandomCell();
    const honest = await connect(cell);
    const flooder = await connect(cell);
    await goOnline(honest, at);
    await goOnline(flooder, at);

    const baseline = await ackLatencies(honest, at, 20);

    // The flood: full batches (thousands of fixes) as fast as the test can send them, for as
    // long as the honest courier is measured, reconnecting whenever the zone hangs up. Here the
    // client shares the runtime with the zone, so it cannot push the p99 to the seconds seen
    // against `npm start`; the cut-off is what this test proves, the p99 bound guards it.
    let sent = 0;
    let reconnects = 0;
    let stop = false;
    const closes: Array<{ code: number; reason: string }> = [];
    let socket: Watched = flooder;
    const floodFrame = JSON.stringify({
      type: "fixes",
      fixes: Array.from({ length: MAX_FIX_BATCH }, (_, i) => fixAt(at, { seq: 1e9 + i })),
    });
    const floodStartedAt = Date.now();
    let firstCloseAt = 0;
    const flood = (async () => {
      while (!stop) {
        let open = true;
        void socket.closed.then((c) => {
          firstCloseAt ||= Date.now();
          closes.push(c);
          open = false;
        });
        while (open && !stop) {
          try {
            // Full batches: each frame costs the zone MAX_FIX_BATCH fix checks.
            for (let i = 0; i < 5; i++) socket.ws.send(floodFrame);
            sent += 5;
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 1));
        }
        if (stop) break;
        // Through the API a user opens at most 2 sockets/s (RATE_LIMITS.writesPerUser); here the
        // test reaches the Durable Object directly, so it paces itself the same.
        await new Promise((r) => setTimeout(r, 500));
        if (stop) break;
        socket = await connect(cell, flooder.id);
        reconnects++;
      }
      socket.close();
    })();
    const underFlood = await ackLatencies(honest, at, 20);
    stop = true;
    await flood;
    const before = p99(baseline);
    const during = p99(underFlood);
    console.warn(
      JSON.stringify({
        flood: { sent, reconnects, ackP99BeforeMs: +before.toFixed(2), ackP99DuringMs: +during.toFixed(2) },
      }),
    );

    expect(closes.length).toBeGreaterThan(0);
    expect(closes[0]).toMatchObject({ code: CLOSE_CODES.rateLimited });
    expect(closes[0]?.reason).toMatch(/messages\/s/);
    expect(flooder.messages.some((m: ZoneMessage) => m.type === "error" && m.code === "rate_limited")).toBe(true);
    // At most the burst, and what refilled while it was being read, before the first cut.
    const acked = flooder.messages.filter((m) => m.type === "ack").length;
    const floodSeconds = (firstCloseAt - floodStartedAt) / 1000;
    expect(acked).toBeLessThanOrEqual(
      COURIER_MESSAGE_RATE.capacity + Math.ceil(COURIER_MESSAGE_RATE.perSecond * floodSeconds) + 1,
    );

    // Before the limit this went from a few ms to seconds; allow noise on a shared machine.
    expect(during, `ack p99 ${before.toFixed(1)} ms before, ${during.toFixed(1)} ms during the flood`).toBeLessThan(
      Math.max(before * 5, before + 50),
    );
    honest.close();
  }, 30_000);

  it("reconnecting does not refill the budget: a cut-off courier who keeps flooding is cut off again at once", async () => {
    const { cell, at } = centreOfRandomCell();
    const first = await connect(cell);
    await goOnline(first, at);
    for (let i = 0; i < COURIER_MESSAGE_RATE.capacity + 5; i++) first.send({ type: "fix", fix: fixAt(at) });
    expect(await within(first.closed, 3000)).toMatchObject({ code: CLOSE_CODES.rateLimited });

    const res = await testEnv.ZONE.get(testEnv.ZONE.idFromName(cell)).fetch(
      new Request("https://zone/live", {
        headers: {
          upgrade: "websocket",
          "x-principal": JSON.stringify({ userId: first.id, role: "courier" }),
          "x-courier-vehicle": "bicycle",
          "x-zone-cell": cell,
        },
      }),
    );
    const again = courierSocket(first.id, res);
    const closed = new Promise<number>((r) => again.ws.addEventListener("close", (e) => r(e.code)));
    for (let i = 0; i < 10; i++) again.send({ type: "fix", fix: fixAt(at) });
    expect(await within(closed, 3000)).toBe(CLOSE_CODES.rateLimited);
  });

  it("an honest app at its steady rate is never cut off", async () => {
    const { cell, at } = centreOfRandomCell();
    const courier = await connect(cell);
    await goOnline(courier, at);
    const latencies = await ackLatencies(courier, at, 15);
    expect(latencies).toHaveLength(15);
    expect(await within(courier.closed, 100)).toBe("timeout");
    courier.close();
  });
});
