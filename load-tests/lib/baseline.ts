import {
  type BaselineMeasure,
  type BaselineMeasureId,
  LOAD_BASELINE_MEASURE_LIST,
} from "../../policy/load-baseline.ts";
import type { LoadSummary } from "./summary.ts";

// A load-test summary compared with a baseline summary, measure by measure (p95 of practice calls,
// error rate, throughput), each with a verdict: regressed, held or improved, by how much. The
// tolerances are policy's (policy/load-baseline.ts). The runner prints it after every run; the run
// diff (npm run runbook -- diff) shows it for two load-test runs. Pure: the page bundles it.

/** `npm run load`'s exit code when a measure regressed beyond its tolerance and FAIL_ON_REGRESSION was given. */
export const REGRESSION_EXIT_CODE = 4;
/** The runner's flag that turns a regression into a failed job (CI's load-test job passes it). */
export const FAIL_ON_REGRESSION = "--fail-on-regression";
/** The runner's flag that names the baseline; without it, load-tests/measured/<profile>.json. */
export const BASELINE_FLAG = "--baseline";

export type Verdict = "regressed" | "held" | "improved" | "not comparable";

export interface MeasureComparison {
  measure: BaselineMeasureId;
  title: string;
  unit: BaselineMeasure["unit"];
  baseline: number | null;
  current: number | null;
  /** current − baseline, in the measure's unit. */
  delta: number | null;
  /** The change as a percentage of the baseline (null when the baseline is 0 or missing). */
  changePct: number | null;
  verdict: Verdict;
  /** "regressed by 23.4% (tolerance 15%)", "held (+2.1%, tolerance 15%)", "not comparable: …". */
  text: string;
}

export interface BaselineComparison {
  /** What the baseline is (its file, or the run it came from), as the caller names it. */
  baselineName: string;
  measures: MeasureComparison[];
  /** Differences that make the comparison weaker: another profile, variant or tool. */
  warnings: string[];
  /** True when some measure regressed beyond its tolerance. */
  regressed: boolean;
}

/** The value of a measure in a summary; null when the summary lacks it. */
export function measureValue(summary: LoadSummary, measure: BaselineMeasureId): number | null {
  const metrics = summary.metrics ?? {};
  switch (measure) {
    case "p95":
      return metrics["http_req_duration{kind:practice}"]?.p95 ?? null;
    case "error-rate":
      return metrics.http_req_failed?.rate ?? null;
    case "throughput":
      return metrics.http_reqs?.rate ?? null;
  }
}

/** The verdict of one measure: beyond the tolerance in the worse direction regresses, in the better one improves. */
export function judge(
  measure: BaselineMeasure,
  baseline: number | null,
  current: number | null,
): Omit<MeasureComparison, "measure" | "title" | "unit"> {
  if (baseline === null || current === null || !Number.isFinite(baseline) || !Number.isFinite(current))
    return {
      baseline,
      current,
      delta: null,
      changePct: null,
      verdict: "not comparable",
      text: `not comparable: the ${baseline === null ? "baseline" : "run"} has no ${measure.title}`,
    };
  const delta = current - baseline;
  const changePct = baseline === 0 ? null : (delta / Math.abs(baseline)) * 100;
  // How much worse it got, in the unit the tolerance is in (negative: better).
  const worse = measure.better === "lower" ? delta : -delta;
  const allowed =
    measure.toleranceKind === "relative" ? measure.tolerance * Math.abs(baseline) : measure.tolerance;
  // Exactly at the tolerance still holds: "beyond the tolerance" regresses.
  const verdict: Verdict = worse > allowed ? "regressed" : -worse > allowed ? "improved" : "held";
  const tolerance =
    measure.toleranceKind === "relative"
      ? `tolerance ${formatNumber(measure.tolerance * 100)}%`
      : `tolerance ${formatAbsolute(measure, measure.tolerance)}`;
  const by = byText(measure, delta, changePct);
  return {
    baseline,
    current,
    delta,
    changePct,
    verdict,
    text:
      verdict === "held"
        ? `held (${by}, ${tolerance})`
        : `${verdict} by ${by.replace(/^[+-]/, "")} (${tolerance})`,
  };
}

