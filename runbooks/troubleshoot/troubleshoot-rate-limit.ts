/**
 * Clear one learner's or one address's rate-limit counters
 *
 * Purpose: show the rate-limit counters of one learner (by e-mail: the log-in limit; by learner id:
 *   the API limit) or one client address (log-in and sign-up limits), with their points and time
 *   left, then, as a separate confirmed step, delete them so the learner can log in again now.
 * Sent here by: the Troubleshooting entries "A learner is locked out" ("Too many login attempts")
 *   and "Learners are rate limited (429)" (one learner, or one school behind one address).
 * Preconditions: you are satisfied it is the learner and not someone guessing their password.
 *   REDIS_URL and the environment's key prefix reach the Redis the app uses. While Redis is down
 *   the counters live in each instance's memory and cannot be cleared: the window has to pass.
 * Blast radius: deletes at most the four counters named below, under the app's prefix; every other
 *   learner's and address's counters are untouched. The limits themselves do not change.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";

// The limiter names and key layout the app uses (practice-app/src/cache/keys.ts and app.ts):
// rate-limiter-flexible stores `<REDIS_KEY_PREFIX>rl:<limiter>:<key>`. The test of this runbook
// locks a learner out through the real app, so a change there fails it.
const KEYS = {
  email: (v: string) => [`rl:login-account:${v.toLowerCase()}`],
  ip: (v: string) => [`rl:login-ip:${v}`, `rl:signup-ip:${v}`],
  learnerId: (v: string) => [`rl:api-learner:${v}`],
} as const;

interface Counter {
  key: string;
  points: number | null;
  ttlSeconds: number;
}

const params = z
  .object({
    email: z.email().optional().describe("The learner's e-mail: their log-in limit"),
    ip: z
      .union([z.ipv4(), z.ipv6()])
      .optional()
      .describe("A client address (as the app sees it): its log-in and sign-up limits"),
    learnerId: z.coerce.number().int().positive().optional().describe("A learner's id: their API limit"),
  })
  .refine((p) => p.email || p.ip || p.learnerId, {
    message: "name whose counters to clear: email, ip or learnerId",
  });

export default defineRunbook({
  id: "troubleshoot-rate-limit",
  title: "Clear one learner's or address's rate limit",
  summary: "Shows one learner's or one address's rate-limit counters in Redis and deletes them (confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params,
  steps: (step) => [
    step({
      id: "show-counters",
      title: "The counters and their time left",
      description: "GET and TTL of the named learner's or address's rate-limit keys.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const redis = ctx.redis();
        const keys = keysFor(ctx.params, ctx.env.redisPrefix);
        const counters: Counter[] = [];
        for (const key of keys) {
          const [value, ttl] = await Promise.all([redis.get(key), redis.ttl(key)]);
          if (value === null) {
            ctx.log(`${key}: no counter (not limited)`);
            continue;
          }
          counters.push({ key, points: Number(value), ttlSeconds: ttl });
          ctx.log(`${key}: ${value} point(s) used, ${ttl} s left in the window`);
        }
        return { counters };
      },
    }),
    step({
      id: "clear-counters",
      title: "Delete the counters",
      description: "DEL of the counters the first step found; the learner or address starts a fresh window.",
      danger: "change",
      timeoutMs: seconds(15),
      plan(ctx) {
        const { counters } = ctx.result<{ counters: Counter[] }>("show-counters");
        if (counters.length === 0) return ["nothing: no counter exists for what you named"];
        return counters.map((c) => `would DEL ${c.key} (${c.points} point(s), ${c.ttlSeconds} s left)`);
      },
      async run(ctx) {
        const { counters } = ctx.result<{ counters: Counter[] }>("show-counters");
        if (counters.length === 0) {
          ctx.log("nothing to clear");
          return { deleted: 0 };
        }
        const deleted = await ctx.redis().del(...counters.map((c) => c.key));
        ctx.log(`deleted ${deleted} counter(s)`);
        return { deleted };
      },
    }),
  ],
});

function keysFor(p: { email?: string; ip?: string; learnerId?: number }, prefix: string): string[] {
  return [
    ...(p.email ? KEYS.email(p.email) : []),
    ...(p.ip ? KEYS.ip(p.ip) : []),
    ...(p.learnerId ? KEYS.learnerId(String(p.learnerId)) : []),
  ].map((k) => `${prefix}${k}`);
}
