// (1) Courier location ingest, (2) k-nearest queries and (4) live tracking
// fan-out. Our side is the Zone DO (durable-objects/zone/zone-do.ts) and, for
// (4), the Order DO's watchers, run by the platform Worker in Miniflare.
// k-nearest queries and zone stats go through the API's operator routes
// (GET /v1/admin/nearest-couriers, GET /v1/admin/cells/{cell}) with an admin
// token minted with the Worker's key. Where the public API has no way in
// (thousands of couriers online without thousands of sockets in the load
// generator, driving orders to "courier assigned"), bench/probe/zone-probe.ts
// does it: a bench-only Worker in the same Miniflare bound to the platform
// Worker's own Durable Object classes (script_name), so it reaches the very
// same objects.
//
// Peers, with the same couriers and positions from the same seed:
//  (1) Redis GEOADD, one command outstanding per courier connection, and a
//      bare `ws` server that parses the same 104-byte fix message and
//      Map.sets it (acked), at the same number of sockets;
//  (2) Redis GEOSEARCH FROMLONLAT … BYRADIUS … ASC COUNT k on a key holding
//      the same (all available) couriers, while the same fix stream arrives;
//  (4) a bare `ws` server broadcasting each position to the same number of
//      watcher sockets, grouped per order, on the same schedule.
//
// One file per benchmark under couriers/ (ingest.ts, knn.ts, fanout.ts),
// with what they share in couriers/shared.ts.

import { fanout } from "./couriers/fanout.ts";
import { ingest } from "./couriers/ingest.ts";
import { ingestBatch } from "./couriers/ingest-batch.ts";
import { knn } from "./couriers/knn.ts";
import { closingSockets } from "./couriers/shared.ts";
import type { Harness } from "./platform.ts";

export { fixMessage } from "./couriers/shared.ts";

export const runIngest = (h: Harness) => closingSockets(() => ingest(h));
export const runIngestBatch = (h: Harness) => closingSockets(() => ingestBatch(h));
export const runKnn = (h: Harness) => closingSockets(() => knn(h));
export const runFanout = (h: Harness) => closingSockets(() => fanout(h));