/** The change in the unit a reader expects: per cent of the baseline, or percentage points for a rate. */
function byText(measure: BaselineMeasure, delta: number, changePct: number | null): string {
  const sign = delta > 0 ? "+" : delta < 0 ? "-" : "±";
  if (measure.unit === "ratio") return `${sign}${formatNumber(Math.abs(delta) * 100, 2)} percentage points`;
  if (changePct === null) return `${sign}${formatAbsolute(measure, Math.abs(delta))}`;
  return `${sign}${formatNumber(Math.abs(changePct))}%`;
}

function formatAbsolute(measure: BaselineMeasure, value: number): string {
  if (measure.unit === "ratio") return `${formatNumber(value * 100, 2)} percentage points`;
  return `${formatNumber(value)} ${measure.unit}`;
}

function formatNumber(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}

/** A measure's value as the tables print it. */
export function formatMeasure(unit: BaselineMeasure["unit"], value: number | null): string {
  if (value === null) return "–";
  if (unit === "ratio") return `${formatNumber(value * 100, 2)}%`;
  return `${formatNumber(value)} ${unit}`;
}

/** Every measure of `current` against `baseline`. */
export function compareWithBaseline(
  current: LoadSummary,
  baseline: LoadSummary,
  baselineName: string,
): BaselineComparison {
  const measures = LOAD_BASELINE_MEASURE_LIST.map((measure) => {
    const id = measure.id as BaselineMeasureId;
    return {
      measure: id,
      title: measure.title,
      unit: measure.unit,
      ...judge(measure, measureValue(baseline, id), measureValue(current, id)),
    };
  });
  const warnings: string[] = [];
  if (current.profile !== baseline.profile)
    warnings.push(
      `the baseline is a ${baseline.profile} run and this is a ${current.profile} run: their loads differ`,
    );
  if (current.variant !== baseline.variant)
    warnings.push(`the baseline is the ${baseline.variant} variant and this is the ${current.variant} one`);
  if (current.tool !== baseline.tool)
    warnings.push(`the baseline was measured with ${baseline.tool} and this run with ${current.tool}`);
  return { baselineName, measures, warnings, regressed: measures.some((m) => m.verdict === "regressed") };
}

/** The comparison as the runner prints it. */
export function comparisonText(comparison: BaselineComparison): string {
  const lines = [
    `compared with the baseline ${comparison.baselineName} (tolerances from policy/load-baseline.ts):`,
  ];
  for (const warning of comparison.warnings) lines.push(`  warning: ${warning}`);
  const width = Math.max(...comparison.measures.map((m) => m.title.length));
  for (const m of comparison.measures)
    lines.push(
      `  ${m.title.padEnd(width)}  ${formatMeasure(m.unit, m.baseline).padStart(12)} → ${formatMeasure(m.unit, m.current).padStart(12)}  ${m.text}`,
    );
  lines.push(
    comparison.regressed
      ? "REGRESSED: a measure is worse than the baseline beyond its tolerance"
      : "no regression beyond the tolerances",
  );
  return `${lines.join("\n")}\n`;
}

/** Checks that parsed JSON is a load-test summary before it is compared; names what is missing. */
export function asLoadSummary(value: unknown, name: string): LoadSummary {
  const summary = value as Partial<LoadSummary> | null;
  if (!summary || typeof summary !== "object" || summary.schema !== 1)
    throw new Error(`${name} is not a load-test summary (no "schema": 1); pass a <profile>-summary.json`);
  if (!summary.metrics || typeof summary.metrics !== "object")
    throw new Error(`${name} is a summary without "metrics"`);
  return summary as LoadSummary;
}
