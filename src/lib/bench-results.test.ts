import { describe, expect, it } from "vitest";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import {
  type AppResults,
  allFigureTexts,
  figure,
  provenance,
  type Results,
  type SiteResults,
} from "./bench-results.ts";

const machine = { cores: 2, model: "AMD EPYC", memoryGiB: 23.5, node: "v22.0.0", loadAverage: 7.4 };
const scenario = (name: string, rps: number) => ({
  name,
  requests: rps * 10,
  requestsPerSecond: rps,
  latencyMs: { p50: 33.94, p95: 57.2, p99: 77.3, max: 90 },
  errors: 0,
  non2xx: 1,
  timeouts: 0,
  appRssMiB: 201,
  appHeapUsedMiB: 36,
  shareOfCeiling: rps / 7622,
  cpu: { app: 0.9, postgres: 0.41, redis: 0.05 },
});
const app: AppResults = {
  schema: 1,
  measuredAt: "2026-12-06T21:53:28.233Z",
  commit: "205e9bde4e37035584a34081ea0a980e8d96dac0",
  machine,
  note: "",
  cpuMethod: "",
  settings: { connections: 100, durationSeconds: 10, learners: 100, items: 528 },
  targets: { hotReadShareOfCeiling: 0.7, p95Ms: 50, errors: 0 },
  results: [
    scenario("system.ping (ceiling)", 7622),
    scenario("exercises.next", 2692),
    scenario("system.ping (again)", 6413),
  ],
};
const site: SiteResults = {
  schema: 1,
  measuredAt: "2026-12-06T22:00:00.000Z",
  commit: "205e9bde4e37035584a34081ea0a980e8d96dac0+dirty",
  machine,
  note: "",
  build: { seconds: 12.14, pages: 50 },
  budget: { rawHtmlBytes: 307200, gzipTotalBytes: 102400 },
  typicalPage: { page: "/", files: 3, rawBytes: 2048, gzipBytes: 1024 },
  pageWeights: [{ page: "/a/", rawHtmlBytes: 10240, gzipHtmlBytes: 2048, gzipTotalBytes: 4096 }],
};
const load = {
  "average-load": {
    metrics: {
      "http_req_duration{kind:practice}": { p95: 60.91, count: 48905 },
      "http_req_duration{procedure:accounts.logIn}": { p95: 564.2, count: 113 },
    },
    series: [{ t: 0, vus: 1, requests: 1000, errors: 0, p50: 1, p95: 2, p99: 3 }],
    bucketS: 5,
  } as unknown as LoadSummary,
  breakpoint: {
    metrics: {},
    series: [
      { t: 0, vus: 8, requests: 40, errors: 0, p50: 1, p95: 2, p99: 3 },
      { t: 5, vus: 430, requests: 2000, errors: 0, p50: 100, p95: 250, p99: 300 },
    ],
    bucketS: 5,
    measurement: {
      responses429: 0,
      atBreak: {
        cpu: { app: 1.19, postgres: 0.41, redis: 0.05, proxies: 0.06, generator: 0.14 },
        app: { poolWaiting: 66 },
      },
    },
  } as unknown as LoadSummary,
  "auth-wave": {
    metrics: {},
    series: [],
    bucketS: 5,
    measurement: {
      wave: { hashSeconds: 0.634, logInsPerSecondMean: 1.6, allBackAfterS: 212, refusedBusy: 0 },
    },
  } as unknown as LoadSummary,
};
const results: Results = { app, site, load };

describe("figures by name, as a page shows them", () => {
  it.each([
    ["a scenario's throughput", "app.exercises.next.rps", "2,692 req/s"],
    ["the ceiling is system.ping", "app.system.ping.rps", "7,622 req/s"],
    ["the second ping run", "app.system.ping.again.rps", "6,413 req/s"],
    ["a latency percentile, one decimal", "app.exercises.next.p50", "33.9 ms"],
    ["errors count non-2xx and timeouts", "app.exercises.next.errors", "1"],
    ["the share of the ceiling of the same run", "app.exercises.next.share", "35%"],
    ["PostgreSQL CPU in cores", "app.exercises.next.cpu.postgres", "0.41 cores"],
    ["the build time", "site.build.seconds", "12.1 s"],
    ["a page's weight", "site.page:/a/.gzip", "4.0 KiB"],
    ["a load-test percentile", "load.average-load.practice.p95", "60.9 ms"],
    ["a load-test peak throughput", "load.average-load.peak.rps", "200 req/s"],
    ["one procedure's latency", "load.average-load.logIn.p95", "564.2 ms"],
    ["where a measured run stopped", "load.breakpoint.stopped.vus", "430"],
    ["the app's CPU when it broke", "load.breakpoint.at-break.app", "1.19 cores"],
    ["the whole machine's CPU when it broke", "load.breakpoint.at-break.total", "1.85 cores"],
    ["callers waiting for the pool when it broke", "load.breakpoint.at-break.pool-waiting", "66"],
    ["responses refused by a rate limit", "load.breakpoint.limited.count", "0"],
    ["one password hash", "load.auth-wave.wave.hashSeconds", "0.63 s"],
    ["log-ins admitted per second in a wave", "load.auth-wave.wave.logInsPerSecondMean", "1.6 log-ins/s"],
    ["until every learner was back", "load.auth-wave.wave.allBackAfterS", "212 s"],
  ])("%s: %s", (_what, of, text) => {
    expect(figure(results, of).text).toBe(text);
  });

  it("fails on a name that matches nothing, listing what exists", () => {
    expect(() => figure(results, "app.exercises.nxt.rps")).toThrow(/scenarios: system.ping, exercises.next/);
    expect(() => figure(results, "load.soak.practice.p95")).toThrow(/runs: average-load/);
    expect(() => figure(results, "load.average-load.wave.hashSeconds")).toThrow(/wave\.<hashSeconds\|/);
    expect(() => figure(results, "load.auth-wave.wave.practiceP95BeforeMs")).toThrow(/no benchmark figure/);
  });

  it("says when, on which commit and on what machine", () => {
    expect(provenance(site)).toBe(
      "6 Dec 2026, commit 205e9bd with uncommitted changes, 2 cores (AMD EPYC), 23.5 GiB, Node v22.0.0, load average 7.4 at the start",
    );
  });

  it("lists the texts a hand-typed copy would contain, for the build check", () => {
    expect(allFigureTexts(results)).toEqual(
      expect.arrayContaining(["2,692 req/s", "57.2 ms", "201 MiB", "12.1 s"]),
    );
  });
});
