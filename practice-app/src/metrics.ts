import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CacheStats } from "./cache/stats.ts";
import type { Release } from "./release.ts";

// One registry per app instance (not prom-client's global), so tests can run several apps in one
// process and each /metrics shows only its own numbers.

export interface AppMetrics {
  registry: Registry;
  requestDuration: Histogram<"procedure" | "type" | "status">;
  errors: Counter<"procedure" | "code">;
  rateLimited: Counter<"limiter">;
  cacheRequests: Counter<"cache" | "result">;
  cache: CacheStats;
  httpRequests: Counter<"route" | "status">;
}

/**
 * What an operator watches each metric for, by name: the handbook's monitoring page shows it beside
 * the metric's help (src/lib/app-facts.ts), and a test requires one for every metric declared here.
 * `process_` and `nodejs_` stand for prom-client's default process metrics.
 */
export const METRIC_WATCH_FOR: Record<string, string> = {
  trpc_request_duration_seconds:
    "p95 per procedure (_count is the call count); accounts.logIn is slow on purpose (scrypt)",
  trpc_errors_total:
    "any INTERNAL_SERVER_ERROR (a bug or fault) or SERVICE_UNAVAILABLE (database not answering), and the server-error share. MAINTENANCE and BUSY are refusals on purpose, UNAUTHORIZED, TOO_MANY_REQUESTS and NOT_FOUND learners' errors: none of them is a server error",
  rate_limited_requests_total:
    "a jump in login_per_ip or signup_per_ip (an attack, or TRUST_PROXY off behind nginx); any signup_global (a bot spread over many addresses, or a launch)",
  cache_requests_total: "the hit rate falling; any fallback (Redis was unavailable and PostgreSQL answered)",
  http_requests_total: "5xx on route trpc; floods of 405 and 404",
  pg_pool_connections:
    "waiting above 0 for minutes: the pool is exhausted (Troubleshooting, Database connections exhausted)",
  redis_up:
    "0: Redis is down, not configured, or its commands fail (the circuit breaker is open) (Troubleshooting, Redis is down)",
  password_hashing:
    "waiting near PASSWORD_HASH_QUEUE_MAX: a log-in wave (after revoke-all-sessions) or a log-in flood; past it log-ins get 503 BUSY",
  app_ready: "0 outside a deploy",
  app_build_info:
    "two commits at once outside a deploy (a stale instance); the handbook's footer compares it with the handbook's commit",
  process_: "CPU and resident memory growing without falling",
  nodejs_: "heap growing without falling (a leak); event-loop lag in the tens of ms",
};

export function createMetrics(sources: {
  pool: () => { total: number; idle: number; waiting: number; max: number };
  redisUp: () => number;
  /** Password hashes running on the hashing threads and waiting for one (auth/passwords.ts). */
  passwordHashing: () => { running: number; waiting: number };
  ready: () => boolean;
  /** The release this process runs (release.ts). */
  release: Release;
}): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: "trpc_request_duration_seconds",
    help: "Duration of tRPC procedure calls, by procedure, type (query or mutation) and outcome.",
    labelNames: ["procedure", "type", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: "trpc_errors_total",
    help: "tRPC calls that ended in an error, by procedure and tRPC error code.",
    labelNames: ["procedure", "code"] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "rate_limited_requests_total",
    help: "Requests refused by a rate limit, by limiter.",
    labelNames: ["limiter"] as const,
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: "cache_requests_total",
    help: "Cache lookups by cache and result: hit, miss, or fallback (Redis unavailable, served from PostgreSQL).",
    labelNames: ["cache", "result"] as const,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by route group and status code.",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "pg_pool_connections",
    help: "PostgreSQL pool connections by state: total, idle, waiting (queued callers), max.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const stats = sources.pool();
      this.set({ state: "total" }, stats.total);
      this.set({ state: "idle" }, stats.idle);
      this.set({ state: "waiting" }, stats.waiting);
      this.set({ state: "max" }, stats.max);
    },
  });
  new Gauge({
    name: "password_hashing",
    help: "Password hashes (log-ins, sign-ups, resets) by state: running on a hashing thread, waiting for one.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const load = sources.passwordHashing();
      this.set({ state: "running" }, load.running);
      this.set({ state: "waiting" }, load.waiting);
    },
  });
  new Gauge({
    name: "redis_up",
    help: "1 when Redis answers, 0 when it is down or not configured (the app runs degraded).",
    registers: [registry],
    collect() {
      this.set(sources.redisUp());
    },
  });
  new Gauge({
    name: "app_ready",
    help: "1 while the instance accepts traffic, 0 while starting or shutting down.",
    registers: [registry],
    collect() {
      this.set(sources.ready() ? 1 : 0);
    },
  });

  // The Prometheus convention for a version: a constant 1 whose labels say which, so a query can
  // join it to any other series (and the handbook's console can compare it with its own commit).
  new Gauge({
    name: "app_build_info",
    help: "Always 1; its labels name the release this instance runs: the package version and the git commit.",
    labelNames: ["version", "commit"] as const,
    registers: [registry],
  }).set({ version: sources.release.version, commit: sources.release.commit }, 1);

  const cache: CacheStats = {
    hit: (name) => cacheRequests.inc({ cache: name, result: "hit" }),
    miss: (name) => cacheRequests.inc({ cache: name, result: "miss" }),
    fallback: (name) => cacheRequests.inc({ cache: name, result: "fallback" }),
  };
  return { registry, requestDuration, errors, rateLimited, cacheRequests, cache, httpRequests };
}
