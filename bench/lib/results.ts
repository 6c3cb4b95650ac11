// Results: bench/results/<name>.json (everything), <name>.md (tables),
// <name>-latency.svg (open-loop curves), and README-section.md, generated
// from every <name>.json present, for the README's performance section.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunsSummary } from "./stats.ts";
import { type Curve, latencyChart } from "./svg.ts";

export const RESULTS_DIR = fileURLToPath(new URL("../results", import.meta.url));

/** Quick runs prove the harness in CI; they go to results/quick/ so they never replace real figures. */
export function resultsDir(quick: boolean): string {
  return quick ? join(RESULTS_DIR, "quick") : RESULTS_DIR;
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres?: string;
  redis?: string;
  pinning: string;
}

export function machineInfo(pinning: string, extra: Partial<Machine> = {}): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    pinning,
    ...extra,
  };
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

export interface Goal {
  text: string;
  /** null when it could not be judged (quick mode, or our side not measured yet). */
  met: boolean | null;
  detail: string;
}

export interface BenchResult {
  name: string;
  title: string;
  date: string;
  quick: boolean;
  seed: number;
  machine: Machine;
  goals: Goal[];
  /** How our side and the peers differ in durability, stated next to the figures. */
  durability: string[];
  notes: string[];
  /** The README shows this table. */
  headline: Table;
  tables: Table[];
  curves?: { title: string; goalMs?: number; curves: Curve[] };
  data: Record<string, unknown>;
}

export const fmt = {
  ms: (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : "–"),
  rate: (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : "–"),
  spread: (s: { median: number; min: number; max: number }, f: (v: number) => string) =>
    `${f(s.median)} (${f(s.min)}–${f(s.max)})`,
};

/** Standard columns for one system's closed- or open-loop runs. */
export function runsRow(label: string, load: string, s: RunsSummary): (string | number)[] {
  return [
    label,
    load,
    fmt.spread(s.throughput, fmt.rate),
    fmt.spread(s.p50, fmt.ms),
    fmt.spread(s.p95, fmt.ms),
    fmt.spread(s.p99, fmt.ms),
    `${s.errors}${s.dropped ? ` / ${s.dropped} not sent` : ""}`,
  ];
}

export const RUNS_COLUMNS = ["system", "load", "throughput/s median (min–max)", "p50 ms", "p95 ms", "p99 ms", "errors"];

export function pendingRow(label: string, note: string, width = RUNS_COLUMNS.length): (string | number)[] {
  return [label, "not measured yet", ...Array.from({ length: width - 3 }, () => "–"), note];
}

function renderTable(table: Table, heading = "###"): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  const out = [`${heading} ${table.title}`, "", line(table.columns), line(table.columns.map(() => "---"))];
  for (const row of table.rows) out.push(line(row));
  if (table.notes?.length) out.push("", ...table.notes.map((n) => `- ${n}`));
  return out.join("\n");
}

function machineLine(m: Machine, date: string): string {
  return `${date.slice(0, 10)} on ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}${
    m.postgres ? `, ${m.postgres}` : ""
  }${m.redis ? `, Redis ${m.redis}` : ""}; ${m.pinning}`;
}

function goalLine(g: Goal): string {
  const mark = g.met === null ? "not judged" : g.met ? "met" : "missed";
  return `**${mark}**: ${g.text} (${g.detail})`;
}

export function renderMarkdown(r: BenchResult): string {
  const parts = [
    `## ${r.title}${r.quick ? " (quick mode: proves the harness, not the numbers)" : ""}`,
    "",
    `Measured ${machineLine(r.machine, r.date)}. Seed ${r.seed}.`,
    "",
    ...r.goals.map((g) => `- ${goalLine(g)}`),
    "",
    renderTable(r.headline),
    ...r.tables.flatMap((t) => ["", renderTable(t)]),
  ];
  if (r.durability.length) parts.push("", "Durability:", "", ...r.durability.map((d) => `- ${d}`));
  if (r.notes.length) parts.push("", "Notes:", "", ...r.notes.map((n) => `- ${n}`));
  if (r.curves) parts.push("", `![${r.curves.title}](${r.name}-latency.svg)`);
  return `${parts.join("\n")}\n`;
}

export async function writeResult(r: BenchResult): Promise<string[]> {
  const dir = resultsDir(r.quick);
  await mkdir(dir, { recursive: true });
  const files = [join(dir, `${r.name}.json`), join(dir, `${r.name}.md`)];
  await writeFile(files[0] as string, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(files[1] as string, renderMarkdown(r));
  if (r.curves) {
    const svg = join(dir, `${r.name}-latency.svg`);
    await writeFile(svg, latencyChart(r.curves.title, r.curves.curves, r.curves.goalMs));
    files.push(svg);
  }
  return files;
}

const ORDER = ["ingest", "knn", "orders", "fanout", "menus", "size", "sessions", "events"];

/** Regenerates README-section.md from every result file present. */
export async function writeReadmeSection(quick: boolean): Promise<string> {
  const dir = resultsDir(quick);
  await mkdir(dir, { recursive: true });
  const results = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as BenchResult)
    // Other measurements kept beside the results (bench/results/lifecycle.json) are not benchmarks.
    .filter((r) => typeof r.date === "string" && r.headline !== undefined)
    .sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  const out = [
    "<!-- Generated by `npm run bench` from bench/results/*.json; do not edit by hand. -->",
    "## Performance",
    "",
    "`npm run bench` starts what it needs (PostgreSQL database `delivery_bench`, the WebSocket proxy, the platform Worker in Miniflare, the peers), loads the demo city with a fixed seed, warms up, and takes at least three measured runs per figure; the tables show the median of the runs with the range across runs in brackets. `npm run bench -- NAME` runs one benchmark; `--quick` only proves the harness works. Full tables, JSON and charts: `bench/results/`.",
    "",
  ];
  for (const r of results) {
    out.push(
      `### ${r.title}${r.quick ? " (quick mode: not a measurement)" : ""}`,
      "",
      `_${machineLine(r.machine, r.date)}._`,
      "",
      ...r.goals.map((g) => `- ${goalLine(g)}`),
      "",
      renderTable({ ...r.headline, title: "" }, "").replace(/^ \n\n/, ""),
    );
    if (r.durability.length) out.push("", ...r.durability.map((d) => `- ${d}`));
    const rel = quick ? "bench/results/quick" : "bench/results";
    if (r.curves) out.push("", `![${r.curves.title}](${rel}/${r.name}-latency.svg)`);
    out.push("", `Details: [${rel}/${r.name}.md](${rel}/${r.name}.md)`, "");
  }
  const path = join(dir, "README-section.md");
  await writeFile(path, `${out.join("\n")}\n`);
  return path;
}
