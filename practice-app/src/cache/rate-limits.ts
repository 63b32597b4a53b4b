import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { rateLimitKeyPrefix } from "./keys.ts";
import type { RedisHandle } from "./redis.ts";

/** A refusal travels out of the breaker as a value: it is Redis answering, not Redis failing. */
type SharedOutcome = { refused: false } | { refused: true; rejection: RateLimiterRes };

// Rate limits live in Redis so every app instance shares them. When Redis is down each instance
// falls back to an in-process limit at half the allowance: conservative, never unlimited. Every
// Redis call goes through the handle's circuit breaker, like the caches': a frozen Redis costs a
// few command timeouts per breaker window, is logged once and shows as redis_up 0.

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
          // No insuranceLimiter: it would hide Redis failures from the breaker. The fallback to
          // the in-process limit happens in consume(), after the breaker has counted the failure.
        })
      : null;
  }

  async consume(key: string): Promise<LimitDecision> {
    const shared = this.shared;
    if (shared && this.redis.available()) {
      let outcome: SharedOutcome | null = null;
      try {
        outcome = await this.redis.run(async () => {
          try {
            await shared.consume(key);
            return { refused: false } as const;
          } catch (rejection) {
            if (rejection instanceof RateLimiterRes) return { refused: true, rejection } as const;
            throw rejection;
          }
        });
      } catch {
        // Redis failed (the breaker counted it and logs the outage): use the in-process limit below.
        outcome = null;
      }
      if (outcome) return outcome.refused ? refusal(outcome.rejection) : { allowed: true };
    }
    try {
      await this.local.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return refusal(rejection);
      throw rejection;
    }
  }

  /** Gives one point back, for an attempt the server refused as busy before judging it (503 BUSY). */
  async refund(key: string): Promise<void> {
    const shared = this.shared;
    if (shared && this.redis.available()) {
      const refunded = await this.redis
        .run(() => shared.reward(key, 1))
        .then(
          () => true,
          () => false, // Redis failed (counted by the breaker): the in-process count below instead
        );
      if (refunded) return;
    }
    await this.local.reward(key, 1);
  }

  /** Forgets a key, e.g. an account's failed logins after a successful one. */
  async reset(key: string): Promise<void> {
    await this.local.delete(key);
    const shared = this.shared;
    if (shared && this.redis.available()) {
      await this.redis
        .run(() => shared.delete(key))
        .catch(() => {
          // Redis failed (counted by the breaker): the shared count expires with its window instead.
          return false;
        });
    }
  }
}

function refusal(rejection: RateLimiterRes): LimitDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
}
