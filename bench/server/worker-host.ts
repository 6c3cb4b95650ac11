// Hosts a Worker for the benchmarks through Miniflare's API: the exact bundle
// `wrangler deploy --dry-run` produced, with the bindings wrangler itself
// derives from the wrangler config (unstable_getMiniflareWorkerOptions), run
// by the Miniflare (and workerd) that wrangler depends on, i.e. the runtime
// `wrangler dev` would use. Durable Objects, KV and D1 persist to disk under
// a fresh directory, like `wrangler dev` does. Unlike `wrangler dev`, no
// secrets are read from `.dev.vars`/`.env` (see below).
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { announceReady, onStop } from "../lib/processes.ts";

export interface WorkerHostConfig {
  configPath: string;
  bundlePath: string;
  port: number;
  persistDir: string | null;
  bindings: Record<string, string>;
  /**
   * A bench-only Worker in the same Miniflare instance, reached on its own port
   * (`probePort`), with its own Durable Objects plus bindings to this Worker's
   * classes (`durableObjects: { ZONE: "ZoneDO" }` becomes `{ className: "ZoneDO",
   * scriptName: "bench-worker" }`): how it calls the platform's very objects.
   */
  probe?: {
    bundlePath: string;
    port: number;
    ownDurableObjects: Record<string, string>;
    platformDurableObjects: Record<string, string>;
  };
}

interface MiniflareModule {
  Miniflare: new (options: unknown) => { ready: Promise<URL>; dispose(): Promise<void> };
  convertV4MiniflareOptions(options: unknown): unknown;
}

const config = JSON.parse(process.env.BENCH_WORKER_HOST ?? "null") as WorkerHostConfig | null;
if (!config) throw new Error("BENCH_WORKER_HOST is not set");

const started = performance.now();
// The miniflare that wrangler resolves (wrangler pins its own, newer than the top-level one).
const wranglerRequire = createRequire(createRequire(import.meta.url).resolve("wrangler"));
const { Miniflare, convertV4MiniflareOptions } = (await import(
  pathToFileURL(wranglerRequire.resolve("miniflare")).href
)) as MiniflareModule;

// Bindings come only from the config's [vars] plus the harness's own (config.bindings), never
// from a developer's `.dev.vars` or `.env` (npm start's secrets). Left to itself, wrangler's config
// reader merges `.dev.vars` next to wrangler.toml into the bindings ("Using secrets defined in
// .dev.vars"); given an explicit env file it reads only that file instead, so it gets an empty
// one. And whatever wrangler derives, only the names declared under [vars] are kept.
const wranglerConfig = unstable_readConfig({ config: config.configPath });
const emptyEnvDir = mkdtempSync(join(tmpdir(), "bench-worker-env-"));
const emptyEnvFile = join(emptyEnvDir, "empty.env");
writeFileSync(emptyEnvFile, "");
let derived: ReturnType<typeof unstable_getMiniflareWorkerOptions>;
try {
  // `envFiles` is accepted at runtime (wrangler passes it to its getVarsForDev) though not in the public type.
  derived = unstable_getMiniflareWorkerOptions(wranglerConfig, undefined, {
    envFiles: [emptyEnvFile],
  } as Parameters<typeof unstable_getMiniflareWorkerOptions>[2]);
} finally {
  rmSync(emptyEnvDir, { recursive: true, force: true });
}
// The bundle is one ES module already; module rules are for unbundled sources (and v5 cannot convert them).
const { modulesRules: _rules, ...workerOptions } = derived.workerOptions;
const declaredVars = new Set(Object.keys(wranglerConfig.vars ?? {}));
const vars: Record<string, unknown> = {};
for (const [name, value] of Object.entries(workerOptions.bindings ?? {})) {
  if (typeof value === "string" && declaredVars.has(name)) vars[name] = value;
}
/**
 * The bundle's modules, typed: the main ES module plus the files wrangler wrote
 * beside it for its module rules (the API docs' Swagger UI script and style,
 * imported as text). Miniflare v5 takes no module rules, only a typed list;
 * left to itself it finds no module for the style and loads the script as code.
 */
