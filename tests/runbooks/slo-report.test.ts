import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_ERROR_CODES, SLOW_RESPONSES_EXCLUDED_PROCEDURES } from "../../policy/alert-rules.ts";
import {
  ERROR_BUDGET_POLICY,
  errorBudget,
  LATENCY_BOUND_SECONDS,
  SLOS,
  type SloId,
} from "../../policy/slo.ts";
import { createMetrics } from "../../practice-app/src/metrics.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { freePort } from "../../runbooks/lib/net.ts";
import { budgetText, type SloReading, sliText } from "../../runbooks/operational/slo-report.ts";
import {
  type BackfilledPrometheus,
  prometheusInstalled,
  startBackfilledPrometheus,
} from "../support/prometheus.ts";
import { failedStepError } from "../support/runbooks.ts";

// slo-report against a real Prometheus (Debian's prometheus package) on a private port, whose
// storage is six hours of the app's metrics backfilled with promtool (tests/support/prometheus.ts): two instances' readiness probes with a known outage, and counters with known error
// ratios that restart at zero halfway (a new process), as the app's do. The report must print the SLI
// and budget numbers computed here from the same samples: a report that read the counters' last
// values would see only the second process.

const MINUTES = 360;
/** The minute the app restarts: every counter is back at zero there. */
const RESTART = 240;
/** Minutes when neither instance is ready; and when only app1 is not (still available). */
const BOTH_DOWN = new Set([100]);
const ONE_DOWN = new Set([150, 151, 152]);

/** Per-minute increments of each counter, before and after the restart. */
const PER_MINUTE = {
  nextCalls: [200, 200],
  nextFast: [190, 180],
  loginCalls: [10, 10],
  serverErrors: [1, 2],
  maintenance: [50, 50],
  badRequest: [10, 10],
} as const;

/** The value of a counter at each minute: increments of each process from zero, back to zero at the restart. */
function counter([before, after]: readonly [number, number]): number[] {
  const values: number[] = [];
  let value = 0;
  for (let m = 0; m < MINUTES; m++) {
    if (m === RESTART) value = 0;
    else if (m > 0) value += m < RESTART ? before : after;
    values.push(value);
  }
  return values;
}

/** What Prometheus's increase() sees over the whole window: a drop is a reset, counted from zero. */
function increase(values: number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const [a, b] = [values[i - 1] as number, values[i] as number];
    total += b >= a ? b - a : b;
  }
  return total;
}

const [serverCode] = SERVER_ERROR_CODES;
const [login] = SLOW_RESPONSES_EXCLUDED_PROCEDURES;
const SERIES: Record<string, number[]> = {
  'trpc_request_duration_seconds_count{procedure="exercises.next"}': counter(PER_MINUTE.nextCalls),
  [`trpc_request_duration_seconds_bucket{procedure="exercises.next",le="${LATENCY_BOUND_SECONDS}"}`]: counter(
    PER_MINUTE.nextFast,
  ),
  [`trpc_request_duration_seconds_count{procedure="${login}"}`]: counter(PER_MINUTE.loginCalls),
  // Every log-in is slower than the bound: left out of the latency SLO, so it changes nothing.
  [`trpc_request_duration_seconds_bucket{procedure="${login}",le="${LATENCY_BOUND_SECONDS}"}`]: counter([
    0, 0,
  ]),
  [`trpc_errors_total{procedure="exercises.next",code="${serverCode}"}`]: counter(PER_MINUTE.serverErrors),
  // Deliberate refusals and client errors are not server errors.
  'trpc_errors_total{procedure="exercises.next",code="MAINTENANCE"}': counter(PER_MINUTE.maintenance),
  'trpc_errors_total{procedure="exercises.next",code="BAD_REQUEST"}': counter(PER_MINUTE.badRequest),
  'probe_success{job="practice-app-readyz",instance="app1"}': Array.from({ length: MINUTES }, (_, m) =>
    BOTH_DOWN.has(m) || ONE_DOWN.has(m) ? 0 : 1,
  ),
  'probe_success{job="practice-app-readyz",instance="app2"}': Array.from({ length: MINUTES }, (_, m) =>
    BOTH_DOWN.has(m) ? 0 : 1,
  ),
};
const inc = (series: string) => increase(SERIES[series] as number[]);

/** Bad and total events of each SLO, computed from the samples (not by Prometheus). */
const EXPECTED: Record<SloId, { bad: number; total: number }> = {
  availability: { bad: BOTH_DOWN.size, total: MINUTES },
  "successful-calls": {
    bad: inc(`trpc_errors_total{procedure="exercises.next",code="${serverCode}"}`),
    total:
      inc('trpc_request_duration_seconds_count{procedure="exercises.next"}') +
      inc(`trpc_request_duration_seconds_count{procedure="${login}"}`),
  },
  latency: {
    bad:
      inc('trpc_request_duration_seconds_count{procedure="exercises.next"}') -
      inc(`trpc_request_duration_seconds_bucket{procedure="exercises.next",le="${LATENCY_BOUND_SECONDS}"}`),
    total: inc('trpc_request_duration_seconds_count{procedure="exercises.next"}'),
  },
};

let dir = "";
let prometheus: BackfilledPrometheus | undefined;
let prometheusUrl = "";
/** The last sample's time: the end of the window the report is asked for. */
let end = new Date(0);

