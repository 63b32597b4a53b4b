import { SLO } from "../../policy/index.ts";
import type { Kind, Procedure } from "../lib/journey.ts";
import {
  counterSummary,
  findBreakpoint,
  type LoadSummary,
  type MetricSummary,
  rateSummary,
  type SeriesPoint,
  trendSummary,
} from "../lib/summary.ts";
import {
  evaluateThreshold,
  type MetricData,
  parseMetricKey,
  percentileOf,
  sloThresholds,
  type ThresholdResult,
} from "../lib/thresholds.ts";

// Every response the fallback runner sees, kept as parallel arrays (a long soak records millions),
// and turned into k6's metrics: http_req_duration, http_req_failed, checks, http_reqs, with the
// procedure and kind tags k6 would attach. Thresholds are evaluated on exactly these samples.

export const BUCKET_S = 5;

/** One response as the recorder keeps it. */
interface Sample {
  procedure: Procedure;
  kind: Kind;
  ms: number;
  failed: boolean;
  checks: { ok: boolean }[];
}

interface Bucket {
  vus: number;
  requests: number;
  errors: number;
  practiceMs: number[];
}

export class Recorder {
  private readonly procedures: string[] = [];
  private readonly kinds: Kind[] = [];
  private readonly ms: number[] = [];
  private readonly failed: boolean[] = [];
  private readonly checkProcedures: string[] = [];
  private readonly checkOk: boolean[] = [];
  private readonly buckets: Bucket[] = [];
  /** Setup-phase samples (before the measured run), left out of the progress line. */
  private setupSamples = 0;
  /** Requests that got no response (timeouts, connection errors): failed, without a duration. */
  private lost = 0;
  /** Response statuses by procedure ("0" for no response), to tell 429s from 500s. */
  readonly statuses: Record<string, Record<string, number>> = {};
  iterations = 0;
  answers = { right: 0, wrong: 0 };
  private started = performance.now();

  /** The measured run starts now (after the setup phase). */
  startClock(): void {
    this.started = performance.now();
  }

  elapsedS(): number {
    return (performance.now() - this.started) / 1000;
  }

  private bucket(vus: number): Bucket {
    const index = Math.floor(this.elapsedS() / BUCKET_S);
    while (this.buckets.length <= index)
      this.buckets.push({ vus: 0, requests: 0, errors: 0, practiceMs: [] });
    const bucket = this.buckets[index] as Bucket;
    bucket.vus = Math.max(bucket.vus, vus);
    return bucket;
  }

  /** Marks the virtual-user count for the current bucket, even when nothing completes in it. */
  tick(vus: number): void {
    this.bucket(vus);
  }

  response(sample: Sample, vus: number): void {
    this.sample(sample);
    const bucket = this.bucket(vus);
    bucket.requests += 1;
    if (sample.failed) bucket.errors += 1;
    if (sample.kind === "practice") bucket.practiceMs.push(sample.ms);
  }

  /** A setup-phase response: in the metrics (tagged kind:setup), not in the time series. */
  setupResponse(sample: Sample): void {
    this.setupSamples += 1;
    this.sample(sample);
  }

  status(procedure: string, status: number): void {
    const byStatus = this.statuses[procedure] ?? {};
    this.statuses[procedure] = byStatus;
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  }

  private sample(sample: Sample): void {
    this.procedures.push(sample.procedure);
    this.kinds.push(sample.kind);
    this.ms.push(sample.ms);
    this.failed.push(sample.failed);
    for (const check of sample.checks) {
      this.checkProcedures.push(sample.procedure);
      this.checkOk.push(check.ok);
    }
  }

  lostRequests(count: number, vus: number): void {
    if (count <= 0) return;
    this.lost += count;
    const bucket = this.bucket(vus);
    bucket.requests += count;
    bucket.errors += count;
  }

  get requests(): number {
    return this.ms.length + this.lost;
  }

  /** Requests of the measured run (the setup phase's sign-ups not counted). */
  get measuredRequests(): number {
    return this.requests - this.setupSamples;
  }

  get errors(): number {
    return this.failed.filter(Boolean).length + this.lost;
  }

  /** Practice-call p95 so far, for the progress line. */
  practiceP95(): number | null {
    const values = this.ms.filter((_, i) => this.kinds[i] === "practice").sort((a, b) => a - b);
    return values.length === 0 ? null : percentileOf(values, 0.95);
  }

