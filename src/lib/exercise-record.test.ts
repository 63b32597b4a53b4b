import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exerciseRecord, exerciseRow } from "../../console/protocol.ts";
import { readRecord } from "./exercise-record.ts";

// The build's reading of CI's record (exercise-record/): absent means "no record in this build",
// several files (one per environment) merge, and a file that is not a record fails the build by name.

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = (env: string, at: string, runId: string) => ({
  runbook: "dr-drill",
  env,
  at,
  runId,
  actor: "ci@runner",
});

describe("CI's record in a build", () => {
  it("is null without the folder or without files", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-exercise-record-"));
    expect(await readRecord(path.join(dir, "absent"))).toBeNull();
    expect(await readRecord(dir)).toBeNull();
  });

  it("merges one file per environment: the newest run of each runbook in each environment", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-exercise-record-"));
    const now = new Date("2026-12-07T03:00:00.000Z");
    const production = exerciseRecord(
      [exerciseRow("dr-drill", "production", run("production", "2026-11-20T00:00:00.000Z", "p1"), now)],
      now,
      "production",
    );
    const staging = exerciseRecord(
      [exerciseRow("dr-drill", "staging", run("staging", "2026-10-01T00:00:00.000Z", "s1"), now)],
      new Date("2026-12-06T03:00:00.000Z"),
      "staging",
    );
    await writeFile(path.join(dir, "production.json"), JSON.stringify(production));
    await writeFile(path.join(dir, "staging.json"), JSON.stringify(staging));
    const record = await readRecord(dir);
    expect(record?.asOf).toBe("2026-12-07T03:00:00.000Z");
    expect(record?.lastRuns.map((r) => `${r.env}:${r.runId}`).sort()).toEqual([
      "production:p1",
      "staging:s1",
    ]);
  });

  it("fails naming the file that is not a record", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-exercise-record-"));
    await writeFile(path.join(dir, "production.json"), "> runbook\n{}");
    await expect(readRecord(dir)).rejects.toThrow(`${path.join(dir, "production.json")} is not JSON`);
  });
});
