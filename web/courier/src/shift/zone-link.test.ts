// The zone link against a scripted zone: batches go up in order, up to a
// window ahead of the acks (or one at a time), an ack trims the buffer up to
// its seq, batches whose ack never came are sent again on the next socket, a
// hand-over moves the link to the named cell at once, and nothing is sent
// while the browser says it is offline.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Fix } from "../../../../domain/dispatch/fix.ts";
import { decodePackedFixes } from "../../../../domain/dispatch/fix-frame.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../../../domain/geo/geohash.ts";
import { type FixStore, type LinkState, ZoneLink } from "./zone-link.ts";

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  /** Binary frames (packed fixes), in the order sent among themselves. */
  binary: ArrayBuffer[] = [];
  /** For each frame sent, text or binary, which. */
  kinds: Array<"text" | "binary"> = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closedByApp = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(data: string | ArrayBuffer): void {
    if (typeof data === "string") this.sent.push(data);
    else this.binary.push(data);
    this.kinds.push(typeof data === "string" ? "text" : "binary");
  }

  close(): void {
    this.closedByApp = true;
    this.readyState = 3;
  }

  // --- the zone's side
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  reply(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  /** Every fix frame sent, JSON or packed, in order. */
  batches(): Fix[][] {
    let text = 0;
    let binary = 0;
    const out: Fix[][] = [];
    for (const kind of this.kinds) {
      if (kind === "binary") {
        const decoded = decodePackedFixes(this.binary[binary++] as ArrayBuffer, 600);
        if (!decoded.ok) throw new Error(decoded.message);
        out.push(decoded.fixes);
        continue;
      }
      const s = this.sent[text++] as string;
      if (s === "ping") continue;
      const m = JSON.parse(s) as { type: string; fix?: Fix; fixes?: Fix[] };
      if (m.type === "fix" || m.type === "fixes") out.push(m.fixes ?? (m.fix ? [m.fix] : []));
    }
    return out;
  }

  /** How each fix frame went: "json" or "packed". */
  fixFrameKinds(): Array<"json" | "packed"> {
    let text = 0;
    const out: Array<"json" | "packed"> = [];
    for (const kind of this.kinds) {
      if (kind === "binary") {
        out.push("packed");
        continue;
      }
      const s = this.sent[text++] as string;
      if (s !== "ping" && /^\{"type":"fixe?s?"/.test(s)) out.push("json");
    }
    return out;
  }
}

class MemoryStore implements FixStore {
  fixes: Fix[] = [];
  private readonly metaValues = new Map<string, string | number>();

  add(n: number, from: number): void {
    for (let i = 0; i < n; i++) this.fixes.push({ lat: 38.72, lng: -9.14, accuracyM: 8, at: 1, seq: from + i });
  }

  async oldest(limit: number): Promise<Fix[]> {
    return this.fixes.slice(0, limit);
  }

  async after(seq: number, limit: number): Promise<Fix[]> {
    return this.fixes.filter((f) => f.seq > seq).slice(0, limit);
  }

  async acknowledge(seq: number): Promise<void> {
    this.fixes = this.fixes.filter((f) => f.seq > seq);
  }

  async count(): Promise<number> {
    return this.fixes.length;
  }

  async meta(key: string): Promise<string | number | undefined> {
    return this.metaValues.get(key);
  }

  async setMeta(key: string, value: string | number): Promise<void> {
    this.metaValues.set(key, value);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
let online = true;
let store: MemoryStore;
let states: LinkState[];
let link: ZoneLink;
let urls: Array<{ lat: number; lng: number }>;

function last(): FakeSocket {
  const socket = FakeSocket.all.at(-1);
  if (!socket) throw new Error("no socket");
  return socket;
}

beforeEach(() => {
  FakeSocket.all = [];
  online = true;
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("window", new EventTarget());
  store = new MemoryStore();
  states = [];
  urls = [];
  link = new ZoneLink(options());
});

function options(): ConstructorParameters<typeof ZoneLink>[0] {
  return {
    buffer: store,
    url: async (at) => {
      urls.push(at);
      return `ws://zone/${zoneCellOf(at.lat, at.lng)}`;
    },
    fallbackPosition: () => ({ lat: 38.72, lng: -9.14 }),
    status: () => "online",
    onState: (state) => states.push(state),
    onMessage: () => {},
    onAck: () => {},
    batchSize: 3,
    batchGapMs: 0,
    isOnline: () => online,
  };
}

afterEach(() => {
  link.stop();
  vi.unstubAllGlobals();
});

describe("ZoneLink", () => {
  it("uploads the buffer in order ahead of the acks, and one cumulative ack trims it all", async () => {
    store.add(7, 100);
    link.start();
    await settle();
    last().open();
    await settle();
    await settle();
    const zone = last();
    expect(JSON.parse(zone.sent[0] ?? "")).toEqual({ type: "status", status: "online" });
    expect(JSON.parse(zone.sent[1] ?? "")).toEqual({ type: "ack_mode", mode: "cumulative" });
    expect(zone.batches().map((b) => b.map((f) => f.seq))).toEqual([[100, 101, 102], [103, 104, 105], [106]]);
    zone.reply({ type: "ack", seq: 106, accepted: 7, dropped: 0 });
    await settle();
    await settle();
    expect(store.fixes).toEqual([]);
    expect(zone.batches()).toHaveLength(3);
    expect(states).toContain("live");
  });

  it("keeps at most framesInFlight batches unacknowledged, and an ack of the first lets the next go", async () => {
    const windowed = new ZoneLink({ ...options(), framesInFlight: 2 });
    store.add(9, 100);
    windowed.start();
    await settle();
    last().open();
    await settle();
    await settle();
    const zone = last();
    expect(zone.batches().map((b) => b.map((f) => f.seq))).toEqual([
      [100, 101, 102],
      [103, 104, 105],
    ]);
    zone.reply({ type: "ack", seq: 102, accepted: 3, dropped: 0 });
    await settle();
    await settle();
    await settle();
    expect(zone.batches().map((b) => b[0]?.seq)).toEqual([100, 103, 106]);
    expect(store.fixes.map((f) => f.seq)).toEqual([103, 104, 105, 106, 107, 108]);
    zone.reply({ type: "ack", seq: 108, accepted: 6, dropped: 0 });
    await settle();
    expect(store.fixes).toEqual([]);
    windowed.stop();
  });

  it("with framesInFlight 1 waits for each batch's ack and asks for no cumulative acks", async () => {
    const single = new ZoneLink({ ...options(), framesInFlight: 1 });
    store.add(7, 100);
    single.start();
    await settle();
    last().open();
    await settle();
    const zone = last();
    expect(zone.sent.some((m) => m.includes("ack_mode"))).toBe(false);
    expect(zone.batches().map((b) => b.map((f) => f.seq))).toEqual([[100, 101, 102]]);
    zone.reply({ type: "ack", seq: 102, accepted: 3, dropped: 0 });
    await settle();
    await settle();
    expect(zone.batches().map((b) => b.map((f) => f.seq))).toEqual([
      [100, 101, 102],
      [103, 104, 105],
    ]);
    zone.reply({ type: "ack", seq: 105, accepted: 3, dropped: 0 });
    await settle();
    await settle();
    zone.reply({ type: "ack", seq: 106, accepted: 1, dropped: 0 });
    await settle();
    expect(zone.batches().at(-1)).toMatchObject([{ seq: 106 }]);
    expect(store.fixes).toEqual([]);
    single.stop();
  });

  it("spaces batches out so a long backlog stays under the zone's message rate", async () => {
    const paced = new ZoneLink({
      buffer: store,
      url: async () => "ws://zone/paced",
      fallbackPosition: () => ({ lat: 38.72, lng: -9.14 }),
      status: () => "online",
      onState: () => {},
      onMessage: () => {},
      onAck: () => {},
      batchSize: 1,
      batchGapMs: 200,
      isOnline: () => true,
    });
    store.add(3, 1);
    paced.start();
    await settle();
    last().open();
    await settle();
    const zone = last();
    zone.reply({ type: "ack", seq: 1, accepted: 1, dropped: 0 });
    await settle();
    await settle();
    expect(zone.batches()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await settle();
    expect(zone.batches()).toHaveLength(2);
    paced.stop();
  });

  it("sends a batch again on the next socket when its ack never came, and trims only what was acknowledged", async () => {
    store.add(4, 10);
    link.start();
    await settle();
    last().open();
    await settle();
    await settle();
    const first = last();
    expect(first.batches().map((b) => b.map((f) => f.seq))).toEqual([[10, 11, 12], [13]]);
    first.drop();
    // Reconnects after its back-off; the unacknowledged batches go first again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settle();
    const second = last();
    expect(second).not.toBe(first);
    second.open();
    await settle();
    await settle();
    expect(second.batches().map((b) => b.map((f) => f.seq))).toEqual([[10, 11, 12], [13]]);
    expect(store.fixes.map((f) => f.seq)).toEqual([10, 11, 12, 13]);
  });

  it("follows a hand-over to the cell the zone names, at once, with the rest of the buffer", async () => {
    store.add(5, 1);
    link.start();
    await settle();
    last().open();
    await settle();
    const old = last();
    const next = zoneCellOf(38.75, -9.12);
    old.reply({ type: "ack", seq: 3, accepted: 3, dropped: 0 });
    old.reply({ type: "handover", cell: next });
    old.drop(4001);
    await settle();
    await settle();
    await settle();
    const moved = last();
    expect(moved).not.toBe(old);
    expect(moved.url).toBe(`ws://zone/${next}`);
    const target = urls.at(-1) as { lat: number; lng: number };
    const bounds = decodeGeohashBounds(next);
    expect(target.lat).toBeGreaterThan(bounds.minLat);
    expect(target.lat).toBeLessThan(bounds.maxLat);
    moved.open();
    await settle();
    expect(moved.batches()[0]?.map((f) => f.seq)).toEqual([4, 5]);
    expect(await store.meta("cell")).toBe(next);
  });

  it("closes the socket when the browser goes offline and sends nothing until it is back", async () => {
    store.add(1, 1);
    link.start();
    await settle();
    last().open();
    await settle();
    const zone = last();
    online = false;
    window.dispatchEvent(new Event("offline"));
    expect(zone.closedByApp).toBe(true);
    expect(states.at(-1)).toBe("no_network");
    store.add(2, 2);
    link.nudge();
    await settle();
    expect(FakeSocket.all).toHaveLength(1);
    online = true;
    window.dispatchEvent(new Event("online"));
    await settle();
    await settle();
    const back = last();
    expect(back).not.toBe(zone);
    back.open();
    await settle();
    expect(back.batches()[0]?.map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it("sends packed fix frames once the zone's status announces protocol 2, and JSON to a zone that does not", async () => {
    const windowed = new ZoneLink({ ...options(), framesInFlight: 1 });
    store.add(7, 100);
    store.fixes[4] = { ...(store.fixes[4] as Fix), headingDeg: 90, speedMps: 4.5 };
    windowed.start();
    await settle();
    last().open();
    await settle();
    const zone = last();
    // Sent before the zone's status arrived: JSON.
    zone.reply({ type: "status", status: "online", cell: "eyckr", activeOrders: [], protocol: 2 });
    zone.reply({ type: "ack", seq: 102, accepted: 3, dropped: 0 });
    await settle();
    await settle();
    zone.reply({ type: "ack", seq: 105, accepted: 3, dropped: 0 });
    await settle();
    await settle();
    expect(zone.fixFrameKinds()).toEqual(["json", "packed", "packed"]);
    // The packed frames carry the same fixes, optional fields included.
    expect(zone.batches().map((b) => b.map((f) => f.seq))).toEqual([[100, 101, 102], [103, 104, 105], [106]]);
    expect(zone.batches()[1]?.[1]).toEqual({
      lat: 38.72,
      lng: -9.14,
      accuracyM: 8,
      at: 1,
      seq: 104,
      headingDeg: 90,
      speedMps: 4.5,
    });
    expect(zone.batches()[1]?.[0]).toEqual({ lat: 38.72, lng: -9.14, accuracyM: 8, at: 1, seq: 103 });
    zone.drop();
    // A new socket (maybe an older zone) says again what it speaks: JSON until then.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settle();
    const next = last();
    expect(next).not.toBe(zone);
    next.open();
    await settle();
    next.reply({ type: "status", status: "online", cell: "eyckr", activeOrders: [] });
    next.reply({ type: "ack", seq: 106, accepted: 1, dropped: 0 });
    await settle();
    await settle();
    expect(next.fixFrameKinds()).toEqual(["json"]);
    windowed.stop();
  });
});
