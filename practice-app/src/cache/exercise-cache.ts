import type { Queryable } from "../db/pool.ts";
import { activeExercises, type ExerciseRow, findExercise } from "../db/repositories/exercises.ts";
import { EXERCISES_TTL_SECONDS, exercisesKey } from "./keys.ts";
import type { RedisHandle } from "./redis.ts";
import type { CacheStats } from "./stats.ts";

const TTL_SECONDS = EXERCISES_TTL_SECONDS;
const NAME = "exercises";
const LOCAL = "exercises_local";

/**
 * Two-tier read-through cache of the exercise set. Items are immutable within a bank version, so
 * neither tier ever needs invalidating (a new seed means a new version and a new key):
 * - in process: a Map per instance, bounded by the bank's size (hundreds of small rows);
 * - Redis: a hash per version shared by every instance, so a new instance starts warm.
 * PostgreSQL is the source behind both.
 */
export class ExerciseCache {
  private readonly redis: RedisHandle;
  private readonly db: Queryable;
  private readonly stats: CacheStats;
  readonly key: string;
  private readonly local = new Map<string, ExerciseRow>();

  constructor(deps: { redis: RedisHandle; db: Queryable; stats: CacheStats; bankVersion: string }) {
    this.redis = deps.redis;
    this.db = deps.db;
    this.stats = deps.stats;
    this.key = exercisesKey(deps.bankVersion);
  }

  async get(id: string): Promise<ExerciseRow | null> {
    const local = this.local.get(id);
    if (local) {
      this.stats.hit(LOCAL);
      return local;
    }
    this.stats.miss(LOCAL);
    const row = await this.fromRedisOrPostgres(id);
    if (row) this.local.set(id, row);
    return row;
  }

  private async fromRedisOrPostgres(id: string): Promise<ExerciseRow | null> {
    if (!this.redis.available()) {
      this.stats.fallback(NAME);
      return findExercise(this.db, id);
    }
    let cached: string | null;
    try {
      cached = await this.redis.run((client) => client.hget(this.key, id));
    } catch {
      // Redis failed mid-call: serve from PostgreSQL; the handle has logged and counted the failure.
      this.stats.fallback(NAME);
      return findExercise(this.db, id);
    }
    if (cached !== null) {
      this.stats.hit(NAME);
      return JSON.parse(cached) as ExerciseRow;
    }
    this.stats.miss(NAME);
    const row = await findExercise(this.db, id);
    if (row) await this.store([row]);
    return row;
  }

  /** Loads every active item into Redis; returns how many were written. */
  async warm(): Promise<number> {
    const rows = await activeExercises(this.db);
    return (await this.store(rows)) ? rows.length : 0;
  }

  private async store(rows: ExerciseRow[]): Promise<boolean> {
    if (rows.length === 0 || !this.redis.available()) return false;
    const fields: string[] = [];
    for (const row of rows) fields.push(row.id, JSON.stringify(row));
    try {
      await this.redis.run((client) =>
        client
          .multi()
          .hset(this.key, ...fields)
          .expire(this.key, TTL_SECONDS)
          .exec(),
      );
      return true;
    } catch {
      // Filling the cache is best effort: the caller already has the rows it needs.
      return false;
    }
  }
}
