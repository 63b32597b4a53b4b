// How far a load test may drift from its committed baseline (load-tests/measured/<profile>.json)
// before the runner calls it a regression. One entry per measure the Scaling Guide promises: the
// p95 of practice calls, the error rate and the throughput. The runner compares every run with the
// baseline and prints held / regressed / improved; `--fail-on-regression` (the CI load-test job)
// exits non-zero when one regressed beyond its tolerance. Pure data, like the rest of policy/.
import { listOf } from "./index.ts";

export interface BaselineMeasure {
  id: string;
  title: string;
  /** Which way is better. */
  better: "lower" | "higher";
  /**
   * relative: a share of the baseline's value (0.15 = 15%). absolute: in the measure's own unit;
   * the error rate is compared in absolute terms because its baseline is usually 0, of which every
   * share is 0.
   */
  toleranceKind: "relative" | "absolute";
  tolerance: number;
  unit: "ms" | "ratio" | "req/s";
}

export const LOAD_BASELINE_MEASURES = {
  p95: {
    title: "p95 latency of practice calls",
    better: "lower",
    toleranceKind: "relative",
    // Two short runs of the same code on the same 2-core machine differ by up to ~10% in p95.
    tolerance: 0.15,
    unit: "ms",
  },
  "error-rate": {
    title: "error rate (http_req_failed)",
    better: "lower",
    toleranceKind: "absolute",
    // 0.1 percentage point: a tenth of the SLO's error rate (1%).
    tolerance: 0.001,
    unit: "ratio",
  },
  throughput: {
    title: "throughput (requests per second)",
    better: "higher",
    toleranceKind: "relative",
    tolerance: 0.1,
    unit: "req/s",
  },
} as const satisfies Record<string, Omit<BaselineMeasure, "id">>;

export type BaselineMeasureId = keyof typeof LOAD_BASELINE_MEASURES;

/** The measures in the order written, each with its id. */
export const LOAD_BASELINE_MEASURE_LIST = listOf<BaselineMeasure>(LOAD_BASELINE_MEASURES);
