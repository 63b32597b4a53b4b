/**
 * Redis memory: report and set the eviction policy
 *
 * Purpose: report Redis's used_memory against maxmemory, the eviction policy, evicted keys and what
 *   fills it (keys by family under the app's prefix), then, as a separate confirmed step, set
 *   maxmemory-policy (and maxmemory) to the values given.
 * Sent here by: the Troubleshooting entry "Redis memory full" (the morning check warns "Redis is
 *   evicting keys"; with noeviction, Redis refuses writes and the app falls back as if Redis were down).
 * Preconditions: REDIS_URL reaches the environment's Redis with a user allowed CONFIG GET/SET (managed
 *   Redis services often forbid CONFIG: change the setting in their console instead).
 * Blast radius: the whole Redis server, every application that shares it. The change is in memory
 *   only: also put it in redis.conf (or run CONFIG REWRITE) so it survives a restart. allkeys-*
 *   policies may evict the app's rate-limit counters too (a learner's limit restarts early).
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { mib } from "../lib/format.ts";
import { parseRedisInfo } from "../lib/redis-info.ts";

const POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;

interface MemoryReport {
  usedBytes: number;
  maxBytes: number;
  policy: string;
  evictedKeys: number;
}

export default defineRunbook({
  id: "troubleshoot-redis-memory",
  title: "Redis memory and eviction policy",
  summary:
    "Reports used_memory against maxmemory, the eviction policy and what fills Redis; sets maxmemory-policy (confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params: z.object({
    policy: z
      .enum(POLICIES)
      .optional()
      .describe("set-policy: the maxmemory-policy to set; default: leave it"),
    maxmemoryMb: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_048_576)
      .optional()
      .describe("set-policy: maxmemory in MiB to set; default: leave it"),
    scanLimit: z.coerce
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(10_000)
      .describe("report: at most this many keys are scanned to count the families"),
  }),
  steps: (step) => [
    step({
      id: "memory-report",
      title: "Memory, limit, policy and what fills it",
      description: "INFO memory and stats, CONFIG GET maxmemory-policy, keys by family (SCAN, bounded).",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx): Promise<MemoryReport> {
        const redis = ctx.redis();
        const info = parseRedisInfo(`${await redis.info("memory")}\n${await redis.info("stats")}`);
        const usedBytes = Number(info.used_memory ?? 0);
        const maxBytes = Number(info.maxmemory ?? 0);
        const policy = info.maxmemory_policy ?? "?";
        const evictedKeys = Number(info.evicted_keys ?? 0);
        const share = maxBytes > 0 ? ` (${((usedBytes / maxBytes) * 100).toFixed(1)} % of maxmemory)` : "";
        ctx.log(
          `used_memory ${mib(usedBytes)} MiB${share}; maxmemory ${maxBytes > 0 ? `${mib(maxBytes)} MiB` : "0 (no limit)"}`,
        );
        ctx.log(`maxmemory-policy ${policy}; evicted_keys ${evictedKeys}`);
        if (maxBytes > 0 && usedBytes / maxBytes > 0.9)
          ctx.warn("Redis is above 90 % of maxmemory: it evicts keys (or refuses writes under noeviction)");
        if (policy === "noeviction" && maxBytes > 0)
          ctx.warn(
            "noeviction: at maxmemory Redis refuses writes; the app then falls back as if Redis were down",
          );

        const families = new Map<string, number>();
        let scanned = 0;
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "COUNT", 500);
          cursor = next;
          for (const key of keys) {
            scanned += 1;
            // The family: the prefix's parts and the next two (ssp:rl:login-ip, ssp:exercises).
            const own = ctx.env.redisPrefix && key.startsWith(ctx.env.redisPrefix);
            const rest = own ? key.slice(ctx.env.redisPrefix.length) : key;
            const family = `${own ? ctx.env.redisPrefix : "(other) "}${rest.split(":").slice(0, 2).join(":")}`;
            families.set(family, (families.get(family) ?? 0) + 1);
          }
        } while (cursor !== "0" && scanned < ctx.params.scanLimit && !ctx.signal.aborted);
        ctx.log(
          `keys by family (${scanned} scanned${cursor === "0" ? ", all" : `, stopped at scanLimit ${ctx.params.scanLimit}`}):`,
        );
        for (const [family, n] of [...families].sort((a, b) => b[1] - a[1]).slice(0, 15))
          ctx.log(`  ${String(n).padStart(7)}  ${family}`);
        if ([...families.keys()].some((f) => f.startsWith("(other)")))
          ctx.log("keys outside the app's prefix belong to another application sharing this Redis");
        return { usedBytes, maxBytes, policy, evictedKeys };
      },
    }),
    step({
      id: "set-policy",
      title: "Set the eviction policy (and limit)",
      description: "CONFIG SET maxmemory-policy and maxmemory to the given values, then reads them back.",
      danger: "change",
      timeoutMs: seconds(30),
      plan(ctx) {
        const { policy, maxmemoryMb } = ctx.params;
        if (!policy && !maxmemoryMb) return ["nothing: give policy and/or maxmemoryMb"];
        return [
          ...(policy ? [`would run CONFIG SET maxmemory-policy ${policy}`] : []),
          ...(maxmemoryMb ? [`would run CONFIG SET maxmemory ${maxmemoryMb}mb`] : []),
          "in memory only: also set it in redis.conf (or CONFIG REWRITE) to survive a restart",
        ];
      },
      async run(ctx) {
        const { policy, maxmemoryMb } = ctx.params;
        if (!policy && !maxmemoryMb) {
          ctx.log("nothing to set: give policy and/or maxmemoryMb");
          return { changed: false };
        }
        const redis = ctx.redis();
        const before = await redis.config("GET", "maxmemory-policy");
        if (maxmemoryMb) await redis.config("SET", "maxmemory", `${maxmemoryMb}mb`);
        if (policy) await redis.config("SET", "maxmemory-policy", policy);
        const after = (await redis.config("GET", "maxmemory-policy")) as string[];
        const max = (await redis.config("GET", "maxmemory")) as string[];
        ctx.log(
          `maxmemory-policy ${(before as string[])[1]} → ${after[1]}; maxmemory ${mib(Number(max[1]))} MiB`,
        );
        if (policy && after[1] !== policy)
          throw new Error(
            `Redis reports maxmemory-policy ${after[1]} after setting ${policy}: check its log and ACL`,
          );
        ctx.log("now make it permanent: maxmemory-policy in redis.conf, or CONFIG REWRITE");
        return { changed: true, policy: after[1], maxmemoryBytes: Number(max[1]) };
      },
    }),
  ],
});
