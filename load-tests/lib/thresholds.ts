import { SLO } from "../../policy/index.ts";

// The pass/fail thresholds of every load test, from the handbook's SLOs, in k6's own grammar, and
// the evaluator the fallback runner applies to them. k6 evaluates the same expressions itself.
// Pure: no Node and no k6 imports.

export interface ThresholdSpec {
  expression: string;
  /** Stop the run as soon as it fails (k6's abortOnFail). */
  abortOnFail: boolean;
}

/**
 * Metric key → threshold expressions. Latency is judged on practice calls (`kind:practice`): a
 * log-in or sign-up costs over half a second of a core by design (scrypt), so in a short run they would
 * decide the p95 alone. Their latency is still measured and reported per procedure.
 */
export function sloThresholds(abortOnFail = false): Record<string, ThresholdSpec[]> {
  const spec = (expression: string): ThresholdSpec => ({ expression, abortOnFail });
  return {
    "http_req_duration{kind:practice}": [spec(`p(95)<${SLO.latencyP95Ms}`)],
    http_req_failed: [spec(`rate<${SLO.errorRate}`)],
    checks: [spec(`rate>${round(1 - SLO.errorRate)}`)],
  };
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

export type Operator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";
export type MetricType = "trend" | "rate" | "counter" | "gauge";

export interface ParsedThreshold {
  aggregation: string;
  /** For p(N): N as a fraction (p(95) → 0.95). */
  percentile: number | null;
  operator: Operator;
  value: number;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThresholdError";
  }
}

const EXPRESSION =
  /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|med|min|max|rate|count|value)\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/** Parses one k6 threshold expression: `<aggregation> <operator> <number>`. */
export function parseThreshold(expression: string): ParsedThreshold {
  const match = EXPRESSION.exec(expression);
  if (!match)
    throw new ThresholdError(
      `threshold "${expression}" is not "<aggregation> <operator> <number>" (aggregations: p(N), avg, med, min, max, rate, count, value; operators: < <= > >= == === !=)`,
    );
  const [, aggregation = "", pct, operator = "<", value = "0"] = match;
  const percentile = pct === undefined ? null : Number(pct) / 100;
  if (percentile !== null && (percentile < 0 || percentile > 1))
    throw new ThresholdError(`threshold "${expression}": a percentile must be between p(0) and p(100)`);
  return {
    aggregation: percentile === null ? aggregation : "p",
    percentile,
    operator: operator as Operator,
    value: Number(value),
  };
}

/** Which aggregations k6 allows for each metric type. */
const ALLOWED: Record<MetricType, readonly string[]> = {
  trend: ["p", "avg", "med", "min", "max", "count"],
  rate: ["rate"],
  counter: ["count", "rate"],
  gauge: ["value"],
};

/** The raw data of one metric over a run, enough to compute any aggregation. */
export interface MetricData {
  type: MetricType;
  /** Trend: every sample (any order). */
  values?: readonly number[];
  /** Rate: samples that were non-zero (true) and zero (false). Counter: count; gauge: value. */
  passes?: number;
  fails?: number;
  count?: number;
  value?: number;
  /** Counter: the run's duration, for count per second. */
  durationS?: number;
}

/** k6's percentile: linear interpolation between the closest ranks (its trend sink's P). */
export function percentileOf(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0] as number;
  const i = fraction * (sorted.length - 1);
  const low = sorted[Math.floor(i)] as number;
  const high = sorted[Math.ceil(i)] as number;
  return low + (high - low) * (i - Math.floor(i));
}

export function aggregate(data: MetricData, parsed: ParsedThreshold, sortedValues?: number[]): number {
  if (!ALLOWED[data.type].includes(parsed.aggregation))
    throw new ThresholdError(
      `aggregation "${parsed.aggregation === "p" ? "p(N)" : parsed.aggregation}" does not apply to a ${data.type} metric; use one of: ${ALLOWED[data.type].map((a) => (a === "p" ? "p(N)" : a)).join(", ")}`,
    );
  if (data.type === "rate") {
    const total = (data.passes ?? 0) + (data.fails ?? 0);
    return total === 0 ? 0 : (data.passes ?? 0) / total;
  }
  if (data.type === "counter") {
    const count = data.count ?? 0;
    if (parsed.aggregation === "count") return count;
    return data.durationS ? count / data.durationS : 0;
  }
  if (data.type === "gauge") return data.value ?? 0;
  const sorted = sortedValues ?? [...(data.values ?? [])].sort((a, b) => a - b);
  switch (parsed.aggregation) {
    case "p":
      return percentileOf(sorted, parsed.percentile ?? 0);
    case "med":
      return percentileOf(sorted, 0.5);
    case "min":
      return sorted[0] ?? 0;
    case "max":
      return sorted[sorted.length - 1] ?? 0;
    case "count":
      return sorted.length;
    default: {
      const sum = sorted.reduce((a, b) => a + b, 0);
      return sorted.length === 0 ? 0 : sum / sorted.length;
    }
  }
}

export function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "!=":
      return actual !== value;
    default:
      return actual === value;
  }
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The aggregated value the expression was judged on; null when k6 judged it. */
  actual: number | null;
}

/** Evaluates one expression against a metric's data, as k6 does at the end of a run. */
export function evaluateThreshold(metric: string, expression: string, data: MetricData): ThresholdResult {
  const parsed = parseThreshold(expression);
  const actual = aggregate(data, parsed);
  return { metric, expression, ok: compare(actual, parsed.operator, parsed.value), actual };
}

/** Splits `http_req_duration{kind:practice,procedure:x}` into the metric name and its tag filter. */
export function parseMetricKey(key: string): { name: string; tags: Record<string, string> } {
  const match = /^([\w.]+)(?:\{(.*)\})?$/.exec(key.trim());
  if (!match?.[1]) throw new ThresholdError(`metric "${key}" is not "name" or "name{tag:value,…}"`);
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",").filter((p) => p.trim() !== "")) {
    const at = pair.indexOf(":");
    if (at < 1) throw new ThresholdError(`metric "${key}": tag filter "${pair}" is not "tag:value"`);
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return { name: match[1], tags };
}
