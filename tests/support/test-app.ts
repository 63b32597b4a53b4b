import { randomBytes } from "node:crypto";
import { type Logger, pino } from "pino";
import { inject } from "vitest";
import { type App, createApp } from "../../practice-app/src/app.ts";
import { loadConfig } from "../../practice-app/src/config/config.ts";
import { Api } from "./api-client.ts";

export interface TestApp {
  app: App;
  url: string;
  api: Api;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export const TEST_SESSION_SECRET = "test-session-secret-0123456789-abcdefghij";

/** The environment a test app runs with: this run's database, its own Redis key space. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    LOG_REQUESTS: "false",
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: `${inject("redisPrefix")}${randomBytes(3).toString("hex")}:`,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...overrides,
  };
}

/** A test app; pass `logger` to read what it logs. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  logger?: Logger,
): Promise<TestApp> {
  const env = testEnv(overrides);
  const config = loadConfig(env);
  const app = await createApp(config, logger ?? pino({ level: config.LOG_LEVEL }));
  const url = await app.listen();
  return { app, url, api: new Api(url), env, stop: () => app.stop("test finished") };
}
