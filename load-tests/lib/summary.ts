import type { ProfileName, Variant } from "./profiles.ts";
import { type MetricType, percentileOf, type ThresholdResult } from "./thresholds.ts";

// The one summary shape every run writes, whichever tool ran: k6's handleSummary normalizes k6's
// data into it, the fallback runner builds it from its own samples. Plus its JUnit and text forms.
// Pure: no Node and no k6 imports.

export type Tool = "k6" | "autocannon";

export interface MetricSummary {
  type: MetricType;
  /** Trends: milliseconds. */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  avg: number | null;
  /** Rates: share of non-zero samples; counters: per second. */
  rate: number | null;
  count: number | null;
}

/** One time bucket of the run, for the chart. Latencies are of practice calls (the SLO's). */
export interface SeriesPoint {
  /** Seconds since the start of the run, at the bucket's start. */
  t: number;
  vus: number;
  requests: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Breakpoint {
  /** Highest virtual-user count of a bucket within the SLO before the first bucket outside it. */
  lastGoodVus: number | null;
  /** The bucket that left the SLO first, or null when none did. */
  firstBad: { t: number; vus: number; p95: number | null; errorRate: number } | null;
}

export interface LoadSummary {
  schema: 1;
  tool: Tool;
  toolVersion: string | null;
  profile: ProfileName;
  variant: Variant;
  target: string;
  startedAt: string;
  durationS: number;
  passed: boolean;
  thresholds: ThresholdResult[];
  /** Keys as in k6: http_req_duration, http_req_duration{procedure:exercises.next}, … */
  metrics: Record<string, MetricSummary>;
  bucketS: number;
  series: SeriesPoint[];
  breakpoint: Breakpoint | null;
  /** Right and wrong answers submitted, for the journey's realism, not judged. */
  answers: { right: number; wrong: number } | null;
  /** Response statuses by procedure, when the tool reports them (the fallback does). */
  statuses?: Record<string, Record<string, number>>;
}

export function trendSummary(values: readonly number[]): MetricSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const p = (f: number) => (n === 0 ? null : round(percentileOf(sorted, f)));
  return {
    type: "trend",
    p50: p(0.5),
    p90: p(0.9),
    p95: p(0.95),
    p99: p(0.99),
    max: n === 0 ? null : round(sorted[n - 1] as number),
    avg: n === 0 ? null : round(sorted.reduce((a, b) => a + b, 0) / n),
    rate: null,
    count: n,
  };
}

/** Rates and counters have no distribution of values. */
const NO_DISTRIBUTION = { p50: null, p90: null, p95: null, p99: null, max: null, avg: null } as const;

export function rateSummary(passes: number, fails: number): MetricSummary {
  const total = passes + fails;
  return {
    type: "rate",
    ...NO_DISTRIBUTION,
    rate: total === 0 ? 0 : round(passes / total, 6),
    count: total,
  };
}

