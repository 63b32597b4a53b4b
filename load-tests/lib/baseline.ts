import { asComparableSummary, type BaselineComparison, formatMeasure } from "../../policy/load-comparison.ts";
import type { LoadSummary } from "./summary.ts";

// The runner's side of the baseline comparison: its flags, its exit code on a regression and the
// text it prints. The comparison itself (the verdicts against policy's tolerances) is
// policy/load-comparison.ts, which the engine's run diff shares. Pure: the page bundles it.

/** `npm run load`'s exit code when a measure regressed beyond its tolerance and FAIL_ON_REGRESSION was given. */
export const REGRESSION_EXIT_CODE = 4;
/** The runner's flag that turns a regression into a failed job (CI's load-test job passes it). */
export const FAIL_ON_REGRESSION = "--fail-on-regression";
/** The runner's flag that names the baseline; without it, load-tests/measured/<profile>.json. */
export const BASELINE_FLAG = "--baseline";

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

/** Checks that parsed JSON is a load-test summary (policy's check), typed as the runner writes it. */
export function asLoadSummary(value: unknown, name: string): LoadSummary {
  return asComparableSummary(value, name) as LoadSummary;
}
