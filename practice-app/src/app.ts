import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Logger, pino } from "pino";
import type { AppDeps } from "./api/context.ts";
import { MaintenanceSwitch } from "./api/maintenance.ts";
import { configurePasswordHashing, dummyHash, passwordHashing } from "./auth/passwords.ts";
import { SessionKeys } from "./auth/session-keys.ts";
import { ExerciseCache } from "./cache/exercise-cache.ts";
import { RATE_LIMITERS } from "./cache/keys.ts";
import { LeaderboardCache } from "./cache/leaderboard-cache.ts";
import { RateLimiter } from "./cache/rate-limits.ts";
import { RedisHandle } from "./cache/redis.ts";
import { type AppConfig, maskUrlPassword } from "./config/config.ts";
import { assertMigrated } from "./db/migrations.ts";
import { DatabasePasswordFile, urlWithoutPassword } from "./db/password-file.ts";
import { createPool, createReadinessPool, type PoolSettings, poolStats } from "./db/pool.ts";
import { activeBankVersion } from "./db/repositories/exercises.ts";
import { loadErrorReporter } from "./errors/reporter.ts";
import {
  createMetricsListener,
  createRequestListener,
  markDraining,
  type ServerState,
} from "./http/server.ts";
import { loadLearnerPage } from "./http/static-files.ts";
import { createLogMailer, createSmtpMailer, type Mailer } from "./mail/mailer.ts";
import { createMetrics } from "./metrics.ts";
import { readRelease } from "./release.ts";
import { WorkTracker } from "./work-tracker.ts";

export interface App {
  deps: AppDeps;
  server: Server;
  state: ServerState;
  /** Starts listening; resolves with the bound URL. */
  listen(): Promise<string>;
  /** Graceful stop: readiness 503, stop accepting, finish in-flight requests, close Redis and the pool. */
  stop(reason?: string): Promise<void>;
}

/**
 * How long the app keeps an idle keep-alive connection open. Every nginx in front keeps its idle
 * upstream connections for less (keepalive_timeout), or it could reuse one the app is closing: a
 * POST on it fails with 502, and nginx never retries a POST (tests/cicd/images.test.ts).
 */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

export function createLogger(config: Pick<AppConfig, "LOG_LEVEL">): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: "practice-app" } });
}

/** The password-reset sender: SMTP when configured, the log in development when asked, else none. */
function createMailer(config: AppConfig, logger: Logger): Mailer | null {
  if (config.SMTP_URL && config.SMTP_FROM) {
    return createSmtpMailer({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM });
  }
  if (config.PASSWORD_RESET_LOG_LINKS) return createLogMailer(logger);
  logger.warn("SMTP_URL is not set: password reset by e-mail is disabled");
  return null;
}

