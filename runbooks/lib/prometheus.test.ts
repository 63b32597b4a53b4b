import { describe, expect, it } from "vitest";
import { SERVER_ERROR_CODES } from "../../policy/alert-rules.ts";
import { errorRate, latencyQuantileMs, parsePrometheus, slowResponsesSamples } from "./prometheus.ts";

// alert-check measures what the Prometheus rules count (policy/alert-rules.ts): these are the two
// places where it could drift from deploy/prometheus/alerts.yml.

const metrics = (lines: string[]) => parsePrometheus(lines.join("\n"));

describe("errorRate counts what HighErrorRate counts", () => {
  it("counts every server-error code, and neither MAINTENANCE nor BUSY refusals", () => {
    const samples = metrics([
      'trpc_request_duration_seconds_count{procedure="exercises.next",type="query",status="ok"} 100',
      ...SERVER_ERROR_CODES.map((code) => `trpc_errors_total{procedure="exercises.next",code="${code}"} 1`),
      'trpc_errors_total{procedure="exercises.next",code="MAINTENANCE"} 40',
      'trpc_errors_total{procedure="accounts.logIn",code="BUSY"} 30',
      'trpc_errors_total{procedure="accounts.logIn",code="UNAUTHORIZED"} 7',
    ]);
    expect(errorRate(samples)).toEqual({
      calls: 100,
      serverErrors: SERVER_ERROR_CODES.length,
      rate: SERVER_ERROR_CODES.length / 100,
    });
  });
});

describe("slowResponsesSamples judges what SlowResponses judges", () => {
  it("leaves log-in and sign-up out of the p95", () => {
    const bucket = (procedure: string, le: string, n: number) =>
      `trpc_request_duration_seconds_bucket{procedure="${procedure}",le="${le}"} ${n}`;
    const samples = metrics([
      bucket("exercises.next", "0.1", 100),
      bucket("exercises.next", "0.5", 100),
      bucket("exercises.next", "+Inf", 100),
      bucket("accounts.logIn", "0.1", 0),
      bucket("accounts.logIn", "0.5", 100),
      bucket("accounts.logIn", "+Inf", 100),
      bucket("accounts.signUp", "0.1", 0),
      bucket("accounts.signUp", "0.5", 100),
      bucket("accounts.signUp", "+Inf", 100),
    ]);
    expect(latencyQuantileMs(samples, 0.95)).toBeGreaterThan(100);
    expect(latencyQuantileMs(slowResponsesSamples(samples), 0.95)).toBeLessThanOrEqual(100);
  });
});