export function counterSummary(count: number, durationS: number): MetricSummary {
  return {
    type: "counter",
    ...NO_DISTRIBUTION,
    rate: durationS > 0 ? round(count / durationS) : 0,
    count,
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The breakpoint: walk the buckets in order and stop at the first outside the SLO. */
export function findBreakpoint(series: readonly SeriesPoint[], p95Ms: number, errorRate: number): Breakpoint {
  let lastGoodVus: number | null = null;
  for (const point of series) {
    if (point.requests === 0) continue;
    const rate = point.errors / point.requests;
    if ((point.p95 !== null && point.p95 >= p95Ms) || rate >= errorRate)
      return {
        lastGoodVus,
        firstBad: { t: point.t, vus: point.vus, p95: point.p95, errorRate: round(rate, 4) },
      };
    lastGoodVus = Math.max(lastGoodVus ?? 0, point.vus);
  }
  return { lastGoodVus, firstBad: null };
}

// ---- k6's handleSummary data ----

/** The parts of k6's handleSummary data this module reads. */
export interface K6SummaryData {
  state?: { testRunDurationMs?: number };
  metrics: Record<
    string,
    {
      type: string;
      values: Record<string, number>;
      thresholds?: Record<string, { ok: boolean }>;
    }
  >;
}

export function normalizeK6(
  data: K6SummaryData,
  meta: {
    profile: ProfileName;
    variant: Variant;
    target: string;
    startedAt: string;
    toolVersion: string | null;
  },
): LoadSummary {
  const durationS = round((data.state?.testRunDurationMs ?? 0) / 1000, 1);
  const metrics: Record<string, MetricSummary> = {};
  const thresholds: ThresholdResult[] = [];
  for (const [key, metric] of Object.entries(data.metrics)) {
    const v = metric.values;
    const num = (name: string) => (typeof v[name] === "number" ? round(v[name] as number) : null);
    const type = (
      ["trend", "rate", "counter", "gauge"].includes(metric.type) ? metric.type : "gauge"
    ) as MetricType;
    metrics[key] = {
      type,
      p50: num("p(50)") ?? num("med"),
      p90: num("p(90)"),
      p95: num("p(95)"),
      p99: num("p(99)"),
      max: num("max"),
      avg: num("avg"),
      rate: typeof v.rate === "number" ? round(v.rate, 6) : null,
      count:
        typeof v.count === "number" ? v.count : type === "rate" ? (v.passes ?? 0) + (v.fails ?? 0) : null,
    };
    for (const [expression, verdict] of Object.entries(metric.thresholds ?? {}))
      thresholds.push({ metric: key, expression, ok: verdict.ok, actual: null });
  }
  return {
    schema: 1,
    tool: "k6",
    toolVersion: meta.toolVersion,
    profile: meta.profile,
    variant: meta.variant,
    target: meta.target,
    startedAt: meta.startedAt,
    durationS,
    passed: thresholds.every((t) => t.ok),
    thresholds,
    metrics,
    bucketS: 0,
    series: [],
    breakpoint: null,
    answers: null,
  };
}

// ---- JUnit and text ----

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One test case per threshold, so CI shows which promise failed. */
export function toJUnit(summary: LoadSummary): string {
  const failures = summary.thresholds.filter((t) => !t.ok).length;
  const cases = summary.thresholds.map((t) => {
    const name = xml(`${t.metric}: ${t.expression}`);
    const actual = t.actual === null ? "" : ` (actual ${t.actual})`;
    return t.ok
      ? `    <testcase classname="load.${summary.profile}" name="${name}"/>`
      : `    <testcase classname="load.${summary.profile}" name="${name}"><failure message="${xml(`threshold failed${actual}`)}"/></testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="load-tests" tests="${summary.thresholds.length}" failures="${failures}">`,
    `  <testsuite name="load.${summary.profile}" tests="${summary.thresholds.length}" failures="${failures}" time="${summary.durationS}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

const fmt = (n: number | null, digits = 1) => (n === null ? "-" : n.toFixed(digits));

export function toText(summary: LoadSummary): string {
  const lines = [
    `load test "${summary.profile}" (${summary.variant}) against ${summary.target}, run by ${summary.tool}${summary.toolVersion ? ` ${summary.toolVersion}` : ""}, ${summary.durationS} s`,
    "",
    `${"metric".padEnd(52)} ${"p50".padStart(8)} ${"p90".padStart(8)} ${"p95".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)} ${"rate".padStart(9)} ${"count".padStart(8)}`,
  ];
  for (const [key, m] of Object.entries(summary.metrics).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `${key.padEnd(52)} ${fmt(m.p50).padStart(8)} ${fmt(m.p90).padStart(8)} ${fmt(m.p95).padStart(8)} ${fmt(m.p99).padStart(8)} ${fmt(m.max).padStart(8)} ${fmt(m.rate, 4).padStart(9)} ${String(m.count ?? "-").padStart(8)}`,
    );
  }
  lines.push("", "thresholds (from policy/):");
  for (const t of summary.thresholds)
    lines.push(
      `  ${t.ok ? "✓ pass" : "✗ FAIL"}  ${t.metric}: ${t.expression}${t.actual === null ? "" : `  (actual ${round(t.actual, 4)})`}`,
    );
  if (summary.breakpoint) {
    const b = summary.breakpoint;
    lines.push(
      "",
      b.firstBad
        ? `breakpoint: within the SLO up to ${b.lastGoodVus ?? 0} virtual users; first outside at ${b.firstBad.vus} (t=${b.firstBad.t} s, p95 ${fmt(b.firstBad.p95)} ms, errors ${(b.firstBad.errorRate * 100).toFixed(2)}%)`
        : `breakpoint: not reached; within the SLO up to ${b.lastGoodVus ?? 0} virtual users`,
    );
  }
  if (summary.answers)
    lines.push(`answers submitted: ${summary.answers.right} right, ${summary.answers.wrong} wrong`);
  lines.push("", summary.passed ? "PASSED: every threshold holds" : "FAILED: a threshold does not hold");
  return `${lines.join("\n")}\n`;
}
