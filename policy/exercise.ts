// How often the procedures nobody runs in a normal week must still be exercised, and where: a
// restore, a failover or a disaster-recovery drill that has not been run for months is a procedure
// that may no longer work when it is needed. `npm run runbook -- exercised` reads this table
// against the audit log and exits non-zero when one is overdue (the nightly job pages on that);
// every embedded runbook on the page shows its last successful run per environment and turns
// stale after its interval. Runbooks not listed have no requirement: the page shows their last run
// only. Pure data, keyed by runbook id (tests check every key against the catalog).

/** The environments a requirement can name (runbooks/engine/environments.ts lists the same three). */
export type ExerciseEnvironment = "dev" | "staging" | "production";

export interface ExerciseRequirement {
  /** The runbook's id. */
  id: string;
  /** The cadence in words, as the page and the command print it. */
  cadence: "weekly" | "monthly" | "quarterly" | "twice a year";
  /** Days after its last successful run at which the procedure is overdue ("stale"). */
  everyDays: number;
  /** Where it must be exercised: each environment is tracked on its own. */
  environments: readonly ExerciseEnvironment[];
  /** Why this procedure and this environment, for the reader who wonders. */
  why: string;
}

export const EXERCISE_POLICY = {
  "verify-backup": {
    cadence: "weekly",
    everyDays: 7,
    environments: ["production"],
    why: "a backup nobody restored is a hope, not a backup; the morning health check counts only verified ones",
  },
  "dr-drill": {
    cadence: "monthly",
    everyDays: 31,
    environments: ["production"],
    why: "measures the recovery time and data-loss window against the backup policy on production's own backups, without writing to its database",
  },
  restore: {
    cadence: "quarterly",
    everyDays: 92,
    environments: ["staging"],
    why: "a real restore replaces the whole database: rehearsed where losing the writes since the backup costs nothing",
  },
  rollback: {
    cadence: "quarterly",
    everyDays: 92,
    environments: ["staging"],
    why: "the way back from a bad release must work the first time it is needed in production",
  },
  "failover-to-replica": {
    cadence: "twice a year",
    everyDays: 183,
    environments: ["staging"],
    why: "promoting the replica fences the old primary and repoints every instance: rehearsed where a mistake is cheap",
  },
} as const satisfies Record<string, Omit<ExerciseRequirement, "id">>;

export type ExercisedRunbookId = keyof typeof EXERCISE_POLICY;

/** The requirements in the order written, each with its runbook id. */
export const EXERCISE_REQUIREMENTS: readonly ExerciseRequirement[] = Object.entries(EXERCISE_POLICY).map(
  ([id, requirement]) => ({ id, ...requirement }),
);
