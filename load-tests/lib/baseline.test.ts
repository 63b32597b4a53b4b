import { describe, expect, it } from "vitest";
import { type BaselineMeasure, LOAD_BASELINE_MEASURES } from "../../policy/load-baseline.ts";
import { compareWithBaseline, judge } from "../../policy/load-comparison.ts";
import { asLoadSummary, comparisonText } from "./baseline.ts";
import type { LoadSummary, MetricSummary } from "./summary.ts";

// The verdicts on fixed summaries: each row names the rule it checks. Tolerances come from policy,
// so the edges are computed from them, not typed: the test follows a change of policy. The
// comparison is policy/load-comparison.ts (the engine's run diff shares it); it is tested here, on
// summaries as the runner writes them, with the text the runner prints.

const P95: BaselineMeasure = { id: "p95", ...LOAD_BASELINE_MEASURES.p95 };
const ERRORS: BaselineMeasure = { id: "error-rate", ...LOAD_BASELINE_MEASURES["error-rate"] };
const THROUGHPUT: BaselineMeasure = { id: "throughput", ...LOAD_BASELINE_MEASURES.throughput };

const trend = (p95: number): MetricSummary => ({
  type: "trend",
  p50: p95 / 3,
  p90: p95 * 0.9,
  p95,
  p99: p95 * 2,
  max: p95 * 3,
  avg: p95 / 2,
  rate: null,
  count: 1000,
});
const rate = (value: number, type: MetricSummary["type"] = "rate"): MetricSummary => ({
  type,
  p50: null,
  p90: null,
  p95: null,
  p99: null,
  max: null,
  avg: null,
  rate: value,
  count: 1000,
});

function summary(
  p95: number,
  errorRate: number,
  reqPerS: number,
  extra: Partial<LoadSummary> = {},
): LoadSummary {
  return {
    schema: 1,
    tool: "autocannon",
    toolVersion: "9.0.0",
    profile: "average-load",
    variant: "short",
    target: "http://127.0.0.1:3000",
    startedAt: "2026-12-01T00:00:00.000Z",
    durationS: 300,
    passed: true,
    thresholds: [],
    metrics: {
      "http_req_duration{kind:practice}": trend(p95),
      http_req_failed: rate(errorRate),
      http_reqs: rate(reqPerS, "counter"),
    },
    bucketS: 5,
    series: [],
    breakpoint: null,
    answers: null,
    ...extra,
  };
}

describe("judge: one measure against its baseline", () => {
  const tol = P95.tolerance;
  const cases: Array<{
    rule: string;
    measure: BaselineMeasure;
    baseline: number;
    current: number;
    verdict: string;
  }> = [
    { rule: "same value holds", measure: P95, baseline: 100, current: 100, verdict: "held" },
    {
      rule: "worse within the tolerance holds",
      measure: P95,
      baseline: 100,
      current: 100 * (1 + tol / 2),
      verdict: "held",
    },
    {
      rule: "worse exactly at the tolerance still holds",
      measure: P95,
      baseline: 100,
      current: 100 * (1 + tol),
      verdict: "held",
    },
    {
      rule: "worse just beyond the tolerance regresses",
      measure: P95,
      baseline: 100,
      current: 100 * (1 + tol) + 0.01,
      verdict: "regressed",
    },
    {
      rule: "better beyond the tolerance improves",
      measure: P95,
      baseline: 100,
      current: 100 * (1 - tol) - 0.01,
      verdict: "improved",
    },
    {
      rule: "better exactly at the tolerance holds",
      measure: P95,
      baseline: 100,
      current: 100 * (1 - tol),
      verdict: "held",
    },
    {
      rule: "throughput: higher is better, so lower beyond the tolerance regresses",
      measure: THROUGHPUT,
      baseline: 200,
      current: 200 * (1 - THROUGHPUT.tolerance) - 1,
      verdict: "regressed",
    },
    {
      rule: "throughput: higher beyond the tolerance improves",
      measure: THROUGHPUT,
      baseline: 200,
      current: 200 * (1 + THROUGHPUT.tolerance) + 1,
      verdict: "improved",
    },
    {
      rule: "error rate from a zero baseline: within the absolute tolerance holds",
      measure: ERRORS,
      baseline: 0,
      current: ERRORS.tolerance,
      verdict: "held",
    },
    {
      rule: "error rate from a zero baseline: beyond the absolute tolerance regresses",
      measure: ERRORS,
      baseline: 0,
      current: ERRORS.tolerance * 2,
      verdict: "regressed",
    },
    {
      rule: "error rate falling beyond the tolerance improves",
      measure: ERRORS,
      baseline: 0.01,
      current: 0.01 - ERRORS.tolerance * 2,
      verdict: "improved",
    },
  ];
  for (const c of cases)
    it(c.rule, () => {
      expect(judge(c.measure, c.baseline, c.current).verdict).toBe(c.verdict);
    });

  it("says by how much, in per cent of the baseline or in percentage points for a rate", () => {
    expect(judge(P95, 100, 123.4).text).toBe(`regressed by 23.4% (tolerance ${tol * 100}%)`);
    expect(judge(P95, 100, 80).text).toBe(`improved by 20% (tolerance ${tol * 100}%)`);
    expect(judge(P95, 100, 102).text).toBe(`held (+2%, tolerance ${tol * 100}%)`);
    expect(judge(ERRORS, 0, 0.005).text).toBe(
      `regressed by 0.5 percentage points (tolerance ${ERRORS.tolerance * 100} percentage points)`,
    );
  });

  it("calls a missing figure not comparable instead of guessing", () => {
    expect(judge(P95, null, 100)).toMatchObject({
      verdict: "not comparable",
      text: expect.stringMatching(/baseline has no p95/),
    });
    expect(judge(P95, 100, null)).toMatchObject({
      verdict: "not comparable",
      text: expect.stringMatching(/run has no p95/),
    });
  });
});

describe("compareWithBaseline: every measure of a summary", () => {
  it("finds the one regression among held and improved measures, and prints each verdict", () => {
    const comparison = compareWithBaseline(
      summary(130, 0, 240),
      summary(100, 0, 200),
      "measured/average-load.json",
    );
    expect(comparison.measures.map((m) => [m.measure, m.verdict])).toEqual([
      ["p95", "regressed"],
      ["error-rate", "held"],
      ["throughput", "improved"],
    ]);
    expect(comparison.regressed).toBe(true);
    const text = comparisonText(comparison);
    expect(text).toMatch(/p95 latency of practice calls\s+100 ms →\s+130 ms {2}regressed by 30%/);
    expect(text).toMatch(/REGRESSED/);
  });

  it("holds when nothing moved beyond its tolerance, and warns when the runs are not alike", () => {
    const comparison = compareWithBaseline(
      summary(101, 0, 199, { profile: "stress", tool: "k6" }),
      summary(100, 0, 200),
      "b.json",
    );
    expect(comparison.regressed).toBe(false);
    expect(comparison.warnings).toEqual([
      "the baseline is a average-load run and this is a stress run: their loads differ",
      "the baseline was measured with autocannon and this run with k6",
    ]);
    expect(comparisonText(comparison)).toMatch(/no regression beyond the tolerances/);
  });

  it("refuses what is not a summary, naming it", () => {
    expect(() => asLoadSummary({ hello: 1 }, "x.json")).toThrow(/x.json is not a load-test summary/);
    expect(() => asLoadSummary({ schema: 1 }, "y.json")).toThrow(/y.json is a summary without "metrics"/);
  });
});
