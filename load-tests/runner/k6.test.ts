import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadSummary } from "../lib/summary.ts";
import { enrichFromPoints } from "./k6.ts";

// k6 is not installable on this project's machines; this feeds the runner k6's JSON output format
// (one Point per line) so the k6 path's time series and per-procedure figures are still tested.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-k6-points-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const point = (metric: string, time: string, value: number, tags: Record<string, string> = {}) =>
  JSON.stringify({ type: "Point", metric, data: { time, value, tags } });

describe("the k6 runner", () => {
  it("adds the time series and per-procedure latencies from k6's JSON points, leaving setup out of the series", async () => {
    const file = path.join(dir, "points.json");
    const lines = [
      JSON.stringify({ type: "Metric", metric: "http_req_duration", data: { type: "trend" } }),
      point("http_req_duration", "2026-11-25T00:00:00.000Z", 800, {
        procedure: "accounts.signUp",
        kind: "setup",
      }),
      point("vus", "2026-11-25T00:00:01.000Z", 2),
      point("http_req_duration", "2026-11-25T00:00:01.500Z", 10, {
        procedure: "exercises.next",
        kind: "practice",
      }),
      point("http_req_failed", "2026-11-25T00:00:01.500Z", 0, {
        procedure: "exercises.next",
        kind: "practice",
      }),
      point("http_req_duration", "2026-11-25T00:00:02.000Z", 30, {
        procedure: "exercises.submit",
        kind: "practice",
      }),
      point("http_req_failed", "2026-11-25T00:00:02.000Z", 1, {
        procedure: "exercises.submit",
        kind: "practice",
      }),
      point("vus", "2026-11-25T00:00:07.000Z", 4),
      point("http_req_duration", "2026-11-25T00:00:07.000Z", 20, {
        procedure: "exercises.next",
        kind: "practice",
      }),
    ];
    await writeFile(file, `${lines.join("\n")}\n`);
    const summary = {
      profile: "breakpoint",
      metrics: {},
      series: [],
      bucketS: 0,
      breakpoint: null,
    } as unknown as LoadSummary;
    await enrichFromPoints(summary, file);
    expect(summary.bucketS).toBe(5);
    expect(summary.series).toEqual([
      { t: 0, vus: 2, requests: 2, errors: 1, p50: 20, p95: 29, p99: 29.8 },
      { t: 5, vus: 4, requests: 1, errors: 0, p50: 20, p95: 20, p99: 20 },
    ]);
    expect(summary.metrics["http_req_duration{procedure:exercises.next}"]).toMatchObject({
      count: 2,
      p50: 15,
      max: 20,
    });
    expect(summary.metrics["http_req_duration{procedure:accounts.signUp}"]).toMatchObject({
      count: 1,
      max: 800,
    });
    expect(summary.breakpoint).toEqual({
      lastGoodVus: null,
      firstBad: { t: 0, vus: 2, p95: 29, errorRate: 0.5 },
    });
  });
});
