// What the courier benchmarks (ingest.ts, knn.ts, fanout.ts) share: the
// harness plan, sockets, fix messages, moves, the zone probe and CPU groups.
import { performance } from "node:perf_hooks";
import Redis from "ioredis";
import { WebSocket } from "ws";
import { encodePackedFixes, PACKED_FIXES_PROTOCOL } from "../../domain/dispatch/fix-frame.ts";
import { decodeGeohashBounds } from "../../domain/geo/geohash.ts";
import type { CpuGroup } from "../lib/cpu.ts";
import { HttpClient } from "../lib/http.ts";
import type { LoadResult } from "../lib/load.ts";
import type { Measured, Plan } from "../lib/measure.ts";
import { machineInfo, RUNS_COLUMNS, runsRow, type Table } from "../lib/results.ts";
import { seededRandom } from "../lib/rng.ts";
import { describePinning } from "../lib/taskset.ts";
import { adminToken, type Harness, type Worker } from "../platform.ts";

export const REDIS = { host: "127.0.0.1", port: 6379 };
export const K = 10;
export const RADIUS_M = 2000;
/** Centre of the demo city. */
export const CENTRE = { lat: 38.725, lng: -9.15 };
/** The fix message every side gets, byte for byte the same length. */
export const FIX_BYTES = 104;
/**
 * The zone forwards an assigned courier's position at most once a second per order
 * (FORWARD_EVERY_MS in zone-do.ts) and the Order DO broadcasts at most once a second
 * (POSITION_EVERY_MS in order/dispatch.ts). Not imported: zone-do.ts needs cloudflare:workers.
 */
export const THROTTLE_MS = 1000;
/** (1) uses bench courier accounts 0..max level (its sockets + a tracer); (2) takes its movers after them. */
export function ingestLevels(h: Harness): number[] {
  // BENCH_INGEST_LEVELS=50,500: fewer sockets when the machine cannot open 5000 through the API in time.
  const chosen = (process.env.BENCH_INGEST_LEVELS ?? "")
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
  if (chosen.length > 0) return chosen;
  return h.quick ? [50] : [50, 500, 5000];
}

/** Shorter runs than the suite default: three benchmarks with several levels each must fit in ~6 minutes. */
export const FULL_COURIER_PLAN: Plan = {
  warmupMs: 800,
  runMs: 1500,
  runs: 3,
  openRunMs: 1000,
  openRuns: 3,
  pauseMs: 200,
};
export const QUICK_COURIER_PLAN: Plan = {
  warmupMs: 150,
  runMs: 250,
  runs: 3,
  openRunMs: 250,
  openRuns: 1,
  pauseMs: 50,
};

export function plan(h: Harness): Plan {
  return h.quick ? QUICK_COURIER_PLAN : FULL_COURIER_PLAN;
}

// ---------------------------------------------------------------- shared

export async function redisInfo(): Promise<{ version: string; persistence: string }> {
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info("server");
    const persistence = await redis.info("persistence");
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
    const aof = /aof_enabled:(\d)/.exec(persistence)?.[1] === "1";
    const rdb = ((await redis.config("GET", "save")) as string[])[1] ?? "";
    return { version, persistence: `AOF ${aof ? "on" : "off"}, RDB snapshots ${rdb ? `"${rdb}"` : "off"}` };
  } finally {
    redis.disconnect();
  }
}

export function base(
  h: Harness,
  name: string,
  title: string,
  redis: { version: string; persistence: string } | undefined,
) {
  return {
    name,
    title,
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), redis ? { redis: redis.version } : {}),
  };
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "–";
}

/** `{"type":"fix","fix":{…}}`, padded to exactly FIX_BYTES with extra (meaningless) coordinate digits. */
export function fixMessage(lat: number, lng: number, at: number, seq: number): string {
  const extra = Math.max(0, FIX_BYTES - 96 - String(seq).length - (String(at).length - 13));
  const text = `{"type":"fix","fix":{"lat":${lat.toFixed(7 + Math.ceil(extra / 2))},"lng":${lng.toFixed(7 + Math.floor(extra / 2))},"accuracyM":8,"at":${at},"seq":${seq}}}`;
  return text;
}

export function openWs(url: string, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers, handshakeTimeout: timeoutMs });
    openSockets.add(ws);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`${url.split("?")[0]}: HTTP ${res.statusCode}`)));
  });
}

/** Runs fn(0..n-1) with at most `width` in flight; returns results in order. */
export async function mapLimit<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

export function wsBase(worker: Worker): string {
  return worker.url.replace(/^http/, "ws");
}

/**
 * One fix counter for the whole process: a courier's seq must keep growing across
 * reconnections (the zone remembers the last one), and it stays ≤ 8 digits.
 */
let globalSeq = 0;
/** Every socket a benchmark opens, so a failing benchmark leaves no courier online for the next one. */
export const openSockets = new Set<{ terminate(): void }>();