/** Builds the app: connects, refuses to start on pending migrations, and wires every dependency. */
export async function createApp(config: AppConfig, logger: Logger = createLogger(config)): Promise<App> {
  await configurePasswordHashing({
    maxWaiting: config.PASSWORD_HASH_QUEUE_MAX,
    nice: config.PASSWORD_HASH_NICE,
  });
  // First, so that a failure of what follows is already reported.
  const errors = await loadErrorReporter(config, logger);
  const passwordFile = config.DATABASE_PASSWORD_FILE
    ? new DatabasePasswordFile(config.DATABASE_PASSWORD_FILE, logger)
    : null;
  const poolSettings: PoolSettings = {
    // pg lets a password in the URL win over the password function: the file must be the only source.
    connectionString: passwordFile ? urlWithoutPassword(config.DATABASE_URL) : config.DATABASE_URL,
    ...(passwordFile ? { password: () => passwordFile.current() } : {}),
    max: config.PG_POOL_MAX,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMs: config.PG_CONNECTION_TIMEOUT_MS,
    applicationName: config.PG_APPLICATION_NAME,
    transactionPooler: config.PG_TRANSACTION_POOLER,
  };
  const pool = createPool(poolSettings, logger);
  const readinessPool = createReadinessPool(poolSettings, logger);
  const redis = new RedisHandle(
    config.REDIS_URL
      ? {
          url: config.REDIS_URL,
          keyPrefix: config.REDIS_KEY_PREFIX,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
          connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
        }
      : null,
    logger,
  );
  let bankVersion: string;
  try {
    const status = await assertMigrated(pool);
    if (status.unknown.length > 0) {
      logger.warn(
        { newerMigrations: status.unknown },
        "database has migrations newer than this release (expand-only)",
      );
    }
    bankVersion = (await activeBankVersion(pool)) ?? "empty";
    if (bankVersion === "empty") logger.warn("the exercise bank is empty: run `npm run db:seed`");
  } catch (error) {
    await Promise.allSettled([pool.end(), readinessPool.end(), redis.close(), errors.close(2_000)]);
    throw error;
  }
  if (!redis.enabled)
    logger.warn("REDIS_URL is empty: running without Redis (no shared cache, in-process rate limits)");

  const release = readRelease(config.APP_COMMIT);
  const state: ServerState = { shuttingDown: false, startedAt: Date.now(), inFlight: new Set(), release };
  const metrics = createMetrics({
    release,
    pool: () => poolStats(pool),
    passwordHashing,
    redisUp: () => (redis.mode() === "ok" ? 1 : 0),
    ready: () => !state.shuttingDown,
  });
  const loginWindow = config.RATE_LIMIT_LOGIN_WINDOW_S;
  const deps: AppDeps = {
    config,
    pool,
    readinessPool,
    redis,
    exercises: new ExerciseCache({ redis, db: pool, stats: metrics.cache, bankVersion }),
    leaderboard: new LeaderboardCache({ redis, db: pool, stats: metrics.cache }),
    limits: {
      loginPerAccount: new RateLimiter(redis, {
        name: RATE_LIMITERS.loginPerAccount.name,
        points: config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
        windowSeconds: loginWindow,
      }),
      loginPerIp: new RateLimiter(redis, {
        name: RATE_LIMITERS.loginPerIp.name,
        points: config.RATE_LIMIT_LOGIN_PER_IP,
        windowSeconds: loginWindow,
      }),
      signUpPerIp: new RateLimiter(redis, {
        name: "signup-ip",
        points: config.RATE_LIMIT_SIGNUP_PER_IP,
        windowSeconds: config.RATE_LIMIT_SIGNUP_WINDOW_S,
      }),
      signUpGlobal: new RateLimiter(redis, {
        name: "signup-global",
        points: config.RATE_LIMIT_SIGNUP_GLOBAL,
        windowSeconds: config.RATE_LIMIT_SIGNUP_WINDOW_S,
      }),
      apiPerLearner: new RateLimiter(redis, {
        name: RATE_LIMITERS.apiPerLearner.name,
        points: config.RATE_LIMIT_API_PER_LEARNER,
        windowSeconds: config.RATE_LIMIT_API_WINDOW_S,
      }),
      resetPerIp: new RateLimiter(redis, {
        name: RATE_LIMITERS.resetPerIp.name,
        points: config.RATE_LIMIT_RESET_PER_IP,
        windowSeconds: config.RATE_LIMIT_RESET_WINDOW_S,
      }),
      resetPerAccount: new RateLimiter(redis, {
        name: RATE_LIMITERS.resetPerAccount.name,
        points: config.RATE_LIMIT_RESET_PER_ACCOUNT,
        windowSeconds: config.RATE_LIMIT_RESET_WINDOW_S,
      }),
      accountDataPerLearner: new RateLimiter(redis, {
        name: RATE_LIMITERS.accountDataPerLearner.name,
        points: config.RATE_LIMIT_ACCOUNT_DATA_PER_LEARNER,
        windowSeconds: config.RATE_LIMIT_ACCOUNT_DATA_WINDOW_S,
      }),
    },
    mailer: createMailer(config, logger),
    metrics,
    logger,
    dummyPasswordHash: await dummyHash(config.SCRYPT_LOG_N),
    work: new WorkTracker(),
    maintenance: new MaintenanceSwitch(pool),
    sessionKeys: new SessionKeys(
      {
        secret: config.SESSION_SECRET,
        previous: config.SESSION_SECRET_PREVIOUS,
        file: config.SESSION_SECRET_FILE,
      },
      logger,
    ),
    errors,
  };
  const server = createServer(
    { keepAliveTimeout: HTTP_KEEP_ALIVE_TIMEOUT_MS },
    createRequestListener(deps, state, await loadLearnerPage()),
  );
  const metricsServer = config.METRICS_PORT === undefined ? null : createServer(createMetricsListener(deps));

  let stopping: Promise<void> | null = null;
  const stop = (reason = "stop requested"): Promise<void> => {
    stopping ??= (async () => {
      markDraining(state);
      logger.info(
        { reason, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS },
        "shutting down: readiness is now 503",
      );
      if (config.SHUTDOWN_DRAIN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DRAIN_DELAY_MS);
      // close() stops accepting and resolves once in-flight requests have finished.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      // A client that hung up leaves its procedure running; let it finish before closing the pool.
      await deps.work.idle();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await redis.close();
      deps.mailer?.close();
      await Promise.all([pool.end(), readinessPool.end()]);
      await errors.close(2_000);
      logger.info("shutdown complete");
    })();
    return stopping;
  };

  return {
    deps,
    server,
    state,
    listen: async () => {
      const url = await listenOn(server, config.PORT, config.HOST);
      const metricsUrl = metricsServer
        ? await listenOn(metricsServer, config.METRICS_PORT ?? 0, config.HOST)
        : `${url}/metrics`;
      logger.info(
        {
          url,
          metrics: metricsServer ? `${metricsUrl}/metrics` : metricsUrl,
          metricsAllow: config.METRICS_ALLOW,
          database: maskUrlPassword(config.DATABASE_URL),
          redis: redis.enabled ? maskUrlPassword(config.REDIS_URL) : "none",
          bankVersion,
        },
        "practice app listening",
      );
      return url;
    },
    stop,
  };
}

function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