function bundleModules(bundlePath: string, textGlobs: readonly string[]) {
  const dir = dirname(bundlePath);
  // wrangler names an extra module `<hash>-<original name>`: the rules' globs are matched on that name.
  const textNames = textGlobs.map((glob) => basename(glob));
  const modules = readdirSync(dir)
    .filter((file) => /\.(m?js|css|txt|html|wasm|bin)$/.test(file))
    .map((file) => {
      const path = join(dir, file);
      if (path === bundlePath) return { type: "ESModule", path };
      const original = file.replace(/^[0-9a-f]{40}-/, "");
      if (file.endsWith(".wasm")) return { type: "CompiledWasm", path };
      if (file.endsWith(".bin")) return { type: "Data", path };
      if (!/\.m?js$/.test(file) || textNames.includes(original)) return { type: "Text", path };
      return { type: "ESModule", path };
    });
  // The main module first: Miniflare takes the first as the entry point.
  return [...modules.filter((m) => m.path === bundlePath), ...modules.filter((m) => m.path !== bundlePath)];
}
const rules: { type: string; globs: string[] }[] = wranglerConfig.rules ?? [];
const textGlobs = rules.filter((r) => r.type === "Text").flatMap((r) => r.globs);

let infoLogs = 0;
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: config.port,
    logRequests: false,
    // BENCH_INSPECTOR_PORT: a CPU profile of the Worker and its DOs (bench/lib/cpu-profile.ts) without changing the run otherwise.
    ...(process.env.BENCH_INSPECTOR_PORT ? { inspectorPort: Number(process.env.BENCH_INSPECTOR_PORT) } : {}),
    ...(config.persistDir ? { resourcePersistencePath: config.persistDir } : {}),
    // Request logs are JSON at info level: counted, not echoed (the terminal is not the benchmark).
    handleStructuredLogs: (log: { level?: string; message?: string }) => {
      // MINIFLARE_WORKERD_V8_FLAGS=--trace-gc BENCH_GC_LOG=FILE: V8's collections in workerd, with the host's clock
      // (decision 58 addendum).
      if (
        process.env.BENCH_GC_LOG &&
        log.message &&
        /(Scavenge|Mark-Compact|Mark-Sweep|Minor Mark)/.test(log.message)
      ) {
        appendFileSync(process.env.BENCH_GC_LOG, `${Date.now()} ${log.message}\n`);
        return;
      }
      if (log.level === "info" || log.level === "log" || log.message?.includes('"level":"info"')) infoLogs++;
      else process.stderr.write(`${log.level}: ${log.message}\n`);
    },
    workers: [
      {
        ...workerOptions,
        name: "bench-worker",
        modules: bundleModules(config.bundlePath, textGlobs),
        // The bundle lives in a temp directory: module names are relative to it.
        modulesRoot: dirname(config.bundlePath),
        bindings: { ...vars, ...config.bindings },
      },
      ...(config.probe
        ? [
            {
              name: "bench-probe",
              modules: true,
              modulesRoot: dirname(config.probe.bundlePath),
              scriptPath: config.probe.bundlePath,
              compatibilityDate: workerOptions.compatibilityDate,
              compatibilityFlags: workerOptions.compatibilityFlags,
              unsafeDirectSockets: [{ host: "127.0.0.1", port: config.probe.port }],
              durableObjects: {
                ...config.probe.ownDurableObjects,
                ...Object.fromEntries(
                  Object.entries(config.probe.platformDurableObjects).map(([binding, className]) => [
                    binding,
                    { className, scriptName: "bench-worker" },
                  ]),
                ),
              },
            },
          ]
        : []),
    ],
  }),
);
const url = await mf.ready;
const readyMs = performance.now() - started;
onStop(async () => {
  process.stderr.write(`worker-host: ${infoLogs} info log lines not echoed\n`);
  await mf.dispose();
});
announceReady({
  url: url.toString().replace(/\/$/, ""),
  readyMs,
  ...(config.probe ? { probeUrl: `http://127.0.0.1:${config.probe.port}` } : {}),
});