async function report(env: Record<string, string>, params: Record<string, unknown> = {}) {
  const events: RunEvent[] = [];
  const result = await runRunbook(await findRunbook("slo-report"), {
    env: "dev",
    params: { at: end.toISOString(), ...params },
    confirm: true,
    emit: (event) => events.push(event),
    dataDir: dir,
    processEnv: {
      ...process.env,
      RUNBOOK_DATA_DIR: dir,
      SSP_DEV_STACK_FILE: path.join(dir, "none.json"),
      ...env,
    },
  });
  const output = events
    .filter((e) => e.type === "output")
    .map((e) => (e as { line: string }).line)
    .join("\n");
  return { result, events, output };
}

describe.skipIf(!prometheusInstalled)("slo-report against a real Prometheus", () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-slo-"));
    const started = await startBackfilledPrometheus(path.join(dir, "prometheus"), SERIES);
    prometheus = started;
    prometheusUrl = started.url;
    end = started.end;
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the latency bound is a bucket bound of the app's histogram (else the SLI would have no series)", async () => {
    const metrics = createMetrics({
      pool: () => ({ total: 0, idle: 0, waiting: 0, max: 0 }),
      passwordHashing: () => ({ running: 0, waiting: 0 }),
      redisUp: () => 1,
      ready: () => true,
      release: { version: "0.0.0", commit: "unknown" },
    });
    metrics.requestDuration.observe({ procedure: "exercises.next", type: "query", status: "ok" }, 0.01);
    const text = await metrics.registry.getSingleMetricAsString("trpc_request_duration_seconds");
    expect(text).toContain(`le="${LATENCY_BOUND_SECONDS}"`);
  });

  it("prints each SLO's SLI, budget consumed and remaining over the window, counters reset and all", async () => {
    const { result, output } = await report({ SSP_DEV_PROMETHEUS_URL: prometheusUrl });
    expect(result.status, output).toBe("ok");
    const readings = result.results.sli as SloReading[];
    for (const id of Object.keys(SLOS) as SloId[]) {
      const { bad, total } = EXPECTED[id];
      const ratio = bad / total;
      const consumed = ratio / errorBudget(id);
      const reading = readings.find((r) => r.id === id);
      expect(reading?.sli, id).toBeCloseTo(1 - ratio, 9);
      expect(reading?.consumed, id).toBeCloseTo(consumed, 9);
      expect(reading?.remaining, id).toBeCloseTo(1 - consumed, 9);
      if (id !== "availability") {
        expect(reading?.events?.bad, id).toBeCloseTo(bad, 6);
        expect(reading?.events?.total, id).toBeCloseTo(total, 6);
      }
      const row = new RegExp(
        `^${SLOS[id].title}\\s+${sliText(SLOS[id].objective)}\\s+${sliText(1 - ratio)}\\s+${budgetText(errorBudget(id))}\\s+${budgetText(consumed)}\\s+${budgetText(1 - consumed).replace("-", "\\-")}$`,
        "m",
      );
      expect(output, id).toMatch(row);
    }
    // The figures this data was made to give: one minute down of 360, 477 server errors of 75 180
    // calls, 4 770 slow calls of 71 600 (5% before the restart, 10% after).
    expect(output).toMatch(/^Availability\s+99\.500%\s+99\.722%\s+0\.5%\s+55\.6%\s+44\.4%$/m);
    expect(output).toMatch(/^Successful API calls\s+99\.000%\s+99\.366%\s+1\.0%\s+63\.4%\s+36\.6%$/m);
    expect(output).toMatch(/^Fast API calls\s+95\.000%\s+93\.338%\s+5\.0%\s+133\.2%\s+-33\.2%$/m);
    // The latency budget is spent: the report says so and what the policy asks.
    expect(result.results.budget).toMatchObject({ spent: ["latency"] });
    expect(output).toContain("Fast API calls: the error budget over 28d is spent (133.2% consumed)");
    for (const line of ERROR_BUDGET_POLICY.whenSpent) expect(output).toContain(`- ${line}`);
  }, 60_000);

  it("a shorter window ending at the same time reports only that window", async () => {
    // The last hour: after the restart, two server errors a minute in 210 calls.
    const { result } = await report({ SSP_DEV_PROMETHEUS_URL: prometheusUrl }, { window: "1h" });
    const calls = (result.results.sli as SloReading[]).find((r) => r.id === "successful-calls");
    expect(calls?.sli).toBeCloseTo(
      1 - PER_MINUTE.serverErrors[1] / (PER_MINUTE.nextCalls[1] + PER_MINUTE.loginCalls[1]),
      9,
    );
  }, 30_000);

  it("masks a password in the Prometheus URL and sends it as basic auth", async () => {
    const withPassword = prometheusUrl.replace("http://", "http://ops:not-for-logs-7@");
    const { result, output } = await report({ SSP_DEV_PROMETHEUS_URL: withPassword });
    expect(result.status, output).toBe("ok");
    expect(output).not.toContain("not-for-logs-7");
    expect(output).toContain(`Prometheus ${prometheusUrl}, window 28d`);
  }, 30_000);

  it("fails naming the variable when no Prometheus is configured, or it does not answer", async () => {
    const unset = await report({});
    expect(unset.result.status).toBe("failed");
    expect(failedStepError(unset.events)).toMatch(
      /^SSP_DEV_PROMETHEUS_URL is not set: point it at the Prometheus/,
    );
    const closed = await report({ SSP_DEV_PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` });
    expect(closed.result.status).toBe("failed");
    expect(failedStepError(closed.events)).toMatch(/did not answer: .*\(SSP_DEV_PROMETHEUS_URL\)$/);
  }, 30_000);

  it("refuses a window that is not a Prometheus duration before it runs", async () => {
    await expect(report({ SSP_DEV_PROMETHEUS_URL: prometheusUrl }, { window: "28 days" })).rejects.toThrow(
      /window.*a Prometheus duration such as 28d/,
    );
  });
});
