import type { Options, Threshold } from "k6/options";
import { type Profile, stagesOf, type Variant } from "./profiles.ts";
import { sloThresholds } from "./thresholds.ts";

// Profile → k6 options: one ramping-vus scenario with the profile's stages, and the SLO thresholds.
// Pure (the k6 import is types only), so it is unit-tested under Node.

/** The trend statistics k6 puts in handleSummary's data: the summary needs all of them. */
export const SUMMARY_TREND_STATS = ["avg", "min", "med", "max", "p(50)", "p(90)", "p(95)", "p(99)", "count"];

export function buildOptions(profile: Profile, variant: Variant): Options {
  const thresholds: Record<string, Threshold[]> = {};
  for (const [metric, specs] of Object.entries(sloThresholds(profile.abortOnFail))) {
    thresholds[metric] = specs.map((spec) =>
      // delayAbortEval: let a few hundred requests arrive before a percentile can stop the run.
      spec.abortOnFail
        ? { threshold: spec.expression, abortOnFail: true, delayAbortEval: "30s" }
        : spec.expression,
    );
  }
  return {
    scenarios: {
      [profile.name]: {
        executor: "ramping-vus",
        startVUs: 0,
        stages: stagesOf(profile, variant).map((stage) => ({
          duration: `${stage.durationS}s`,
          target: stage.target,
        })),
        gracefulRampDown: "10s",
        gracefulStop: "10s",
      },
    },
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
    tags: { profile: profile.name },
    // The VU code reads bodies (tokens, exercise ids); nothing else is discarded either.
    discardResponseBodies: false,
  };
}
