import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AppResults } from "./bench-results.ts";
import {
  answersUntil,
  bytes,
  project,
  requestCosts,
  type StorageResults,
  storageCosts,
} from "./unit-costs.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const json = <T>(file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as T;

describe("unit costs", () => {
  const snapshot = (databaseBytes: number, backupBytes: number) => ({
    databaseBytes,
    backupBytes,
    tables: {},
  });
  const storage = {
    settings: { learners: 10, answersPerLearner: 5, items: 3 },
    base: snapshot(1000, 100),
    withLearners: snapshot(2000, 200),
    withAnswers: snapshot(7000, 700),
  } as StorageResults;

  it("splits storage into fixed, per learner and per answer", () => {
    expect(storageCosts(storage)).toEqual({
      fixed: { databaseBytes: 1000, backupBytes: 100 },
      perLearner: { databaseBytes: 100, backupBytes: 10 },
      perAnswer: { databaseBytes: 100, backupBytes: 10 },
      answersPerLearner: 5,
    });
  });

  it("projects a learner count and says how many answers a planned size holds", () => {
    const costs = storageCosts(storage);
    expect(project(costs, 2, 100, 5, 3)).toEqual({
      learners: 100,
      databaseBytes: 1000 + 100 * 100 + 500 * 100,
      backupBytes: 100 + 100 * 10 + 500 * 10,
      retainedBackupBytes: 3 * (100 + 100 * 10 + 500 * 10),
      cpuSecondsForAnswers: 1,
    });
    expect(answersUntil(costs, 100, 1000 + 100 * 100 + 100 * 100 * 7)).toBe(7);
  });

  it("takes CPU per request from the app benchmark, leaving the ceiling pings out", () => {
    const app = json<AppResults>("bench/results/app.json");
    const costs = requestCosts(app);
    expect(costs.map((c) => c.scenario)).toEqual(["exercises.next", "exercises.submit"]);
    const submit = app.results.find((s) => s.name === "exercises.submit");
    if (!submit) throw new Error("no submit scenario");
    const cores = submit.cpu.app + submit.cpu.postgres + submit.cpu.redis;
    expect(costs[1]?.cpuMsPerRequest).toBeCloseTo((cores / submit.requestsPerSecond) * 1000, 6);
  });

  it("reads the committed storage benchmark: answers make the database grow", () => {
    const costs = storageCosts(json<StorageResults>("bench/results/storage.json"));
    expect(costs.fixed.databaseBytes).toBeGreaterThan(0);
    expect(costs.perAnswer.databaseBytes).toBeGreaterThan(0);
    expect(costs.perAnswer.backupBytes).toBeGreaterThan(0);
  });

  it("formats bytes", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(2048)).toBe("2.0 KiB");
    expect(bytes(5 * 1024 ** 3)).toBe("5.0 GiB");
  });
});
