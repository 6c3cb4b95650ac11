// A development aid for (9): one Worker of this checkout with its DO state on tmpfs, orders placed
// open loop at a low rate, workerd's own CPU per order from /proc and a V8 CPU profile of the same
// window, split by entry point. Not a benchmark (no peer, one run); for finding where the CPU goes.
//
//   npx tsx bench/placement-profile.ts [RATE=5] [SECONDS=15]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../scripts/dev/platform.ts";
import { cpuMeter, descendantsNamed } from "./lib/cpu.ts";
import { profileWorker, selfTimes, totalTimes } from "./lib/cpu-profile.ts";
import { HttpClient } from "./lib/http.ts";
import { openLoop, sleep } from "./lib/load.ts";
import { FULL_PLAN } from "./lib/measure.ts";
import { planPinning } from "./lib/taskset.ts";
import type { Harness } from "./platform.ts";
import { loadWorld, type OrderTemplate, orderTemplates } from "./world.ts";

// Its own database: the benchmarks' `delivery_bench` may be in use by a run of `npm run bench`.
process.env.BENCH_DATABASE_NAME ??= "delivery_bench_profile";
const { customerToken, database, startWorker, waitHealthy } = await import("./platform.ts");
const rate = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 15);
const releases: (() => unknown)[] = [];
const tmpDir = mkdtempSync(join(tmpdir(), "placement-profile-"));
const h: Harness = {
  quick: false,
  seed: 20261122,
  pinning: planPinning(true),
  plan: FULL_PLAN,
  tmpDir,
  log: (m) => console.log(m),
  defer: (_name, release) => releases.push(release),
};
try {
  const db = await database(h);
  const world = await loadWorld(db);
  const templates = orderTemplates(world, h.seed, 500);
  const port = await freePort();
  const worker = await startWorker(h, { name: "profile", state: "tmpfs", inspectorPort: port });
  await waitHealthy(worker.url);
  const [workerd] = descendantsNamed(worker.pid, "workerd");
  const tokens = await Promise.all(db.customers.map((id) => customerToken(worker, id)));
  const api = new HttpClient(worker.url, 64, 15_000);
  const op = async (i: number) => {
    const template = templates[i % templates.length] as OrderTemplate;
    const res = await api.send(
      "POST",
      "/v1/orders",
      {
        authorization: `Bearer ${tokens[i % tokens.length]}`,
        "idempotency-key": `profile-${Date.now()}-${i}`,
        "content-type": "application/json",
      },
      JSON.stringify(template.body),
    );
    if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  };
  const load = (ms: number, start: number) =>
    openLoop({ rate, durationMs: ms, maxInFlight: 64, drainMs: 15_000, op, startIndex: start });
  const warm = await load(Math.max(8000, (60 / rate) * 1000), 0);
  console.log(`warm-up ${warm.ok} ok, ${warm.errors} errors ${warm.firstError ?? ""}`);
  await sleep(3000);
  const stop = cpuMeter([{ name: "workerd", rootPids: [workerd as number], descendants: false }]);
  const [profile, run] = await Promise.all([profileWorker(port, seconds + 3), load(seconds * 1000, 100_000)]);
  await sleep(500);
  const cpuMs = stop().ms.workerd ?? 0;
  api.close();
  const per = (ms: number) => (ms / run.ok).toFixed(3).padStart(7);
  console.log(
    `${run.ok} orders, ${run.errors} errors; workerd ${per(cpuMs)} CPU ms/order (/proc, idle not subtracted)`,
  );
  const self = selfTimes(profile);
  console.log(`sampled ${per(self.reduce((s, r) => s + r.ms, 0))} ms/order\n-- self`);
  for (const r of self.slice(0, 40))
    console.log(`${per(r.ms)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
  console.log("-- inclusive");
  for (const r of totalTimes(profile).slice(0, 90))
    console.log(`${per(r.ms)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
  if (process.env.PROFILE_OUT)
    (await import("node:fs")).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
} finally {
  for (const release of releases.reverse()) await release();
  rmSync(tmpDir, { recursive: true, force: true });
}
process.exit(0);
