import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../practice-app/src/app.ts";
import { loadConfig } from "../../practice-app/src/config/config.ts";
import { Api, type Learner, signUp } from "../support/api-client.ts";
import { PrivateRedis } from "../support/redis-server.ts";
import { testEnv } from "../support/test-app.ts";

// Issue 14: a frozen Redis (SIGSTOP on a private redis-server) behind every authenticated request's
// rate limit. The breaker must cap the cost at a few command timeouts per window: requests slower
// than the command timeout are counted (no latency figure is asserted), redis_up must go to 0, and
// the outage must be logged once.

const COMMAND_TIMEOUT_MS = 1_000;
const BREAKER_WINDOW_MS = 2_000;
const LOAD_MS = 5_000;

let redis: PrivateRedis;
let app: App;
let url: string;
const lines: Array<{ level: number; msg: string }> = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const config = loadConfig(
    testEnv({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      RATE_LIMIT_API_PER_LEARNER: "100000",
      LOG_LEVEL: "info",
    }),
  );
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  app = await createApp(config, logger);
  url = await app.listen();
});

afterAll(async () => {
  redis?.resume();
  await app?.stop("test finished");
  await redis?.stop();
});

async function metric(name: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
}

describe("when Redis freezes under authenticated load", () => {
  it("costs a few command timeouts per breaker window, reports redis_up 0, and logs the outage once", async () => {
    const api = new Api(url);
    const learners = await Promise.all(["a", "b", "c"].map((tag) => signUp(api, `freeze-${tag}`)));
    expect(await metric("redis_up")).toBe("1");

    const logged = lines.length;
    redis.pause();
    let requests = 0;
    let slow = 0;
    const statuses = new Map<number, number>();
    const started = Date.now();
    const loop = async (learner: Learner) => {
      while (Date.now() - started < LOAD_MS) {
        const t0 = performance.now();
        const res = await learner.api.query("accounts.me", undefined, {
          signal: AbortSignal.timeout(10_000),
        });
        if (performance.now() - t0 >= COMMAND_TIMEOUT_MS * 0.9) slow += 1;
        requests += 1;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(learners.map(loop));
    const redisUpWhileFrozen = await metric("redis_up");
    const elapsed = Date.now() - started;
    redis.resume();

    const windows = Math.ceil(elapsed / BREAKER_WINDOW_MS) + 1;
    console.log(
      `redis freeze: ${requests} requests in ${elapsed} ms, ${slow} waited a command timeout (${windows} breaker windows)`,
    );
    expect([...statuses.keys()]).toEqual([200]);
    // The opening failures (one per concurrent learner), then one trial call per window.
    expect(slow).toBeLessThanOrEqual(learners.length + windows);
    expect(requests).toBeGreaterThan(5 * slow);
    expect(redisUpWhileFrozen).toBe("0");

    const outage = lines.slice(logged).filter((l) => l.level >= 40 && l.msg.startsWith("redis:"));
    expect(outage.map((l) => l.msg)).toEqual([
      "redis: commands failing; serving without Redis, retrying one command every 2 s",
    ]);

    // Recovery: redis_up back to 1, logged once.
    const deadline = Date.now() + 15_000;
    while ((await metric("redis_up")) !== "1" || (await app.deps.redis.ping()).mode !== "ok") {
      if (Date.now() > deadline) throw new Error("redis_up did not return to 1 within 15 s");
      await learners[0]?.api.query("accounts.me");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(
      lines.slice(logged).filter((l) => l.msg === "redis: commands succeed again; using Redis"),
    ).toHaveLength(1);
  });
});
