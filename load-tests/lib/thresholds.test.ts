import { describe, expect, it } from "vitest";
import { SLO } from "../../policy/index.ts";
import {
  aggregate,
  evaluateThreshold,
  parseMetricKey,
  parseThreshold,
  percentileOf,
  sloThresholds,
  ThresholdError,
} from "./thresholds.ts";

const latencies = { type: "trend" as const, values: [5, 1, 4, 2, 3, 10, 6, 7, 9, 8] };

describe("k6 threshold grammar", () => {
  it("parses every aggregation and operator k6 accepts", () => {
    expect(parseThreshold("p(95)<200")).toEqual({
      aggregation: "p",
      percentile: 0.95,
      operator: "<",
      value: 200,
    });
    const spaced = parseThreshold(" p(99.9) <= 1.5 ");
    expect(spaced).toMatchObject({ aggregation: "p", operator: "<=", value: 1.5 });
    expect(spaced.percentile).toBeCloseTo(0.999);
    for (const op of ["<", "<=", ">", ">=", "==", "===", "!="])
      expect(parseThreshold(`avg${op}3`).operator).toBe(op);
    for (const agg of ["avg", "med", "min", "max", "rate", "count", "value"])
      expect(parseThreshold(`${agg}>0`).aggregation).toBe(agg);
  });

  it("rejects what k6 rejects, naming the expression", () => {
    expect(() => parseThreshold("p95<200")).toThrow(ThresholdError);
    expect(() => parseThreshold("p95<200")).toThrow(/"p95<200" is not/);
    expect(() => parseThreshold("avg=<3")).toThrow(/operators: </);
    expect(() => parseThreshold("p(101)<3")).toThrow(/between p\(0\) and p\(100\)/);
    expect(() => aggregate({ type: "rate", passes: 1, fails: 1 }, parseThreshold("p(95)<1"))).toThrow(
      /"p\(N\)" does not apply to a rate metric/,
    );
  });

  it("computes percentiles as k6 does: linear interpolation between closest ranks", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOf(sorted, 0.5)).toBe(5.5);
    expect(percentileOf(sorted, 0.95)).toBeCloseTo(9.55);
    expect(percentileOf(sorted, 0.9)).toBeCloseTo(9.1);
    expect(percentileOf(sorted, 1)).toBe(10);
    expect(percentileOf([42], 0.99)).toBe(42);
    expect(percentileOf([], 0.99)).toBe(0);
  });

  it("aggregates trends, rates and counters", () => {
    expect(aggregate(latencies, parseThreshold("avg<0"))).toBe(5.5);
    expect(aggregate(latencies, parseThreshold("med<0"))).toBe(5.5);
    expect(aggregate(latencies, parseThreshold("min<0"))).toBe(1);
    expect(aggregate(latencies, parseThreshold("max<0"))).toBe(10);
    expect(aggregate({ type: "rate", passes: 1, fails: 199 }, parseThreshold("rate<0"))).toBe(0.005);
    expect(aggregate({ type: "counter", count: 300, durationS: 60 }, parseThreshold("count<0"))).toBe(300);
    expect(aggregate({ type: "counter", count: 300, durationS: 60 }, parseThreshold("rate<0"))).toBe(5);
  });

  it("passes and fails: the SLO thresholds against good and bad runs", () => {
    const slow = {
      type: "trend" as const,
      values: Array.from({ length: 100 }, (_, i) => (i < 90 ? 50 : 400)),
    };
    const fast = { type: "trend" as const, values: Array.from({ length: 100 }, () => 50) };
    const latency = `p(95)<${SLO.latencyP95Ms}`;
    expect(evaluateThreshold("http_req_duration", latency, fast)).toMatchObject({ ok: true, actual: 50 });
    const failing = evaluateThreshold("http_req_duration", latency, slow);
    expect(failing.ok).toBe(false);
    expect(failing.actual).toBe(400);
    expect(
      evaluateThreshold("http_req_failed", `rate<${SLO.errorRate}`, { type: "rate", passes: 2, fails: 98 })
        .ok,
    ).toBe(false);
    expect(
      evaluateThreshold("http_req_failed", `rate<${SLO.errorRate}`, { type: "rate", passes: 0, fails: 98 })
        .ok,
    ).toBe(true);
    expect(evaluateThreshold("x", "count==10", latencies).ok).toBe(true);
    expect(evaluateThreshold("x", "count!=10", latencies).ok).toBe(false);
  });

  it("takes the numbers from policy/", () => {
    expect(sloThresholds()).toEqual({
      "http_req_duration{kind:practice}": [{ expression: `p(95)<${SLO.latencyP95Ms}`, abortOnFail: false }],
      http_req_failed: [{ expression: `rate<${SLO.errorRate}`, abortOnFail: false }],
      checks: [{ expression: `rate>${1 - SLO.errorRate}`, abortOnFail: false }],
    });
  });

  it("splits metric keys with tag filters", () => {
    expect(parseMetricKey("http_req_duration{kind:practice, procedure:exercises.next}")).toEqual({
      name: "http_req_duration",
      tags: { kind: "practice", procedure: "exercises.next" },
    });
    expect(parseMetricKey("checks")).toEqual({ name: "checks", tags: {} });
    expect(() => parseMetricKey("http_req_duration{kind}")).toThrow(/"kind" is not "tag:value"/);
  });
});
