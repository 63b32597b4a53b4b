// Every Redis key the app writes, with its TTL: one table the cache modules build their keys from
// and the handbook renders (<RedisKeys/>). Keys are relative to REDIS_KEY_PREFIX, which ioredis
// prepends to each of them. No ioredis here: this module is data.

/** How long a key lives: fixed seconds, or the window a config variable sets. */
export type KeyTtl = { seconds: number } | { configVariable: string } | { none: string };

export interface RedisKey {
  /** The key after the prefix; `<…>` marks a part filled in at run time. */
  pattern: string;
  type: "hash" | "sorted set" | "string";
  ttl: KeyTtl;
  holds: string;
}

export const RATE_LIMITERS = {
  loginPerAccount: { name: "login-account", windowVariable: "RATE_LIMIT_LOGIN_WINDOW_S", key: "email" },
  loginPerIp: { name: "login-ip", windowVariable: "RATE_LIMIT_LOGIN_WINDOW_S", key: "client address" },
  apiPerLearner: { name: "api-learner", windowVariable: "RATE_LIMIT_API_WINDOW_S", key: "learner id" },
  resetPerIp: { name: "reset-ip", windowVariable: "RATE_LIMIT_RESET_WINDOW_S", key: "client address" },
  resetPerAccount: { name: "reset-account", windowVariable: "RATE_LIMIT_RESET_WINDOW_S", key: "email" },
  accountDataPerLearner: {
    name: "account-data",
    windowVariable: "RATE_LIMIT_ACCOUNT_DATA_WINDOW_S",
    key: "learner id",
  },
} as const;

/** rate-limiter-flexible stores `<keyPrefix>:<key>`; the app's keyPrefix is `rl:<limiter name>`. */
export const rateLimitKeyPrefix = (limiter: string): string => `rl:${limiter}`;

export const exercisesKey = (bankVersion: string): string => `exercises:${bankVersion}`;
export const LEADERBOARD_KEY = "leaderboard";
export const LEADERBOARD_REBUILD_KEY = "leaderboard:rebuild";
export const EXERCISES_TTL_SECONDS = 3_600;
/** Bounds how long a missed update can leave Redis behind PostgreSQL, the source of truth. */
export const LEADERBOARD_TTL_SECONDS = 600;

export const REDIS_KEYS: readonly RedisKey[] = [
  {
    pattern: exercisesKey("<bank version>"),
    type: "hash",
    ttl: { seconds: EXERCISES_TTL_SECONDS },
    holds: "the exercise rows of one bank version, by exercise id (a new seed means a new key)",
  },
  {
    pattern: LEADERBOARD_KEY,
    type: "sorted set",
    ttl: { seconds: LEADERBOARD_TTL_SECONDS },
    holds: "learner id → score; a cache of learners.score, rebuilt from PostgreSQL when missing or stale",
  },
  {
    pattern: LEADERBOARD_REBUILD_KEY,
    type: "sorted set",
    ttl: { none: "renamed to leaderboard at the end of a rebuild" },
    holds: "the board being rebuilt",
  },
  ...Object.values(RATE_LIMITERS).map(
    (limiter): RedisKey => ({
      pattern: `${rateLimitKeyPrefix(limiter.name)}:<${limiter.key}>`,
      type: "string",
      ttl: { configVariable: limiter.windowVariable },
      holds: `points consumed in the current window of the ${limiter.name} rate limit`,
    }),
  ),
];
