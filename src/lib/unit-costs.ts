import type { AppResults, AppScenario } from "./bench-results.ts";

// What the stack costs per request and per learner, from its own measurements: CPU per request from
// bench/results/app.json (npm run bench:app), database and backup bytes per learner and per answer
// from bench/results/storage.json (scripts/bench-storage.ts). Pure: the results come in as arguments;
// src/components/UnitCosts.astro passes the committed files and renders the tables.

export interface StorageSnapshot {
  databaseBytes: number;
  backupBytes: number;
  tables: Record<string, number>;
}

export interface StorageResults {
  schema: 1;
  measuredAt: string;
  commit: string;
  machine: AppResults["machine"];
  note: string;
  method: string;
  settings: { learners: number; answersPerLearner: number; items: number };
  base: StorageSnapshot;
  withLearners: StorageSnapshot;
  withAnswers: StorageSnapshot;
}

export interface RequestCost {
  scenario: string;
  requestsPerSecond: number;
  /** Cores busy during the scenario: app + PostgreSQL + Redis. */
  cores: number;
  cpuMsPerRequest: number;
}

/** CPU milliseconds per request of each measured API scenario (the ceiling pings left out). */
export function requestCosts(app: AppResults): RequestCost[] {
  return app.results
    .filter((s: AppScenario) => !s.name.startsWith("system.ping"))
    .map((s) => {
      const cores = s.cpu.app + s.cpu.postgres + s.cpu.redis;
      return {
        scenario: s.name,
        requestsPerSecond: s.requestsPerSecond,
        cores,
        cpuMsPerRequest: s.requestsPerSecond > 0 ? (cores / s.requestsPerSecond) * 1000 : 0,
      };
    });
}

export interface StorageCosts {
  fixed: { databaseBytes: number; backupBytes: number };
  perLearner: { databaseBytes: number; backupBytes: number };
  perAnswer: { databaseBytes: number; backupBytes: number };
  answersPerLearner: number;
}

/** Fixed (schema and exercise bank), per learner account, and per answer, for the database and a backup. */
export function storageCosts(s: StorageResults): StorageCosts {
  const answers = s.settings.learners * s.settings.answersPerLearner;
  return {
    fixed: { databaseBytes: s.base.databaseBytes, backupBytes: s.base.backupBytes },
    perLearner: {
      databaseBytes: (s.withLearners.databaseBytes - s.base.databaseBytes) / s.settings.learners,
      backupBytes: (s.withLearners.backupBytes - s.base.backupBytes) / s.settings.learners,
    },
    perAnswer: {
      databaseBytes: (s.withAnswers.databaseBytes - s.withLearners.databaseBytes) / answers,
      backupBytes: (s.withAnswers.backupBytes - s.withLearners.backupBytes) / answers,
    },
    answersPerLearner: s.settings.answersPerLearner,
  };
}

export interface Projection {
  learners: number;
  databaseBytes: number;
  backupBytes: number;
  /** Every retained backup together: one backup's size times the retention's count (an upper bound: older ones are smaller). */
  retainedBackupBytes: number;
  cpuSecondsForAnswers: number;
}

/** The database, one backup and the retained backups for a number of learners who each answered `answersPerLearner` times. */
export function project(
  costs: StorageCosts,
  cpuMsPerAnswer: number,
  learners: number,
  answersPerLearner: number,
  backupsKept: number,
): Projection {
  const answers = learners * answersPerLearner;
  const backupBytes =
    costs.fixed.backupBytes + learners * costs.perLearner.backupBytes + answers * costs.perAnswer.backupBytes;
  return {
    learners,
    databaseBytes:
      costs.fixed.databaseBytes +
      learners * costs.perLearner.databaseBytes +
      answers * costs.perAnswer.databaseBytes,
    backupBytes,
    retainedBackupBytes: backupBytes * backupsKept,
    cpuSecondsForAnswers: (answers * cpuMsPerAnswer) / 1000,
  };
}

/** How many answers each of `learners` may give before the database reaches `bytes` (the plan's size). */
export function answersUntil(costs: StorageCosts, learners: number, bytes: number): number {
  const room = bytes - costs.fixed.databaseBytes - learners * costs.perLearner.databaseBytes;
  return Math.max(0, Math.floor(room / (learners * costs.perAnswer.databaseBytes)));
}

/** 1,234 B, 12.3 KiB, 4.5 MiB, 1.2 GiB. */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value).toLocaleString("en")} B` : `${value.toFixed(1)} ${units[unit]}`;
}
