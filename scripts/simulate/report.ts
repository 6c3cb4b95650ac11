// What the Lisbon Friday scenario prints: the figures issue 16 asks for, read
// from the simulated orders (stacking from overlapping rides, waiting from
// arrivals and handovers), and the side-by-side table of two dispatch modes.
import { quantile } from "../../domain/eta/calibration.ts";
import type { DispatchStats } from "./dispatch.ts";
import { type DispatchMode, MIN, type ScenarioOptions, type SimCourier, type SimOrder } from "./world.ts";

export interface ErrorFigure {
  meanAbsMin: number;
  p90AbsMin: number;
}

export interface ScenarioReport {
  dispatch: DispatchMode;
  placed: number;
  refusedByKitchens: number;
  delivered: number;
  /** The busiest minute's placements, per second. */
  peakPlacedPerSecond: number;
  placedToDeliveredP50Min: number;
  placedToDeliveredP95Min: number;
  courierUtilisation: number;
  offersPerAssignment: number;
  stackedShare: number;
  /** placed → delivered p95 of the stacked deliveries alone: what stacking costs its customers. */
  stackedP95Min: number;
  courierWaitAtPickupMeanMin: number;
  courierWaitAtPickupP95Min: number;
  etaError: { model: string } & ErrorFigure;
  etaErrorFixed: ErrorFigure;
  etaErrorLearned: ErrorFigure;
  surgeMinutesByArea: Record<string, number>;
  surgedOrderShare: number;
  violations: string[];
  wallMs: number;
}

