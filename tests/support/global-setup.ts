import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { createDatabase, dropDatabase, TEST_REDIS_URL, uniqueName } from "./services.ts";

// One database and one Redis key prefix for this test run, migrated and seeded once; dropped after.

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = uniqueName("ssp_test");
  const databaseUrl = await createDatabase(name);
  const redisPrefix = `ssp-test:${randomBytes(4).toString("hex")}:`;
  try {
    await migrateUp(databaseUrl, () => undefined);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      await seed(pool, { demo: false, scryptLogN: 17 });
    } finally {
      await pool.end();
    }
  } catch (error) {
    await dropDatabase(name);
    throw error;
  }
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", TEST_REDIS_URL);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    await dropDatabase(name);
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== "0");
    } finally {
      redis.disconnect();
    }
  };
}
