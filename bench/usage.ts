// `npx tsx bench/usage.ts` (about 40 s): runs workers/usage/order-usage.test.ts
// in workerd, which drives one order from placement to delivery through the
// API and counts its Durable Object requests, alarms, DO SQLite rows read and
// written, and KV reads and writes; keeps the counts it prints in
// bench/results/usage.json, which bench/cost.ts prices (decision 0054).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./platform.ts";

const run = spawnSync(
  "npx",
  ["vitest", "run", "--project", "workers", "workers/usage/order-usage.test.ts", "--testTimeout=60000"],
  {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  },
);
const output = `${run.stdout}\n${run.stderr}`;
const line = output.split("\n").find((l) => l.includes("USAGE {"));
if (run.status !== 0 || !line) {
  console.error(output.slice(-4000));
  console.error("the usage test failed or printed no USAGE line");
  process.exit(1);
}
const usage = JSON.parse(line.slice(line.indexOf("USAGE ") + 6)) as Record<string, unknown>;
const file = join(ROOT, "bench", "results", "usage.json");
writeFileSync(file, `${JSON.stringify(usage, null, 2)}\n`);
console.log(`wrote ${file}`);
console.log(JSON.stringify(usage, null, 2));
