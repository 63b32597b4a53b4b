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

  it("defaults the drain delay by whether something sits in front (TRUST_PROXY), unless it is set", () => {
    expect(loadConfig(minimal).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
    expect(loadConfig({ ...minimal, TRUST_PROXY: "true" }).SHUTDOWN_DRAIN_DELAY_MS).toBe(5_000);
    expect(
      loadConfig({ ...minimal, TRUST_PROXY: "true", SHUTDOWN_DRAIN_DELAY_MS: "0" }).SHUTDOWN_DRAIN_DELAY_MS,
    ).toBe(0);
    expect(loadConfig({ ...minimal, SHUTDOWN_DRAIN_DELAY_MS: "" }).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
  });

  it("reads METRICS_ALLOW as addresses and CIDR ranges, refusing anything else by name", () => {
    expect(loadConfig(minimal).METRICS_ALLOW).toEqual(["127.0.0.0/8", "::1/128"]);
    expect(
      loadConfig({ ...minimal, METRICS_ALLOW: " 10.0.0.0/8, fd00::/8 ,192.168.1.5" }).METRICS_ALLOW,
    ).toEqual(["10.0.0.0/8", "fd00::/8", "192.168.1.5"]);
    for (const bad of ["10.0.0.0/33", "prometheus.internal", "10.0.0.0/8/1", "::1/129"]) {
      expect(() => loadConfig({ ...minimal, METRICS_ALLOW: bad }), bad).toThrow(
        /METRICS_ALLOW\.0 .*IPv4 or IPv6 address or CIDR range|METRICS_ALLOW is .*IPv4 or IPv6 address or CIDR range/,
      );
    }
    expect(loadConfig({ ...minimal, METRICS_PORT: "" }).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ ...minimal, METRICS_PORT: "9464" }).METRICS_PORT).toBe(9464);
  });

  it("caps the tRPC batch size between 1 and 20", () => {
    expect(loadConfig(minimal).TRPC_MAX_BATCH_SIZE).toBe(10);
    expect(() => loadConfig({ ...minimal, TRPC_MAX_BATCH_SIZE: "1000" })).toThrow(
      /TRPC_MAX_BATCH_SIZE is "1000"/,
    );
  });

  it("needs a sender and a public URL with SMTP_URL, and keeps logged reset links out of production", () => {
    expect(loadConfig(minimal).SMTP_URL).toBeUndefined();
    const ok = loadConfig({
      ...minimal,
      SMTP_URL: "smtp://mailer:secret@127.0.0.1:2525",
      SMTP_FROM: "no-reply@example.org",
      PUBLIC_URL: "https://learn.example.org/",
    });
    expect(ok.PUBLIC_URL).toBe("https://learn.example.org");
    expect(ok.PASSWORD_RESET_TTL_MINUTES).toBe(30);
    expect(() => loadConfig({ ...minimal, SMTP_URL: "smtp://mailer:secret@127.0.0.1:2525" })).toThrow(
      /SMTP_FROM is not set: set the sender address[\s\S]*PUBLIC_URL is not set: set the app's public URL/,
    );
    expect(() => loadConfig({ ...minimal, SMTP_URL: "http://x" })).toThrow(
      /expected an smtp:\/\/ or smtps:\/\/ URL/,
    );
    expect(() =>
      loadConfig({ ...minimal, NODE_ENV: "production", PASSWORD_RESET_LOG_LINKS: "true" }),
    ).toThrow(/PASSWORD_RESET_LOG_LINKS .*development only/);
    expect(loadConfig({ ...minimal, PASSWORD_RESET_LOG_LINKS: "true" }).PASSWORD_RESET_LOG_LINKS).toBe(true);
  });
});
