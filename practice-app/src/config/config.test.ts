import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, maskUrlPassword } from "./config.ts";

const minimal = { DATABASE_URL: "postgres://app@127.0.0.1:5432/ssp", SESSION_SECRET: "x".repeat(32) };

describe("loadConfig", () => {
  it("fills defaults and coerces numbers and flags", () => {
    const config = loadConfig({
      ...minimal,
      PORT: "8080",
      TRUST_PROXY: "true",
      SESSION_SECRET_PREVIOUS: ` ${"a".repeat(32)} ,${"b".repeat(32)}`,
    });
    expect(config.PORT).toBe(8080);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.REDIS_URL).toBe("");
    expect(config.SCRYPT_LOG_N).toBe(17);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    expect(config.SESSION_SECRET_PREVIOUS).toEqual(["a".repeat(32), "b".repeat(32)]);
  });

  it("lists every problem at once, naming each variable, without printing secrets", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        REDIS_URL: "localhost:6379",
        SESSION_SECRET: "hunter2",
        SCRYPT_LOG_N: "10",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).toMatch(/DATABASE_URL is not set/);
    expect(problems.join("\n")).toMatch(/PORT is "http"/);
    expect(problems.join("\n")).toMatch(/REDIS_URL is "localhost:6379": expected a redis:\/\//);
    expect(problems.join("\n")).toMatch(/SCRYPT_LOG_N is "10"/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("masks passwords in connection URLs", () => {
    expect(maskUrlPassword("postgres://app:s3cret@db:5432/x")).toBe("postgres://app:***@db:5432/x");
    expect(maskUrlPassword("redis://:s3cret@cache:6379")).toBe("redis://:***@cache:6379");
    expect(maskUrlPassword("postgres://app@db/x")).toBe("postgres://app@db/x");
  });
});