export interface Outcome {
  mode: DispatchMode;
  etaModel: "fixed" | "learned";
  orders: SimOrder[];
  couriers: SimCourier[];
  refused: number;
  stats: DispatchStats;
  surgeMs: Map<string, number>;
  violations: string[];
  wallMs: number;
  handoverMs: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const ascending = (xs: number[]) => xs.sort((a, b) => a - b);

export function figures(o: Outcome): ScenarioReport {
  const { orders, couriers } = o;
  const delivered = orders.filter((x) => x.deliveredAt !== null);
  const p2d = ascending(delivered.map((x) => ((x.deliveredAt as number) - x.placedAt) / MIN));
  const err = (key: "quotedAt" | "quotedFixedAt" | "quotedLearnedAt"): ErrorFigure => {
    const e = ascending(delivered.map((x) => Math.abs((x.deliveredAt as number) - x[key]) / MIN));
    return { meanAbsMin: mean(e), p90AbsMin: quantile(e, 0.9) };
  };
  // Utilisation over the evening: from the first order to the last delivery.
  let span = 1;
  for (const x of delivered) span = Math.max(span, x.deliveredAt as number);
  const busy = couriers.reduce((s, c) => s + c.busyMs + (c.busySince === null ? 0 : span - c.busySince), 0);
  // Stacked: a delivery whose courier carried another order at the same time (read from the data, not the engine).
  const byCourier = new Map<number, SimOrder[]>();
  for (const x of delivered) {
    const id = (x.courier as SimCourier).id;
    const list = byCourier.get(id);
    if (list) list.push(x);
    else byCourier.set(id, [x]);
  }
  const stackedTimes: number[] = [];
  for (const list of byCourier.values()) {
    for (const x of list) {
      const from = x.pickedUpAt as number;
      const to = x.deliveredAt as number;
      if (list.some((p) => p !== x && (p.pickedUpAt as number) < to && (p.deliveredAt as number) > from))
        stackedTimes.push((to - x.placedAt) / MIN);
    }
  }
  const stacked = stackedTimes.length;
  const waits = ascending(
    delivered
      .filter((x) => x.arrivedAt !== null && x.pickedUpAt !== null)
      .map((x) => Math.max(0, (x.pickedUpAt as number) - o.handoverMs / 2 - (x.arrivedAt as number)) / MIN),
  );
  const perMinute = new Map<number, number>();
  for (const x of orders) {
    const m = Math.floor(x.placedAt / MIN);
    perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
  }
  return {
    dispatch: o.mode,
    placed: orders.length,
    refusedByKitchens: o.refused,
    delivered: delivered.length,
    peakPlacedPerSecond: Math.max(0, ...perMinute.values()) / 60,
    placedToDeliveredP50Min: quantile(p2d, 0.5),
    placedToDeliveredP95Min: quantile(p2d, 0.95),
    courierUtilisation: busy / (couriers.length * span),
    offersPerAssignment: o.stats.offers / Math.max(1, o.stats.assignments),
    stackedShare: stacked / Math.max(1, delivered.length),
    stackedP95Min: quantile(ascending(stackedTimes), 0.95),
    courierWaitAtPickupMeanMin: mean(waits),
    courierWaitAtPickupP95Min: quantile(waits, 0.95),
    etaError: { model: o.etaModel, ...err("quotedAt") },
    etaErrorFixed: err("quotedFixedAt"),
    etaErrorLearned: err("quotedLearnedAt"),
    surgeMinutesByArea: Object.fromEntries([...o.surgeMs].map(([a, ms]) => [a, ms / MIN])),
    surgedOrderShare: orders.filter((x) => x.surgeBps > 10_000).length / Math.max(1, orders.length),
    violations: o.violations,
    wallMs: o.wallMs,
  };
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

export function printReport(opts: ScenarioOptions, r: ScenarioReport): void {
  console.log(
    `\nScenario "Lisbon Friday dinner", dispatch ${r.dispatch}: ${opts.couriers} couriers, ${opts.kitchens} kitchens, peak ${opts.peakRate} orders/s, ${opts.hours} h from 18:30, seed ${opts.seed} (${f(r.wallMs / 1000)} s wall)`,
  );
  console.log(
    `  orders placed / delivered     ${r.placed} / ${r.delivered} (${r.refusedByKitchens} refused: kitchens full; busiest minute ${f(r.peakPlacedPerSecond)} orders/s)`,
  );
  console.log(`  placed → delivered p50 / p95  ${f(r.placedToDeliveredP50Min)} / ${f(r.placedToDeliveredP95Min)} min`);
  console.log(`  courier utilisation           ${f(r.courierUtilisation * 100)} %`);
  console.log(
    `  courier wait at restaurants   mean ${f(r.courierWaitAtPickupMeanMin)} min, p95 ${f(r.courierWaitAtPickupP95Min)} min`,
  );
  console.log(`  offers per assignment         ${f(r.offersPerAssignment, 2)}`);
  console.log(
    `  stacked deliveries            ${f(r.stackedShare * 100)} % (their placed → delivered p95 ${f(r.stackedP95Min)} min)`,
  );
  console.log(
    `  ETA error, quoted (${r.etaError.model}) vs actual: mean abs ${f(r.etaError.meanAbsMin)} min, p90 ${f(r.etaError.p90AbsMin)} min`,
  );
  console.log(
    `    fixed model:   mean abs ${f(r.etaErrorFixed.meanAbsMin)} min, p90 ${f(r.etaErrorFixed.p90AbsMin)} min;  learned: mean abs ${f(r.etaErrorLearned.meanAbsMin)} min, p90 ${f(r.etaErrorLearned.p90AbsMin)} min`,
  );
  const surge = Object.entries(r.surgeMinutesByArea)
    .map(([a, m]) => `${a} ${f(m, 0)} min`)
    .join(", ");
  console.log(`  surge time                    ${surge}; ${f(r.surgedOrderShare * 100)} % of orders quoted with surge`);
  if (r.violations.length === 0)
    console.log("  invariants                    ok (no stuck order, no lost event, projection agrees)");
  for (const v of r.violations) console.log(`  INVARIANT BROKEN: ${v}`);
}

/** Markdown: today's dispatch against the new one on the same seed and demand. */
export function comparisonTable(seed: number, today: ScenarioReport, next: ScenarioReport): string {
  const row = (name: string, a: string, b: string) => `| ${seed} | ${name} | ${a} | ${b} |`;
  return [
    row("placed / delivered", `${today.placed} / ${today.delivered}`, `${next.placed} / ${next.delivered}`),
    row(
      "placed → delivered p50 / p95 (min)",
      `${f(today.placedToDeliveredP50Min)} / ${f(today.placedToDeliveredP95Min)}`,
      `${f(next.placedToDeliveredP50Min)} / ${f(next.placedToDeliveredP95Min)}`,
    ),
    row(
      "courier wait at restaurants mean / p95 (min)",
      `${f(today.courierWaitAtPickupMeanMin)} / ${f(today.courierWaitAtPickupP95Min)}`,
      `${f(next.courierWaitAtPickupMeanMin)} / ${f(next.courierWaitAtPickupP95Min)}`,
    ),
    row("courier utilisation", `${f(today.courierUtilisation * 100)} %`, `${f(next.courierUtilisation * 100)} %`),
    row("offers per assignment", f(today.offersPerAssignment, 2), f(next.offersPerAssignment, 2)),
    row("stacked deliveries", `${f(today.stackedShare * 100)} %`, `${f(next.stackedShare * 100)} %`),
    row(
      "ETA error, fixed model: mean / p90 (min)",
      `${f(today.etaErrorFixed.meanAbsMin)} / ${f(today.etaErrorFixed.p90AbsMin)}`,
      `${f(next.etaErrorFixed.meanAbsMin)} / ${f(next.etaErrorFixed.p90AbsMin)}`,
    ),
    row(
      "ETA error, learned model: mean / p90 (min)",
      `${f(today.etaErrorLearned.meanAbsMin)} / ${f(today.etaErrorLearned.p90AbsMin)}`,
      `${f(next.etaErrorLearned.meanAbsMin)} / ${f(next.etaErrorLearned.p90AbsMin)}`,
    ),
    row(
      "surge time, all areas (min)",
      f(
        Object.values(today.surgeMinutesByArea).reduce((s, m) => s + m, 0),
        0,
      ),
      f(
        Object.values(next.surgeMinutesByArea).reduce((s, m) => s + m, 0),
        0,
      ),
    ),
  ].join("\n");
}
