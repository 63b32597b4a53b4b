// Reads the app's /metrics (Prometheus text format) into samples that runbooks can check.
import { countsForSlowResponses, isServerErrorCode } from "../../policy/alert-rules.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[4]) });
  }
  return samples;
}

export function sum(
  samples: Sample[],
  name: string,
  filter: (labels: Record<string, string>) => boolean = () => true,
): number {
  return samples.filter((s) => s.name === name && filter(s.labels)).reduce((total, s) => total + s.value, 0);
}

/**
 * Error rate of tRPC calls: server errors over all calls, from the counters. The codes counted are
 * HighErrorRate's (policy/alert-rules.ts), so maintenance and BUSY refusals are not server errors.
 */
export function errorRate(samples: Sample[]): { calls: number; serverErrors: number; rate: number } {
  const calls = sum(samples, "trpc_request_duration_seconds_count");
  const serverErrors = sum(samples, "trpc_errors_total", (l) => isServerErrorCode(l.code ?? ""));
  return { calls, serverErrors, rate: calls === 0 ? 0 : serverErrors / calls };
}

/** p95 (or any quantile) of tRPC call latency in ms, estimated from the histogram buckets. */
export function latencyQuantileMs(samples: Sample[], quantile: number): number | null {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== "trpc_request_duration_seconds_bucket") continue;
    const le = s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = quantile * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return previousLe * 1000;
      const share = count === previousCount ? 0 : (rank - previousCount) / (count - previousCount);
      return (previousLe + (le - previousLe) * share) * 1000;
    }
    previousLe = le;
    previousCount = count;
  }
  return previousLe * 1000;
}

/** tRPC errors by procedure and code (every code, client errors included), most frequent first. */
export function errorsByProcedure(
  samples: Sample[],
): Array<{ procedure: string; code: string; count: number }> {
  return samples
    .filter((s) => s.name === "trpc_errors_total" && s.value > 0)
    .map((s) => ({ procedure: s.labels.procedure ?? "?", code: s.labels.code ?? "?", count: s.value }))
    .sort((a, b) => b.count - a.count || a.procedure.localeCompare(b.procedure));
}

/** The histogram samples the SlowResponses alert judges: log-in and sign-up left out (policy/alert-rules.ts). */
export function slowResponsesSamples(samples: Sample[]): Sample[] {
  return samples.filter(
    (s) =>
      !s.name.startsWith("trpc_request_duration_seconds") || countsForSlowResponses(s.labels.procedure ?? ""),
  );
}

/** Calls and a latency quantile (ms) per tRPC procedure, from the histogram; slowest first. */
export function procedureLatencies(
  samples: Sample[],
  quantile: number,
): Array<{ procedure: string; calls: number; quantileMs: number }> {
  const byProcedure = new Map<string, Sample[]>();
  for (const s of samples) {
    if (!s.name.startsWith("trpc_request_duration_seconds_")) continue;
    const procedure = s.labels.procedure ?? "?";
    const list = byProcedure.get(procedure) ?? [];
    list.push(s);
    byProcedure.set(procedure, list);
  }
  const out: Array<{ procedure: string; calls: number; quantileMs: number }> = [];
  for (const [procedure, list] of byProcedure) {
    const q = latencyQuantileMs(list, quantile);
    if (q === null) continue;
    out.push({ procedure, calls: sum(list, "trpc_request_duration_seconds_count"), quantileMs: q });
  }
  return out.sort((a, b) => b.quantileMs - a.quantileMs || b.calls - a.calls);
}

/** Lookups per app cache (cache_requests_total) and the hit rate (hits over hits and misses). */
export function cacheHitRates(
  samples: Sample[],
): Array<{ cache: string; hit: number; miss: number; fallback: number; hitRate: number | null }> {
  const caches = new Map<string, { hit: number; miss: number; fallback: number }>();
  for (const s of samples) {
    if (s.name !== "cache_requests_total") continue;
    const cache = s.labels.cache ?? "?";
    const entry = caches.get(cache) ?? { hit: 0, miss: 0, fallback: 0 };
    const result = s.labels.result;
    if (result === "hit" || result === "miss" || result === "fallback") entry[result] += s.value;
    caches.set(cache, entry);
  }
  return [...caches.entries()]
    .map(([cache, c]) => ({ cache, ...c, hitRate: c.hit + c.miss === 0 ? null : c.hit / (c.hit + c.miss) }))
    .sort((a, b) => a.cache.localeCompare(b.cache));
}
