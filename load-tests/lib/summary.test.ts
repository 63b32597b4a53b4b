import { describe, expect, it } from "vitest";
import {
  findBreakpoint,
  type K6SummaryData,
  normalizeK6,
  type SeriesPoint,
  toJUnit,
  toText,
} from "./summary.ts";

// k6's handleSummary data, shaped as k6 1.x passes it (summaryTrendStats as options.ts sets them).
const k6Data: K6SummaryData = {
  state: { testRunDurationMs: 12_345 },
  metrics: {
    http_req_duration: {
      type: "trend",
      values: {
        avg: 20,
        min: 2,
        med: 10,
        max: 480,
        "p(50)": 10,
        "p(90)": 40,
        "p(95)": 60,
        "p(99)": 420,
        count: 100,
      },
    },
    "http_req_duration{kind:practice}": {
      type: "trend",
      values: {
        avg: 15,
        min: 2,
        med: 9,
        max: 250,
        "p(50)": 9,
        "p(90)": 30,
        "p(95)": 210.5,
        "p(99)": 240,
        count: 90,
      },
      thresholds: { "p(95)<200": { ok: false } },
    },
    http_req_failed: {
      type: "rate",
      values: { rate: 0, passes: 0, fails: 100 },
      thresholds: { "rate<0.01": { ok: true } },
    },
    checks: {
      type: "rate",
      values: { rate: 1, passes: 200, fails: 0 },
      thresholds: { "rate>0.99": { ok: true } },
    },
    http_reqs: { type: "counter", values: { count: 100, rate: 8.1 } },
  },
};

describe("the summary", () => {
  it("normalizes k6's handleSummary data: percentiles, rates, counts and k6's threshold verdicts", () => {
    const summary = normalizeK6(k6Data, {
      profile: "smoke",
      variant: "short",
      target: "http://app",
      startedAt: "2026-11-25T00:00:00.000Z",
      toolVersion: "v1.4.0",
    });
    expect(summary).toMatchObject({
      tool: "k6",
      toolVersion: "v1.4.0",
      profile: "smoke",
      durationS: 12.3,
      passed: false,
    });
    expect(summary.metrics["http_req_duration{kind:practice}"]).toEqual({
      type: "trend",
      p50: 9,
      p90: 30,
      p95: 210.5,
      p99: 240,
      max: 250,
      avg: 15,
      rate: null,
      count: 90,
    });
    expect(summary.metrics.http_req_failed).toMatchObject({ type: "rate", rate: 0, count: 100 });
    expect(summary.metrics.http_reqs).toMatchObject({ type: "counter", rate: 8.1, count: 100 });
    expect(summary.thresholds).toEqual([
      { metric: "http_req_duration{kind:practice}", expression: "p(95)<200", ok: false, actual: null },
      { metric: "http_req_failed", expression: "rate<0.01", ok: true, actual: null },
      { metric: "checks", expression: "rate>0.99", ok: true, actual: null },
    ]);
    const junit = toJUnit(summary);
    expect(junit).toContain('tests="3" failures="1"');
    expect(junit).toContain('name="http_req_duration{kind:practice}: p(95)&#60;200"><failure');
    expect(toText(summary)).toContain("✗ FAIL  http_req_duration{kind:practice}: p(95)<200");
    expect(toText(summary)).toContain("run by k6 v1.4.0");
  });

  it("finds the breakpoint: the last bucket within the SLO before the first outside it", () => {
    const point = (t: number, vus: number, p95: number, errors = 0): SeriesPoint => ({
      t,
      vus,
      requests: 100,
      errors,
      p50: p95 / 2,
      p95,
      p99: p95 * 1.2,
    });
    expect(
      findBreakpoint(
        [point(0, 10, 50), point(5, 20, 150), point(10, 30, 250), point(15, 40, 100)],
        200,
        0.01,
      ),
    ).toEqual({
      lastGoodVus: 20,
      firstBad: { t: 10, vus: 30, p95: 250, errorRate: 0 },
    });
    expect(findBreakpoint([point(0, 10, 50), point(5, 20, 50, 2)], 200, 0.01).firstBad?.errorRate).toBe(0.02);
    expect(findBreakpoint([point(0, 10, 50)], 200, 0.01)).toEqual({ lastGoodVus: 10, firstBad: null });
  });
});
