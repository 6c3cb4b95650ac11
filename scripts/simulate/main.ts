// `npm run simulate`: the city-scale scenario (`--scenario lisbon-friday`,
// run in this process) or the simulator that drives the local platform
// (scripts/simulate.ts). The scenario's flags are parsed here.
//
//   npm run simulate -- --scenario lisbon-friday [--dispatch today|new|both] [--couriers 24000]
//       [--kitchens 3000] [--peak-rate 20] [--hours 3.5] [--seed 42] [--eta learned|fixed] [--report scenario.json]
//     exits 1 when an invariant breaks (an order stuck, an event lost, a projected row disagreeing)
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

if (process.argv.includes("--scenario") || process.argv.some((a) => a.startsWith("--scenario="))) {
  const { values: args } = parseArgs({
    options: {
      scenario: { type: "string" },
      dispatch: { type: "string", default: "new" },
      couriers: { type: "string" },
      kitchens: { type: "string" },
      "peak-rate": { type: "string" },
      hours: { type: "string" },
      seed: { type: "string" },
      eta: { type: "string" },
      report: { type: "string" },
    },
    strict: true,
  });
  if (args.scenario !== "lisbon-friday") {
    console.error(`Unknown scenario "${args.scenario}"; try --scenario lisbon-friday.`);
    process.exit(2);
  }
  if (!["today", "new", "both"].includes(args.dispatch)) {
    console.error(`--dispatch is today, new or both, not "${args.dispatch}".`);
    process.exit(2);
  }
  const { LISBON_FRIDAY, runScenario } = await import("./scenario.ts");
  const { comparisonTable, printReport } = await import("./report.ts");
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const base = {
    couriers: num(args.couriers, LISBON_FRIDAY.couriers),
    kitchens: num(args.kitchens, LISBON_FRIDAY.kitchens),
    peakRate: num(args["peak-rate"], LISBON_FRIDAY.peakRate),
    hours: num(args.hours, LISBON_FRIDAY.hours),
    seed: num(args.seed, LISBON_FRIDAY.seed),
    ...(args.eta === "fixed" || args.eta === "learned" ? { eta: args.eta as "fixed" | "learned" } : {}),
  };
  const modes = args.dispatch === "both" ? (["today", "new"] as const) : ([args.dispatch as "today" | "new"] as const);
  const reports = modes.map((dispatch) => {
    const opts = { ...base, dispatch };
    const report = runScenario(opts);
    printReport(opts, report);
    return report;
  });
  const [today, next] = reports;
  if (today && next) {
    console.log("\n| seed | metric | today | new |\n| --- | --- | --- | --- |");
    console.log(comparisonTable(base.seed, today, next));
  }
  if (args.report)
    await writeFile(args.report, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  // A synthetic monitor: a broken invariant fails the run.
  process.exit(reports.some((r) => r.violations.length > 0) ? 1 : 0);
} else {
  await import("../simulate.ts");
}