export async function closingSockets<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    for (const ws of openSockets) ws.terminate();
    openSockets.clear();
  }
}

let acceptedFixes = 0;
/** Fixes the zone has acknowledged as accepted, over every FixSocket of this process (for rates over a window). */
export function ackedFixes(): number {
  return acceptedFixes;
}

/** A courier's socket, to the Zone DO (through the API) or to the bare ws peer: fixes out, acks back. */
export class FixSocket {
  private readonly waiting = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout; fixes?: number }
  >();
  private lastAt = 0;
  /** After `askCumulativeAcks`: one ack may answer every frame up to its seq (decision 59). */
  private cumulative = false;
  /**
   * The zone's `status` announced protocol 2: batches go as packed binary frames, as the courier app
   * sends them then (decision 63). BENCH_INGEST_ENCODING=json keeps them JSON (to measure the difference).
   */
  packed = false;
  /** Messages other than acks (status, courier positions for watchers…). */
  onOther?: (text: string) => void;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    public lat: number,
    public lng: number,
  ) {
    ws.on("message", (data) => {
      const text = data.toString();
      if (!text.startsWith('{"type":"ack"')) {
        if (text.startsWith('{"type":"status"')) {
          const status = JSON.parse(text) as { protocol?: number };
          this.packed = (status.protocol ?? 1) >= PACKED_FIXES_PROTOCOL && process.env.BENCH_INGEST_ENCODING !== "json";
        }
        this.onOther?.(text);
        return;
      }
      const ack = JSON.parse(text) as { seq: number; accepted: number; dropped: number };
      acceptedFixes += ack.accepted;
      if (this.cumulative) {
        this.ackedUpTo(ack.seq, ack.dropped === 0 ? null : new Error(`fix refused: ${text}`));
        return;
      }
      const w = this.waiting.get(ack.seq);
      if (!w) return;
      this.waiting.delete(ack.seq);
      clearTimeout(w.timer);
      if (ack.accepted === (w.fixes ?? 1)) w.resolve();
      else w.reject(new Error(`fix refused: ${text}`));
    });
  }

  /** Sends a fix at (lat, lng) now; resolves on its ack (refused fixes reject). `at` never repeats per courier. */
  send(lat: number, lng: number, timeoutMs = 5000): { at: number; acked: Promise<void> } {
    const seq = ++globalSeq;
    let at = Date.now();
    if (at <= this.lastAt) at = this.lastAt + 1;
    this.lastAt = at;
    this.lat = lat;
    this.lng = lng;
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, { resolve, reject, timer });
    });
    this.ws.send(fixMessage(lat, lng, at, seq));
    return { at, acked };
  }

  /**
   * Several fixes in one `{"type":"fixes"}` frame, or one packed frame when the zone speaks protocol 2 (the
   * protocol's batch, as the courier app sends what it buffered); resolves when the zone's ack for the frame
   * accepted all of them.
   */
  sendBatch(points: readonly { lat: number; lng: number }[], timeoutMs = 5000): { acked: Promise<void> } {
    const fixes = points.map((pt) => {
      let at = Date.now();
      if (at <= this.lastAt) at = this.lastAt + 1;
      this.lastAt = at;
      return { lat: pt.lat, lng: pt.lng, accuracyM: 8, at, seq: ++globalSeq };
    });
    const last = points.at(-1);
    if (last) {
      this.lat = last.lat;
      this.lng = last.lng;
    }
    const seq = globalSeq;
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, { resolve, reject, timer, fixes: fixes.length });
    });
    this.ws.send(this.packed ? encodePackedFixes(fixes) : JSON.stringify({ type: "fixes", fixes }));
    return { acked };
  }

  /** Asks the zone for cumulative acks, as the courier app does (`{type:"ack_mode"}`); there is no way back. */
  askCumulativeAcks(): void {
    this.cumulative = true;
    this.ws.send(JSON.stringify({ type: "ack_mode", mode: "cumulative" }));
  }

  /** Settles every frame up to `seq` (frames are sent, and so keyed, in seq order). */
  private ackedUpTo(seq: number, error: Error | null): void {
    for (const [key, w] of this.waiting) {
      if (key > seq) break;
      this.waiting.delete(key);
      clearTimeout(w.timer);
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  close(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    this.ws.terminate();
  }
}

/** Seeded small moves (≤ ~6 m): what a courier at 1 fix/s does, and always plausible to the zone's speed check. */
export function moves(seed: number, count: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(count * 2);
  for (let i = 0; i < out.length; i++) out[i] = (random() - 0.5) * 0.0001;
  return out;
}

export interface Box {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

export function clampInto(box: Box, lat: number, lng: number): { lat: number; lng: number } {
  return {
    lat: Math.min(box.maxLat, Math.max(box.minLat, lat)),
    lng: Math.min(box.maxLng, Math.max(box.minLng, lng)),
  };
}

/** A courier API socket to the Zone DO of (lat, lng): online and with a first fix accepted. */
export async function zoneCourier(
  worker: Worker,
  id: string,
  token: string,
  lat: number,
  lng: number,
): Promise<FixSocket> {
  const ws = await openWs(`${wsBase(worker)}/v1/couriers/live?lat=${lat}&lng=${lng}`, {
    authorization: `Bearer ${token}`,
  });
  const socket = new FixSocket(id, ws, lat, lng);
  ws.send(JSON.stringify({ type: "status", status: "online" }));
  await socket.send(lat, lng, 15_000).acked;
  return socket;
}

/** Hands out free sockets so each has exactly one fix in flight. */
export function socketOp(sockets: FixSocket[], box: Box, walk: Float64Array): (i: number) => Promise<void> {
  const free = [...sockets];
  const n = walk.length / 2;
  return async (i) => {
    const s = free.pop();
    if (!s) throw new Error("no idle socket (more in flight than sockets)");
    try {
      const j = (i % n) * 2;
      const p = clampInto(box, s.lat + (walk[j] as number), s.lng + (walk[j + 1] as number));
      await s.send(p.lat, p.lng).acked;
    } finally {
      free.push(s);
    }
  };
}

export function cellBox(cell: string, margin = 0.1): Box {
  const b = decodeGeohashBounds(cell);
  const dLat = (b.maxLat - b.minLat) * margin;
  const dLng = (b.maxLng - b.minLng) * margin;
  return { minLat: b.minLat + dLat, maxLat: b.maxLat - dLat, minLng: b.minLng + dLng, maxLng: b.maxLng - dLng };
}

export function seededPointIn(random: () => number, box: Box): { lat: number; lng: number } {
  return {
    lat: box.minLat + random() * (box.maxLat - box.minLat),
    lng: box.minLng + random() * (box.maxLng - box.minLng),
  };
}

/** The operator routes of the API, as an admin (token minted with the Worker's key). */
export class AdminApi {
  private constructor(
    private readonly http: HttpClient,
    private readonly auth: Record<string, string>,
  ) {}

  static async open(h: Harness, worker: Worker, connections: number, timeoutMs: number): Promise<AdminApi> {
    const token = await adminToken(h, worker);
    return new AdminApi(new HttpClient(worker.url, connections, timeoutMs), { authorization: `Bearer ${token}` });
  }

  /** GET /v1/admin/nearest-couriers: ZoneDO.nearestAvailable of the point's cell (asks every cell the circle touches). */
  async nearest(
    lat: number,
    lng: number,
    k: number,
    radiusM: number,
  ): Promise<{ courierId: string; distanceM: number }[]> {
    const res = await this.http.send(
      "GET",
      `/v1/admin/nearest-couriers?lat=${lat}&lng=${lng}&k=${k}&radiusM=${radiusM}`,
      this.auth,
    );
    if (res.status !== 200) throw new Error(`nearest-couriers: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    return (JSON.parse(res.body) as { couriers: { courierId: string; distanceM: number }[] }).couriers;
  }

  /** GET /v1/admin/cells/{cell}: ZoneDO.stats. */
  async stats<T>(cell: string): Promise<T> {
    const res = await this.http.send("GET", `/v1/admin/cells/${cell}`, this.auth);
    if (res.status !== 200) throw new Error(`cells/${cell}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    return (JSON.parse(res.body) as { stats: T }).stats;
  }

  close(): void {
    this.http.close();
  }
}

export function serverGroups(worker: Worker): CpuGroup[] {
  return [
    { name: "workerd (Worker + DOs)", rootPids: [worker.pid] },
    { name: "load generator", rootPids: [process.pid], descendants: false },
  ];
}

export function cpuLine(cpu: Record<string, number>, run: LoadResult): string {
  return Object.entries(cpu)
    .map(([name, ms]) => `${name} ${run.ok ? ((ms * 1000) / run.ok).toFixed(0) : "–"} µs`)
    .join(", ");
}

export function openTable(
  open: Record<string, Record<number, Measured>>,
  rates: number[],
  labels: Record<string, string>,
  level: number,
): Table {
  return {
    title: `Open loop at fixed rates, ${level} sockets (latency from the scheduled send time)`,
    columns: RUNS_COLUMNS,
    rows: Object.entries(open).flatMap(([id, byRate]) =>
      rates
        .filter((r) => byRate[r])
        .map((rate) => runsRow(labels[id] ?? id, `open, ${rate}/s`, (byRate[rate] as Measured).summary)),
    ),
  };
}

export function fixStream(rate: number, send: (n: number) => Promise<void>) {
  const start = performance.now();
  let sent = 0;
  let busy: Promise<void> = Promise.resolve();
  let failures = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent;
    if (due <= 0) return;
    sent += due;
    busy = busy.then(() => send(due)).catch(() => void failures++);
  }, 10);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return { sent, failures, perSecond: (sent * 1000) / (performance.now() - start) };
    },
  };
}
