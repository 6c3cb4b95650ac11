// The Lisbon Friday scenario moved to scripts/simulate/ (scenario.ts and its
// parts); this name stays for the callers that import it.

export { printReport, type ScenarioReport } from "./simulate/report.ts";
export { LISBON_FRIDAY, runScenario } from "./simulate/scenario.ts";
export { type DispatchMode, demandRate, type ScenarioOptions } from "./simulate/world.ts";
