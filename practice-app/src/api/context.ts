import type { Logger } from "pino";
import type { SessionKeys } from "../auth/session-keys.ts";
import type { ExerciseCache } from "../cache/exercise-cache.ts";
import type { LeaderboardCache } from "../cache/leaderboard-cache.ts";
import type { RateLimiter } from "../cache/rate-limits.ts";
import type { RedisHandle } from "../cache/redis.ts";
import type { AppConfig } from "../config/config.ts";
import type { Pool } from "../db/pool.ts";
import type { ErrorReporter } from "../errors/reporter.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { AppMetrics } from "../metrics.ts";
import type { WorkTracker } from "../work-tracker.ts";
import type { MaintenanceSwitch } from "./maintenance.ts";

/** Everything a procedure may use, built once at start and passed in: no hidden singletons. */
export interface AppDeps {
  config: AppConfig;
  pool: Pool;
  /** One connection of its own for /readyz, so an exhausted app pool does not read as "database down". */
  readinessPool: Pool;
  redis: RedisHandle;
  exercises: ExerciseCache;
  leaderboard: LeaderboardCache;
  limits: {
    loginPerAccount: RateLimiter;
    loginPerIp: RateLimiter;
    signUpPerIp: RateLimiter;
    /** One shared key for every sign-up, whatever its address. */
    signUpGlobal: RateLimiter;
    apiPerLearner: RateLimiter;
    resetPerIp: RateLimiter;
    /** Keyed by the e-mail address asked about, whether or not it has an account. */
    resetPerAccount: RateLimiter;
    /** Exports and deletion attempts of one learner. */
    accountDataPerLearner: RateLimiter;
  };
  /** Sends password-reset links; null when no SMTP sender is configured (reset is then refused). */
  mailer: Mailer | null;
  metrics: AppMetrics;
  logger: Logger;
  /** scrypt hash verified when an email is unknown, so a login's timing does not reveal accounts. */
  dummyPasswordHash: string;
  /** Running procedures and checks; shutdown waits for it to be idle before closing the pools. */
  work: WorkTracker;
  maintenance: MaintenanceSwitch;
  sessionKeys: SessionKeys;
  /** Unhandled errors and 5xx answers go here too (Sentry when SENTRY_DSN is set; else nowhere). */
  errors: ErrorReporter;
}

export interface Context {
  deps: AppDeps;
  token: string | null;
  ip: string;
  userAgent: string | null;
  requestId: string;
  log: Logger;
}

/** The inner context: what tests call directly with `createCaller`. */
export function createInnerContext(
  deps: AppDeps,
  request: { token?: string | null; ip?: string; userAgent?: string | null; requestId?: string } = {},
): Context {
  const requestId = request.requestId ?? "internal";
  return {
    deps,
    token: request.token ?? null,
    ip: request.ip ?? "127.0.0.1",
    userAgent: request.userAgent ?? null,
    requestId,
    log: deps.logger.child({ requestId }),
  };
}
