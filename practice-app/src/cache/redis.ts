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

/** Consecutive failures that open the breaker, and how long it stays open before one trial call. */
const BREAKER_THRESHOLD = 3;
const BREAKER_OPEN_MS = 2_000;

export class RedisHandle {
  readonly client: Redis | null;
  readonly keyPrefix: string;
  private failures = 0;
  private openUntil = 0;
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
      this.failures = 0;
      this.openUntil = 0;
    });
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /** True when a call is worth trying: connected, and the breaker is not open. */
  available(): boolean {
    if (this.client?.status !== "ready") return false;
    return Date.now() >= this.openUntil;
  }

  mode(): RedisMode {
    if (!this.client) return "disabled";
    return this.available() ? "ok" : "down";
  }

  /** Runs one Redis operation, or throws RedisUnavailableError at once when Redis is known to be down. */
  async run<T>(operation: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) throw new RedisUnavailableError("not configured (REDIS_URL is empty)");
    if (!this.available()) throw new RedisUnavailableError(this.lastError ?? `connection ${client.status}`);
    try {
      const result = await operation(client);
      this.failures = 0;
      return result;
    } catch (error) {
      this.failures += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.failures >= BREAKER_THRESHOLD) {
        this.openUntil = Date.now() + BREAKER_OPEN_MS;
        this.logger.warn({ failures: this.failures, err: error }, "redis: failing; skipping it for 2 s");
      }
      throw error;
    }
  }

  /** Latency of a PING, for readiness; bypasses the breaker so recovery is seen at once. */
  async ping(): Promise<{ mode: RedisMode; latencyMs: number | null; error?: string }> {
    if (!this.client) return { mode: "disabled", latencyMs: null };
    const started = performance.now();
    try {
      await this.client.ping();
      this.failures = 0;
      this.openUntil = 0;
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
