// (6) Size and start-up of each Worker: the bundle `wrangler deploy --dry-run
// --outdir` writes (total and gzip, as built and minified), the start-up CPU
// profile `wrangler check startup` takes of it, and the local cold start
// (Miniflare up, then the first answered request).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { gzipSync } from "node:zlib";
import { type BenchResult, machineInfo, type Table } from "./lib/results.ts";
import { acrossRuns, median } from "./lib/stats.ts";
import { describePinning, pinnedCommand } from "./lib/taskset.ts";
import {
  BIN_DIR,
  type Bundle,
  buildBundle,
  childEnv,
  type Harness,
  ROOT,
  startWorker,
  waitHealthy,
} from "./platform.ts";

const GOAL_GZIP_BYTES = 1024 * 1024;
const KiB = 1024;

interface Size {
  bytes: number;
  gzipBytes: number;
  files: number;
}

function bundleSize(dir: string): Size {
  let bytes = 0;
  let gzipBytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    // What is uploaded: modules, not source maps or wrangler's README.
    if (name.endsWith(".map") || name === "README.md") continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const content = readFileSync(path);
    bytes += content.length;
    gzipBytes += gzipSync(content).length;
    files++;
  }
  return { bytes, gzipBytes, files };
}

/** Every Worker of the project: the top-level wrangler.toml and any under workers/ (bench/ is not deployed). */
function workerConfigs(): string[] {
  const configs = [join(ROOT, "wrangler.toml")];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== "node_modules") walk(join(dir, entry.name));
      else if (/^wrangler\.(toml|json|jsonc)$/.test(entry.name)) configs.push(join(dir, entry.name));
    }
  };
  if (existsSync(join(ROOT, "workers"))) walk(join(ROOT, "workers"));
  return configs;
}

interface StartupProfile {
  activeMs: number;
  gcMs: number;
  windowMs: number;
}

/** `wrangler check startup`: workerd's CPU profile of evaluating the bundle's top level. */
function checkStartup(h: Harness, bundle: Bundle, run: number): StartupProfile {
  const outfile = join(h.tmpDir, `startup-${run}.cpuprofile`);
  const [cmd, args] = pinnedCommand(h.pinning, "server", join(BIN_DIR, "wrangler"), [
    "check",
    "startup",
    "--config",
    bundle.configPath,
    "--worker",
    bundle.formPath,
    "--outfile",
    outfile,
  ]);
  const result = spawnSync(cmd, args, { cwd: ROOT, env: childEnv(), encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`wrangler check startup failed:\n${result.stdout}\n${result.stderr}`);
  // wrangler's own summary of the profile: "Profile window: X ms", "Active: Y ms (including Z ms garbage collection)".
  const text = stripVTControlCharacters(result.stdout);
  const active = /Active:\s*([\d.]+)\s*ms(?:\s*\(including\s*([\d.]+)\s*ms garbage)?/.exec(text);
  const window = /Profile window:\s*([\d.]+)\s*ms/.exec(text);
  if (!active || !existsSync(outfile)) throw new Error(`unexpected output from wrangler check startup:\n${text}`);
  return { activeMs: Number(active[1]), gcMs: Number(active[2] ?? 0), windowMs: Number(window?.[1] ?? Number.NaN) };
}

export async function runSize(h: Harness): Promise<BenchResult> {
  const rows: Table["rows"] = [];
  const startupRows: Table["rows"] = [];
  const data: Record<string, unknown> = {};
  let apiGzip = Number.NaN;
  const repeats = h.quick ? 1 : 3;
  for (const configPath of workerConfigs()) {
    const name = relative(ROOT, configPath);
    const built = await buildBundle(h, configPath);
    const minified = await buildBundle(h, configPath, true);
    const size = bundleSize(built.outDir);
    const sizeMin = bundleSize(minified.outDir);
    if (configPath === join(ROOT, "wrangler.toml")) apiGzip = size.gzipBytes;
    rows.push(
      [name, "as configured", (size.bytes / KiB).toFixed(1), (size.gzipBytes / KiB).toFixed(1), built.wranglerSummary],
      [
        name,
        "--minify",
        (sizeMin.bytes / KiB).toFixed(1),
        (sizeMin.gzipBytes / KiB).toFixed(1),
        minified.wranglerSummary,
      ],
    );

    const profiles: StartupProfile[] = [];
    for (let r = 0; r < repeats; r++) profiles.push(checkStartup(h, built, r));
    // Local cold start: a fresh Miniflare (no persisted state) until the first /v1/health answer.
    const cold: { readyMs: number; firstRequestMs: number }[] = [];
    if (configPath === join(ROOT, "wrangler.toml")) {
      for (let r = 0; r < repeats; r++) {
        const worker = await startWorker(h, {
          name: `cold-start-${r}`,
          persist: false,
          bundle: built,
          bindings: { DATABASE_URL: "postgres://unused@127.0.0.1:1/none", JWT_PRIVATE_KEYS: "[]" },
        });
        const firstRequestMs = await waitHealthy(worker.url, 30_000);
        cold.push({ readyMs: worker.readyMs, firstRequestMs });
        await worker.stop();
      }
    }
    const active = acrossRuns(profiles.map((p) => p.activeMs));
    startupRows.push([
      name,
      `${active.median.toFixed(1)} (${active.min.toFixed(1)}–${active.max.toFixed(1)})`,
      median(profiles.map((p) => p.gcMs)).toFixed(1),
      cold.length ? median(cold.map((c) => c.readyMs)).toFixed(0) : "–",
      cold.length ? median(cold.map((c) => c.firstRequestMs)).toFixed(1) : "–",
    ]);
    data[name] = { size, minified: sizeMin, wrangler: built.wranglerSummary, profiles, cold, buildMs: built.buildMs };
  }
  return {
    name: "size",
    title: "(6) Worker bundle size and start-up",
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning)),
    goals: [
      {
        text: "API Worker ≤ 1 MiB gzip",
        met: Number.isFinite(apiGzip) ? apiGzip <= GOAL_GZIP_BYTES : null,
        detail: `${(apiGzip / KiB).toFixed(1)} KiB gzip as configured (limit ${GOAL_GZIP_BYTES / KiB} KiB)`,
      },
    ],
    durability: [],
    notes: [
      "One deployable Worker today (wrangler.toml: API fetch handler, queue consumer and the Durable Object classes); the table grows with any wrangler config under workers/.",
      "Size counts the uploaded modules (no source maps); gzip is Node's zlib at its default level, wrangler's own summary beside it.",
      `Start-up CPU: \`wrangler check startup\` profiles workerd evaluating the bundle's top level; active = wrangler's "Active" (non-idle CPU), median of ${repeats}. Local cold start: a fresh Miniflare process until ready, then the first /v1/health answer.`,
    ],
    headline: {
      title: "Bundle (wrangler deploy --dry-run --outdir)",
      columns: ["Worker", "build", "total KiB", "gzip KiB", "wrangler says"],
      rows,
    },
    tables: [
      {
        title: "Start-up",
        columns: [
          "Worker",
          "start-up CPU ms, median (min–max)",
          "of which GC ms",
          "Miniflare ready ms",
          "first request ms",
        ],
        rows: startupRows,
      },
    ],
    data,
  };
}