  private matches(i: number, tags: Record<string, string>, procedures: string[], kinds?: Kind[]): boolean {
    if (tags.procedure !== undefined && procedures[i] !== tags.procedure) return false;
    if (tags.kind !== undefined && kinds?.[i] !== tags.kind) return false;
    return true;
  }

  /** The raw data of a metric key as k6 names it (name{tag:value,…}). */
  metricData(key: string): MetricData {
    const { name, tags } = parseMetricKey(key);
    const unknownTag = Object.keys(tags).find((tag) => tag !== "procedure" && tag !== "kind");
    if (unknownTag)
      throw new Error(
        `metric "${key}": the fallback runner records the tags procedure and kind, not "${unknownTag}"`,
      );
    const durationS = this.elapsedS();
    const indexes = this.ms
      .map((_, i) => i)
      .filter((i) => this.matches(i, tags, this.procedures, this.kinds));
    const untagged = Object.keys(tags).length === 0;
    switch (name) {
      case "http_req_duration":
        return { type: "trend", values: indexes.map((i) => this.ms[i] as number) };
      case "http_req_failed": {
        const fails = indexes.filter((i) => this.failed[i]).length + (untagged ? this.lost : 0);
        return { type: "rate", passes: fails, fails: indexes.length + (untagged ? this.lost : 0) - fails };
      }
      case "http_reqs":
        return { type: "counter", count: indexes.length + (untagged ? this.lost : 0), durationS };
      case "checks": {
        if (tags.kind !== undefined) throw new Error(`metric "${key}": checks are tagged by procedure only`);
        const ok = this.checkOk.filter((passed, i) => passed && this.matches(i, tags, this.checkProcedures));
        const all = this.checkOk.filter((_, i) => this.matches(i, tags, this.checkProcedures));
        return { type: "rate", passes: ok.length, fails: all.length - ok.length };
      }
      case "iterations":
        return { type: "counter", count: this.iterations, durationS };
      default:
        throw new Error(
          `metric "${name}" is not recorded by the fallback runner; it records http_req_duration, http_req_failed, http_reqs, checks, iterations`,
        );
    }
  }

  series(): SeriesPoint[] {
    return this.buckets.map((bucket, index) => {
      const sorted = [...bucket.practiceMs].sort((a, b) => a - b);
      const p = (f: number) => (sorted.length === 0 ? null : Math.round(percentileOf(sorted, f) * 10) / 10);
      return {
        t: index * BUCKET_S,
        vus: bucket.vus,
        requests: bucket.requests,
        errors: bucket.errors,
        p50: p(0.5),
        p95: p(0.95),
        p99: p(0.99),
      };
    });
  }

  summary(
    meta: Pick<LoadSummary, "profile" | "variant" | "target" | "startedAt" | "toolVersion">,
    abortOnFail: boolean,
  ): LoadSummary {
    const durationS = Math.round(this.elapsedS() * 10) / 10;
    const thresholds: ThresholdResult[] = [];
    for (const [key, specs] of Object.entries(sloThresholds(abortOnFail)))
      for (const spec of specs)
        thresholds.push(evaluateThreshold(key, spec.expression, this.metricData(key)));
    const metrics: Record<string, MetricSummary> = {};
    const trend = (key: string) => {
      metrics[key] = trendSummary(this.metricData(key).values ?? []);
    };
    trend("http_req_duration");
    trend("http_req_duration{kind:practice}");
    trend("http_req_duration{kind:auth}");
    trend("http_req_duration{kind:setup}");
    for (const procedure of [...new Set(this.procedures)].sort())
      trend(`http_req_duration{procedure:${procedure}}`);
    const failed = this.metricData("http_req_failed");
    metrics.http_req_failed = rateSummary(failed.passes ?? 0, failed.fails ?? 0);
    const checks = this.metricData("checks");
    metrics.checks = rateSummary(checks.passes ?? 0, checks.fails ?? 0);
    metrics.http_reqs = counterSummary(this.requests, durationS);
    metrics.iterations = counterSummary(this.iterations, durationS);
    const series = this.series();
    return {
      schema: 1,
      tool: "autocannon",
      ...meta,
      durationS,
      passed: thresholds.every((t) => t.ok),
      thresholds,
      metrics,
      bucketS: BUCKET_S,
      series,
      breakpoint:
        meta.profile === "breakpoint" ? findBreakpoint(series, SLO.latencyP95Ms, SLO.errorRate) : null,
      answers: { ...this.answers },
      statuses: this.statuses,
    };
  }
}
