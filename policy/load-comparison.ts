import { type BaselineMeasure, type BaselineMeasureId, LOAD_BASELINE_MEASURE_LIST } from "./load-baseline.ts";

// A load-test summary compared with a baseline summary, measure by measure (p95 of practice calls,
// error rate, throughput), each with a verdict: regressed, held or improved, by how much, against
// the tolerances of load-baseline.ts. Here, below both of its readers, so neither imports the
// other: the load-test runner prints it after every run (load-tests/lib/baseline.ts), and the
// engine's run diff (runbooks/engine/artifact-diff.ts) shows it for two load-test runs. Pure: the
// page bundles it.

/**
 * What a comparison reads of a summary: the fields of load-tests' LoadSummary it needs, so a
 * LoadSummary is one without policy/ importing load-tests/.
 */
export interface ComparableSummary {
  schema: 1;
  tool: string;
  profile: string;
  variant: string;
  /** Keys as in k6: http_req_duration{kind:practice}, http_req_failed, http_reqs, … */
  metrics: Record<string, { p95: number | null; rate: number | null }>;
}

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
export function measureValue(summary: ComparableSummary, measure: BaselineMeasureId): number | null {
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
  current: ComparableSummary,
  baseline: ComparableSummary,
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

/** Checks that parsed JSON is a load-test summary before it is compared; names what is missing. */
export function asComparableSummary(value: unknown, name: string): ComparableSummary {
  const summary = value as Partial<ComparableSummary> | null;
  if (!summary || typeof summary !== "object" || summary.schema !== 1)
    throw new Error(`${name} is not a load-test summary (no "schema": 1); pass a <profile>-summary.json`);
  if (!summary.metrics || typeof summary.metrics !== "object")
    throw new Error(`${name} is a summary without "metrics"`);
  return summary as ComparableSummary;
}
