import type { Queryable } from "../db/pool.ts";
import { allScores, displayNames, rankOf, topScores } from "../db/repositories/learners.ts";
import { LEADERBOARD_KEY, LEADERBOARD_REBUILD_KEY, LEADERBOARD_TTL_SECONDS } from "./keys.ts";
import type { RedisHandle } from "./redis.ts";
import type { CacheStats } from "./stats.ts";

const KEY = LEADERBOARD_KEY;
const TMP_KEY = LEADERBOARD_REBUILD_KEY;
const TTL_SECONDS = LEADERBOARD_TTL_SECONDS;
const NAME = "leaderboard";

// Only update an existing board: a ZADD into a missing key would create a board of one learner.
const ZADD_IF_EXISTS = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end return -1`;

export interface LeaderboardEntry {
  rank: number;
  learnerId: string;
  displayName: string;
  score: number;
}

export interface Standing {
  top: LeaderboardEntry[];
  me: { rank: number; score: number } | null;
  source: "redis" | "postgres";
}

export class LeaderboardCache {
  private readonly redis: RedisHandle;
  private readonly db: Queryable;
  private readonly stats: CacheStats;
  /**
   * Set when an update could not reach Redis: the board there is behind, so the next read rebuilds
   * it. Other instances cannot see this flag; the key's TTL bounds how long they may serve it stale.
   */
  private stale = false;

  constructor(deps: { redis: RedisHandle; db: Queryable; stats: CacheStats }) {
    this.redis = deps.redis;
    this.db = deps.db;
    this.stats = deps.stats;
  }

  /** Records a learner's new total score (absolute, so a retried update cannot double count). */
  async record(learnerId: string, score: number): Promise<void> {
    if (!this.redis.available()) {
      this.stale = true;
      return;
    }
    try {
      await this.redis.run((client) => client.eval(ZADD_IF_EXISTS, 1, KEY, score, learnerId));
    } catch {
      // The update is lost in Redis (PostgreSQL has it): rebuild the board on the next read.
      this.stale = true;
    }
  }

  /** Takes a deleted learner off the board; if Redis cannot be reached, the next read rebuilds it. */
  async remove(learnerId: string): Promise<void> {
    if (!this.redis.available()) {
      this.stale = true;
      return;
    }
    try {
      await this.redis.run((client) => client.zrem(KEY, learnerId));
    } catch {
      // Not removed in Redis: rebuild from PostgreSQL (which no longer has the learner) on the next read.
      this.stale = true;
    }
  }

  async standing(learnerId: string, limit: number): Promise<Standing> {
    if (this.redis.available()) {
      try {
        return await this.fromRedis(learnerId, limit);
      } catch {
        // Fall through to PostgreSQL: the board is a cache, and the database has every score.
      }
    }
    this.stats.fallback(NAME);
    return this.fromPostgres(learnerId, limit);
  }

  /** Rebuilds the board from PostgreSQL; returns the number of learners on it. */
  async rebuild(): Promise<number> {
    const scores = await allScores(this.db);
    await this.redis.run(async (client) => {
      const tx = client.multi().del(TMP_KEY);
      for (let i = 0; i < scores.length; i += 1000) {
        const chunk = scores.slice(i, i + 1000).flatMap((row) => [row.score, row.learnerId]);
        tx.zadd(TMP_KEY, ...chunk);
      }
      if (scores.length > 0) tx.rename(TMP_KEY, KEY).expire(KEY, TTL_SECONDS);
      else tx.del(KEY);
      await tx.exec();
    });
    this.stale = false;
    return scores.length;
  }

  private async fromRedis(learnerId: string, limit: number): Promise<Standing> {
    let exists = this.stale ? 0 : await this.redis.run((client) => client.exists(KEY));
    if (exists) this.stats.hit(NAME);
    else {
      this.stats.miss(NAME);
      const count = await this.rebuild();
      exists = count > 0 ? 1 : 0;
    }
    if (!exists) return { top: [], me: null, source: "redis" };
    const [flat, myRank, myScore] = await this.redis.run((client) =>
      Promise.all([
        client.zrevrange(KEY, 0, limit - 1, "WITHSCORES"),
        client.zrevrank(KEY, learnerId),
        client.zscore(KEY, learnerId),
      ]),
    );
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i] as string);
      scores.push(Number(flat[i + 1]));
    }
    const names = await displayNames(this.db, ids);
    // An id without a learner is a deleted account another instance could not take off the board:
    // never show it (the board's TTL, or the next rebuild, drops it from Redis).
    const entries = ids
      .map((id, i) => ({ learnerId: id, displayName: names.get(id), score: scores[i] ?? 0 }))
      .filter(
        (entry): entry is { learnerId: string; displayName: string; score: number } =>
          entry.displayName !== undefined,
      );
    return {
      top: entries.map((entry, i) => ({ rank: i + 1, ...entry })),
      me: myRank === null || myScore === null ? null : { rank: myRank + 1, score: Number(myScore) },
      source: "redis",
    };
  }

  private async fromPostgres(learnerId: string, limit: number): Promise<Standing> {
    const [rows, me] = await Promise.all([topScores(this.db, limit), rankOf(this.db, learnerId)]);
    return {
      top: rows.map((row, i) => ({ rank: i + 1, ...row })),
      me: me && me.score > 0 ? me : null,
      source: "postgres",
    };
  }
}
