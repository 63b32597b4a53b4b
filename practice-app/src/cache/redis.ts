import { Redis } from "ioredis";
import type { Logger } from "pino";

// The one place that imports `ioredis`. Redis is an accelerator here, never a dependency: every
// caller has a PostgreSQL or in-process path for when this handle says Redis is unavailable.

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`redis unavailable: ${reason}`);
    this.name = "RedisUnavailableError";
  }
}

export type RedisMode = "ok" | "down" | "disabled";

/**
 * The circuit breaker every Redis command goes through (cache, leaderboard, rate limits): this many
 * consecutive failures open it; while open every call fails at once (callers fall back to
 * PostgreSQL or in-process limits); after BREAKER_OPEN_MS one trial call is let through (half-open)
 * while the others still fail at once, so a frozen Redis costs one command timeout per window,
 * not one per request.
 */
const BREAKER_THRESHOLD = 3;
const BREAKER_OPEN_MS = 2_000;

export class RedisHandle {
  readonly client: Redis | null;
  readonly keyPrefix: string;
  private failures = 0;
  private openUntil = 0;
  /** Open breaker: commands are failing. Cleared by the first success (a trial call or a ping). */
  private failing = false;
  private trialInFlight = false;
  private lastError: string | null = null;
  private readonly logger: Logger;

  constructor(settings: RedisSettings | null, logger: Logger) {
    this.logger = logger;
    this.keyPrefix = settings?.keyPrefix ?? "";
    if (!settings) {
      this.client = null;
      return;
    }
    this.client = new Redis(settings.url, {
      keyPrefix: settings.keyPrefix,
      // Bounded everything: a slow or paused Redis turns into a fast error, never a hung request.
      commandTimeout: settings.commandTimeoutMs,
      connectTimeout: settings.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keep trying to reconnect in the background, at most every 2 s.
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      lazyConnect: false,
    });
    this.client.on("error", (error: Error) => {
      if (this.lastError !== error.message) this.logger.warn({ err: error }, "redis: connection error");
      this.lastError = error.message;
    });
    this.client.on("ready", () => {
      if (this.lastError !== null) this.logger.info("redis: connected again");
      this.lastError = null;
      this.recovered();
    });
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /** True when a call is worth trying: connected, and the breaker is closed or due a trial call. */
  available(): boolean {
    if (this.client?.status !== "ready") return false;
    if (!this.failing) return true;
    return !this.trialInFlight && Date.now() >= this.openUntil;
  }

  /** "down" while disconnected or while commands are failing (the breaker is open), for redis_up. */
  mode(): RedisMode {
    if (!this.client) return "disabled";
    return this.client.status === "ready" && !this.failing ? "ok" : "down";
  }

  /** Runs one Redis operation, or throws RedisUnavailableError at once when Redis is known to be down. */
  async run<T>(operation: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) throw new RedisUnavailableError("not configured (REDIS_URL is empty)");
    if (!this.available()) throw new RedisUnavailableError(this.lastError ?? `connection ${client.status}`);
    const trial = this.failing;
    if (trial) this.trialInFlight = true;
    try {
      const result = await operation(client);
      this.recovered();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private failed(error: unknown): void {
    this.failures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.failures < BREAKER_THRESHOLD) return;
    this.openUntil = Date.now() + BREAKER_OPEN_MS;
    if (!this.failing) {
      // Once per outage: the trial calls that fail while it lasts are not news.
      this.failing = true;
      this.logger.warn(
        { failures: this.failures, err: error },
        `redis: commands failing; serving without Redis, retrying one command every ${BREAKER_OPEN_MS / 1000} s`,
      );
    }
  }

  private recovered(): void {
    if (this.failing) this.logger.info("redis: commands succeed again; using Redis");
    this.failing = false;
    this.failures = 0;
    this.openUntil = 0;
  }

  /** Latency of a PING, for readiness; bypasses the breaker so recovery is seen at once. */
  async ping(): Promise<{ mode: RedisMode; latencyMs: number | null; error?: string }> {
    if (!this.client) return { mode: "disabled", latencyMs: null };
    const started = performance.now();
    try {
      await this.client.ping();
      this.recovered();
      return { mode: "ok", latencyMs: round(performance.now() - started) };
    } catch (error) {
      return {
        mode: "down",
        latencyMs: round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async close(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.quit();
    } catch {
      // quit fails when the connection is already gone; disconnect makes sure the socket is closed.
      this.client.disconnect();
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
