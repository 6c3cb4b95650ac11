// (2) k-nearest queries while fixes arrive: the Zone DO against Redis GEOSEARCH (see ../couriers.ts).
import { performance } from "node:perf_hooks";
import Redis from "ioredis";
import { CITY } from "../../db/seed/demo-city.ts";
import { cellsWithinRadius, decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { SpatialIndex } from "../../domain/geo/spatial-index.ts";
import { HttpClient } from "../lib/http.ts";
import { IndexSource, type Measured, measureClosed } from "../lib/measure.ts";
import { type BenchResult, fmt, RUNS_COLUMNS, runsRow } from "../lib/results.ts";
import { pointNear, seededRandom } from "../lib/rng.ts";
import { ensureCouriers, type Harness, principalToken, sharedWorker } from "../platform.ts";

import {
  AdminApi,
  type Box,
  base,
  CENTRE,
  clampInto,
  type FixSocket,
  fixStream,
  ingestLevels,
  K,
  mapLimit,
  moves,
  plan,
  RADIUS_M,
  REDIS,
  ratio,
  redisInfo,
  zoneCourier,
} from "./shared.ts";

// ---------------------------------------------------------------- (2) k-nearest

interface KnnPoint {
  id: string;
  lat: number;
  lng: number;
}

/** The zone's index as the DOs hold it: one SpatialIndex per precision-5 cell, queried like nearestAvailable. */
class CityIndex {
  readonly cells = new Map<string, SpatialIndex<null>>();
  readonly available = new Set<string>();

  upsert(id: string, lat: number, lng: number): void {
    const cell = zoneCellOf(lat, lng);
    let index = this.cells.get(cell);
    if (!index) {
      const b = decodeGeohashBounds(cell);
      index = new SpatialIndex<null>({ referenceLat: (b.minLat + b.maxLat) / 2 });
      this.cells.set(cell, index);
    }
    index.upsert(id, lat, lng, null);
    this.available.add(id);
  }

  nearest(lat: number, lng: number, k: number, radiusM: number): { id: string; d: number }[] {
    const out: { id: string; d: number }[] = [];
    const filter = (e: { id: string }) => this.available.has(e.id);
    for (const cell of cellsWithinRadius(lat, lng, radiusM)) {
      const index = this.cells.get(cell);
      if (!index) continue;
      for (const n of index.nearest(lat, lng, k, radiusM, filter)) out.push({ id: n.id, d: n.distanceM });
    }
    out.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out.slice(0, k);
  }
}

export async function knn(h: Harness): Promise<BenchResult> {
  const p = plan(h);
  const redisMeta = await redisInfo();
  const worker = await sharedWorker(h);
  const sizes = h.quick ? [2000] : [10_000, 100_000];
  /** The DO path needs every courier connected (available = online, fresh fix, socket open). */
  const doSizes = h.quick ? [2000] : [10_000];
  const cityRadiusM = 8000;
  const fixRate = h.quick ? 200 : 1000;
  const movers = h.quick ? 50 : 250;
  const concurrency = 32;
  const random = seededRandom(h.seed ^ 0x4a4);
  const queries = Array.from({ length: 5000 }, () => pointNear(random, CENTRE.lat, CENTRE.lng, cityRadiusM - RADIUS_M));
  const walk = moves(h.seed ^ 0x3a1d, 50_000);
  // Accounts the ingest benchmark did not use: a zone remembers a courier's last fix, and a fresh position far away would be refused as implausibly fast.
  const accounts = (await ensureCouriers(h, Math.max(...ingestLevels(h)) + 1 + movers)).slice(
    Math.max(...ingestLevels(h)) + 1,
  );
  const moverTokens = await Promise.all(accounts.map((a) => principalToken(worker, { userId: a.id, role: "courier" })));
  const rows: (string | number)[][] = [];
  const ratioRows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const goals: BenchResult["goals"] = [];
  const notes: string[] = [];

  for (const size of sizes) {
    // The same couriers for every side: movers are real courier accounts (they stream fixes through the API).
    const pts = seededRandom(h.seed ^ size);
    const points: KnnPoint[] = Array.from({ length: size }, (_, i) => {
      const at = pointNear(pts, CENTRE.lat, CENTRE.lng, cityRadiusM);
      return { id: i < movers ? (accounts[i]?.id as string) : `bench-knn-${size}-${i}`, lat: at.lat, lng: at.lng };
    });
    const cells = new Set(points.map((c) => zoneCellOf(c.lat, c.lng)));
    const moverBox: Box = { minLat: -90, maxLat: 90, minLng: -180, maxLng: 180 };
    let moveIndex = 0;
    /** The next fix of the seeded stream: mover m moves by the next step. */
    const nextMove = () => {
      const m = moveIndex % movers;
      const j = (moveIndex % (walk.length / 2)) * 2;
      moveIndex++;
      const pt = points[m] as KnnPoint;
      const at = clampInto(moverBox, pt.lat + (walk[j] as number), pt.lng + (walk[j + 1] as number));
      // Stay in the mover's cell: the Zone DO would hand the courier over otherwise (not what this measures).
      if (zoneCellOf(at.lat, at.lng) === zoneCellOf(pt.lat, pt.lng)) {
        pt.lat = at.lat;
        pt.lng = at.lng;
      }
      return { m, pt };
    };

    // ---- zone's index, in-process: the DO's own SpatialIndex per cell, fixes applied between queries at fixRate
    const city = new CityIndex();
    for (const c of points) city.upsert(c.id, c.lat, c.lng);
    let found = 0;
    let queried = 0;
    let runStart = performance.now();
    let applied = 0;
    const indexOp = async (i: number) => {
      const due = Math.floor(((performance.now() - runStart) * fixRate) / 1000);
      while (applied < due) {
        const { pt } = nextMove();
        city.upsert(pt.id, pt.lat, pt.lng);
        applied++;
      }
      const q = queries[i % queries.length] as { lat: number; lng: number };
      found += city.nearest(q.lat, q.lng, K, RADIUS_M).length;
      queried++;
    };
    const resetStream = () => {
      runStart = performance.now();
      applied = 0;
    };
    resetStream();
    const index = await measureClosed(
      `ours: zone index in-process, ${size} couriers`,
      p,
      1,
      indexOp,
      new IndexSource(),
      h.log,
      { before: resetStream },
    );
    const meanFound = found / Math.max(1, queried);

    // ---- Redis: a key with the same (all available) couriers, GEOSEARCH from `concurrency` clients, GEOADD stream at fixRate
    const key = `bench:${process.pid}:knn`;
    const loader = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
    await loader.del(key);
    for (let i = 0; i < points.length; i += 5000) {
      await loader.geoadd(key, ...points.slice(i, i + 5000).flatMap((c) => [c.lng, c.lat, c.id]));
    }
    const clients = Array.from({ length: concurrency }, () => new Redis({ ...REDIS, maxRetriesPerRequest: 1 }));
    let turn = 0;
    const redisOp = async (i: number) => {
      const q = queries[i % queries.length] as { lat: number; lng: number };
      await (clients[turn++ % concurrency] as Redis).call(
        "GEOSEARCH",
        key,
        "FROMLONLAT",
        String(q.lng),
        String(q.lat),
        "BYRADIUS",
        String(RADIUS_M),
        "m",
        "ASC",
        "COUNT",
        String(K),
      );
    };
    const redisStream = fixStream(fixRate, async (n) => {
      const pipe = loader.pipeline();
      for (let j = 0; j < n; j++) {
        const { pt } = nextMove();
        pipe.geoadd(key, pt.lng, pt.lat, pt.id);
      }
      await pipe.exec();
    });
    const redis = await measureClosed(
      `peer: Redis GEOSEARCH, ${size} couriers`,
      p,
      concurrency,
      redisOp,
      new IndexSource(),
      h.log,
    );
    const redisFixes = await redisStream.stop();
    await loader.del(key);
    loader.disconnect();
    for (const c of clients) c.disconnect();

    // ---- the Zone DOs through the API: every courier connected and available (most of them via the probe's fleet)
    let viaDo: Measured | undefined;
    let doFixes = { sent: 0, acked: 0, refused: 0 };
    if (doSizes.includes(size)) {
      const probe = new HttpClient(worker.probeUrl as string, 4, 120_000);
      const admin = await AdminApi.open(h, worker, concurrency + 4, 30_000);
      const t0 = performance.now();
      try {
        const moverSockets = await mapLimit(movers, 32, (m) => {
          const c = points[m] as KnnPoint;
          return zoneCourier(worker, c.id, moverTokens[m] as string, c.lat, c.lng);
        });
        let fleet = { ok: 0, failed: 0, firstError: undefined as string | undefined };
        for (let i = movers; i < points.length; i += 2000) {
          const res = await probe.send(
            "POST",
            "/fleet/connect",
            { "content-type": "application/json" },
            JSON.stringify(points.slice(i, i + 2000)),
          );
          const r = JSON.parse(res.body) as typeof fleet;
          fleet = {
            ok: fleet.ok + r.ok,
            failed: fleet.failed + r.failed,
            firstError: fleet.firstError ?? r.firstError,
          };
        }
        let available = 0;
        for (const cell of cells) available += (await admin.stats<{ available: number }>(cell)).available;
        h.log(
          `knn: ${movers} movers through the API + ${fleet.ok} couriers through the probe's fleet (${fleet.failed} failed${fleet.firstError ? `: ${fleet.firstError}` : ""}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; the zones report ${available} available over ${cells.size} cells`,
        );
        const queryOp = async (i: number) => {
          const q = queries[i % queries.length] as { lat: number; lng: number };
          await admin.nearest(q.lat, q.lng, K, RADIUS_M);
        };
        const doStream = fixStream(fixRate, async (n) => {
          const acks: Promise<void>[] = [];
          for (let j = 0; j < n; j++) {
            const { m, pt } = nextMove();
            const s = moverSockets[m] as FixSocket;
            doFixes.sent++;
            acks.push(
              s.send(pt.lat, pt.lng).acked.then(
                () => void doFixes.acked++,
                () => void doFixes.refused++,
              ),
            );
          }
          await Promise.all(acks);
        });
        viaDo = await measureClosed(
          `ours: through the API (Zone DOs), ${size} couriers`,
          p,
          concurrency,
          queryOp,
          new IndexSource(),
          h.log,
        );
        await doStream.stop();
        const check = await admin.nearest(CENTRE.lat, CENTRE.lng, K, RADIUS_M);
        const expected = city.nearest(CENTRE.lat, CENTRE.lng, K, RADIUS_M);
        const same = check.map((c) => c.courierId).join() === expected.map((e) => e.id).join();
        notes.push(
          `${size} couriers: the Zone DOs' answer at the centre ${same ? "matches" : "DIFFERS from"} the in-process index's (k=${K}, r=${RADIUS_M} m)${same ? "" : ` (DO ${check.length} results vs ${expected.length})`}.`,
        );
        for (const s of moverSockets) s.close();
      } finally {
        await probe.send("POST", "/fleet/close").catch(() => {});
        probe.close();
        admin.close();
      }
      doFixes = { ...doFixes };
    }

    const qs = index.summary.throughput.median;
    const rs = redis.summary.throughput.median;
    rows.push(runsRow(`ours: zone index in-process (${cells.size} cells)`, `${size} couriers, c=1`, index.summary));
    if (viaDo)
      rows.push(
        runsRow(
          "ours: through the API (GET /v1/admin/nearest-couriers → ZoneDO.nearestAvailable)",
          `${size} couriers, c=${concurrency}`,
          viaDo.summary,
        ),
      );
    else
      rows.push([
        `ours: through the API (Zone DOs)`,
        `${size} couriers`,
        "not measured (needs every courier connected; see notes)",
        "–",
        "–",
        "–",
        "–",
      ]);
    rows.push(
      runsRow(`peer: Redis GEOSEARCH (k=${K}, r=${RADIUS_M} m)`, `${size} couriers, c=${concurrency}`, redis.summary),
    );
    ratioRows.push([
      String(size),
      String(cells.size),
      fmt.rate(qs),
      viaDo ? fmt.rate(viaDo.summary.throughput.median) : "–",
      fmt.rate(rs),
      ratio(qs, rs),
      viaDo ? ratio(viaDo.summary.throughput.median, rs) : "–",
      meanFound.toFixed(1),
    ]);
    goals.push({
      text: `zone's index ≥ 2x Redis GEOSEARCH queries/s at ${size} couriers`,
      met: h.quick ? null : qs / rs >= 2,
      detail: `${fmt.rate(qs)} vs ${fmt.rate(rs)} queries/s = ${ratio(qs, rs)}; in-process on one core with ${fixRate} fixes/s applied between queries, vs Redis over loopback from ${concurrency} clients with the same fix stream`,
    });
    data[String(size)] = { cells: cells.size, index, redis, viaDo, meanFound, redisFixes, doFixes };
  }
  const apiSizes = sizes.filter((size) => (data[String(size)] as { viaDo?: Measured }).viaDo);
  for (const size of apiSizes) {
    const d = data[String(size)] as { viaDo: Measured; redis: Measured };
    const api = d.viaDo.summary.throughput.median;
    const rs = d.redis.summary.throughput.median;
    goals.push({
      text: `through the API ≥ 1x Redis GEOSEARCH queries/s at ${size} couriers`,
      met: h.quick ? null : api / rs >= 1,
      detail: `${fmt.rate(api)} vs ${fmt.rate(rs)} queries/s = ${ratio(api, rs)}, both from ${concurrency} clients over loopback with the same fix stream; ours is GET /v1/admin/nearest-couriers (HTTP, admin JWT check, → ZoneDO.nearestAvailable RPC, which asks every cell the ${RADIUS_M / 1000} km circle touches and merges)${sizes.filter((s) => !apiSizes.includes(s)).length ? `; not measured at ${sizes.filter((s) => !apiSizes.includes(s)).join(", ")} couriers (see notes)` : ""}`,
    });
  }
  return {
    ...base(h, "knn", "(2) k-nearest available couriers", redisMeta),
    goals,
    durability: [
      "Read-mostly benchmark: the fix stream is persisted like (1) on our side, memory-only in Redis; no difference in what the queries see.",
    ],
    notes: [
      `A city-sized area: couriers uniform in a disc of ${cityRadiusM / 1000} km radius around ${CITY.name}'s centre (seeded; ${sizes.join(" and ")} couriers). At geohash precision 5 that disc spans ~12-16 Zone DO cells, so 100k couriers are ~6-8k per zone, not 100k in one; a 2 km query touches 1-4 cells (nearestAvailable asks each and merges). Query points: ${queries.length} seeded points within ${(cityRadiusM - RADIUS_M) / 1000} km of the centre, k=${K}, r=${RADIUS_M} m, ASC.`,
      `Fixes keep arriving at ${fixRate}/s on every side (the first ${movers} couriers move by a seeded walk): in-process they are applied to the index between queries on the same core (their cost is in the queries/s); Redis gets them as pipelined GEOADDs from a separate connection; the Zone DOs get them over the movers' API sockets.`,
      "zone's index (in-process): domain/geo/spatial-index.ts exactly as the Zone DO holds it (one index per cell), queried like ZoneDO.nearestAvailable merges cells, with an availability filter (a Set lookup; the DO also checks status, staleness, offers and the socket). No network, no serialisation, one core: the index's own cost.",
      "Through the API: a query is GET /v1/admin/nearest-couriers?lat&lng&k&radiusM with an admin token minted with the Worker's key (HTTP, JWT verification, query validation) → RPC ZoneDO.nearestAvailable in the query's cell → RPC candidates to the other cells the circle touches → merge → JSON. The movers connect through the API (GET /v1/couriers/live); the other couriers are connected by the bench probe's Fleet DO (bench/probe/zone-probe.ts) straight to their Zone DO (as zone.test.ts does), so 10k couriers need no 10k sockets in the load generator; the zones treat them like any connected courier. 100k connected couriers (100k sockets inside workerd) were not attempted: connecting them alone would take most of the time budget.",
      "Redis: one key holding only available couriers (all of them here), GEOSEARCH FROMLONLAT BYRADIUS ASC COUNT k; Redis is a machine service, unpinned (see pinning).",
      ...notes,
    ],
    headline: { title: `Closed loop: k=${K} nearest within ${RADIUS_M} m`, columns: RUNS_COLUMNS, rows },
    tables: [
      {
        title: "Ratios (queries/s, median of runs)",
        columns: [
          "couriers",
          "cells",
          "zone index/s",
          "through the API/s",
          "Redis/s",
          "index ÷ Redis",
          "API ÷ Redis",
          "mean results per query (index)",
        ],
        rows: ratioRows,
      },
    ],
    data: { k: K, radiusM: RADIUS_M, fixRate, movers, ...data },
  };
}

/** Calls send(n) every 10 ms with the fixes due at `rate`/s; stop() waits for the last batch. */
