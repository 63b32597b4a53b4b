import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { rateLimitKeyPrefix } from "./keys.ts";
import type { RedisHandle } from "./redis.ts";

// Rate limits live in Redis so every app instance shares them. When Redis is down each instance
// falls back to an in-process limit at half the allowance: conservative, never unlimited.

export interface LimitRule {
  name: string;
  points: number;
  windowSeconds: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  readonly rule: LimitRule;
  private readonly redis: RedisHandle;
  private readonly shared: RateLimiterRedis | null;
  private readonly local: RateLimiterMemory;

  constructor(redis: RedisHandle, rule: LimitRule) {
    this.rule = rule;
    this.redis = redis;
    this.local = new RateLimiterMemory({
      keyPrefix: rateLimitKeyPrefix(rule.name),
      points: Math.max(1, Math.floor(rule.points / 2)),
      duration: rule.windowSeconds,
    });
    this.shared = redis.client
      ? new RateLimiterRedis({
          storeClient: redis.client,
          keyPrefix: rateLimitKeyPrefix(rule.name),
          points: rule.points,
          duration: rule.windowSeconds,
          rejectIfRedisNotReady: true,
          insuranceLimiter: this.local,
        })
      : null;
  }

  async consume(key: string): Promise<LimitDecision> {
    const limiter = this.shared && this.redis.available() ? this.shared : this.local;
    try {
      await limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      throw rejection;
    }
  }

  /** Forgets a key, e.g. an account's failed logins after a successful one. */
  async reset(key: string): Promise<void> {
    await this.local.delete(key);
    if (this.shared && this.redis.available()) await this.shared.delete(key).catch(() => undefined);
  }
}
