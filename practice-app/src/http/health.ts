import type { MaintenanceSwitch } from "../api/maintenance.ts";
import type { RedisHandle } from "../cache/redis.ts";
import { migrationStatus } from "../db/migrations.ts";
import type { Pool } from "../db/pool.ts";

// /healthz says only "the process is alive"; /readyz says whether this instance should get traffic.

const CHECK_TIMEOUT_MS = 1_000;

export interface Check {
  status: "ok" | "degraded" | "down" | "disabled";
  latencyMs: number | null;
  error?: string;
  [detail: string]: unknown;
}

export interface Readiness {
  httpStatus: 200 | 503;
  body: {
    status: "ok" | "degraded" | "unavailable";
    shuttingDown: boolean;
    maintenance: { enabled: boolean; message: string };
    checks: { postgres: Check; redis: Check; migrations: Check };
  };
}

export async function checkReadiness(deps: {
  pool: Pool;
  redis: RedisHandle;
  maintenance: MaintenanceSwitch;
  shuttingDown: boolean;
}): Promise<Readiness> {
  const [postgres, migrations, redis] = await Promise.all([
    timed(async () => {
      await deps.pool.query("SELECT 1");
      return {};
    }),
    timed(async () => {
      const status = await migrationStatus(deps.pool);
      if (status.pending.length > 0) {
        throw new Error(`pending migrations: ${status.pending.join(", ")}; run npm run db:migrate -- up`);
      }
      return {
        applied: status.applied.length,
        ...(status.unknown.length > 0 ? { newerThanRelease: status.unknown } : {}),
      };
    }),
    deps.redis.ping(),
  ]);
  const redisCheck: Check =
    redis.mode === "ok"
      ? { status: "ok", latencyMs: redis.latencyMs }
      : redis.mode === "disabled"
        ? {
            status: "disabled",
            latencyMs: null,
            note: "REDIS_URL is empty: no shared cache, in-process rate limits",
          }
        : {
            status: "down",
            latencyMs: redis.latencyMs,
            error: redis.error ?? "no answer",
            note: "serving from PostgreSQL; rate limits are in-process",
          };
  const unavailable = postgres.status !== "ok" || migrations.status !== "ok" || deps.shuttingDown;
  const degraded = redisCheck.status !== "ok";
  return {
    httpStatus: unavailable ? 503 : 200,
    body: {
      status: unavailable ? "unavailable" : degraded ? "degraded" : "ok",
      shuttingDown: deps.shuttingDown,
      // Maintenance does not make the instance unready: it must keep answering with the message.
      maintenance: await deps.maintenance.current(),
      checks: { postgres, redis: redisCheck, migrations },
    },
  };
}

async function timed(probe: () => Promise<Record<string, unknown>>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const details = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: "ok", latencyMs: elapsed(started), ...details };
  } catch (error) {
    return {
      status: "down",
      latencyMs: elapsed(started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
