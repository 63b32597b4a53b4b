import { describe, expect, it } from "vitest";
import { EXERCISE_POLICY, EXERCISE_REQUIREMENTS } from "../../policy/exercise.ts";
import type { AuditRecord } from "./audit.ts";
import { loadRunbooks } from "./catalog.ts";
import { EXIT } from "./cli.ts";
import { ENVIRONMENTS } from "./environments.ts";
import {
  describeRow,
  EXERCISED_EXIT,
  type ExerciseRun,
  exercisedBy,
  exerciseRecord,
  exerciseRow,
  exerciseTable,
  lastExercised,
  lastRunsOf,
  overdue,
  parseExerciseRecord,
} from "./exercise.ts";

// The "last exercised" table, with the clock passed in: a drill turns stale the moment its interval
// has passed, a procedure never run says so, and only a whole, applied, successful run counts.

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

function record(overrides: Partial<AuditRecord>): AuditRecord {
  return {
    runId: "r1",
    runbook: "dr-drill",
    env: "production",
    actor: "ana@ops",
    commit: "0".repeat(40),
    params: {},
    plan: false,
    resumedFrom: null,
    startedAt: "2026-11-01T09:00:00.000Z",
    endedAt: "2026-11-01T09:10:00.000Z",
    status: "ok",
    steps: [
      { id: "backup", status: "ok", durationMs: 1 },
      { id: "restore", status: "ok", durationMs: 1 },
    ],
    ...overrides,
  };
}

const STEPS = ["backup", "restore"];

describe("the policy", () => {
  it("names only runbooks that exist, environments that exist, and positive intervals", async () => {
    const runbooks = await loadRunbooks();
    for (const requirement of EXERCISE_REQUIREMENTS) {
      expect(runbooks.has(requirement.id), `policy/exercise.ts names "${requirement.id}"`).toBe(true);
      expect(requirement.environments.length).toBeGreaterThan(0);
      for (const env of requirement.environments) expect(ENVIRONMENTS).toContain(env);
      expect(requirement.everyDays).toBeGreaterThan(0);
    }
    expect(Object.keys(EXERCISE_POLICY)).toEqual(
      expect.arrayContaining(["dr-drill", "restore", "failover-to-replica", "verify-backup"]),
    );
  });
});

describe("the exit codes the page renders", () => {
  it("are the CLI's own: ok, failed, refused", () => {
    expect(EXERCISED_EXIT.ok.code).toBe(EXIT.ok);
    expect(EXERCISED_EXIT.overdue.code).toBe(EXIT.failed);
    expect(EXERCISED_EXIT.refused.code).toBe(EXIT.refused);
  });
});

describe("which runs count", () => {
  it.each([
    ["a whole successful run", {}, true],
    ["a failed run", { status: "failed" as const }, false],
    ["a cancelled run", { status: "cancelled" as const }, false],
    ["a plan (it changed nothing)", { plan: true }, false],
    [
      "one step run alone (--step)",
      { steps: [{ id: "restore", status: "ok" as const, durationMs: 1 }] },
      false,
    ],
    [
      "the rest of a failed run, resumed",
      { resumedFrom: "r0", steps: [{ id: "restore", status: "ok" as const, durationMs: 1 }] },
      true,
    ],
  ])("%s: %s", (_rule, overrides, counts) => {
    expect(exercisedBy(record(overrides), STEPS)).toBe(counts);
  });

  it("keeps the latest success per runbook and environment", () => {
    const runs = lastExercised(
      [
        record({ runId: "old", endedAt: "2026-10-01T00:00:00.000Z" }),
        record({ runId: "new", endedAt: "2026-11-01T00:00:00.000Z" }),
        record({ runId: "failed-later", endedAt: "2026-11-20T00:00:00.000Z", status: "failed" }),
        record({ runId: "staging", env: "staging", endedAt: "2026-09-01T00:00:00.000Z" }),
      ],
      () => STEPS,
    );
    expect(runs.map((r) => [r.env, r.runId])).toEqual([
      ["production", "new"],
      ["staging", "staging"],
    ]);
  });
});

describe("fresh, stale, never (injected clock)", () => {
  const last: ExerciseRun = {
    runbook: "dr-drill",
    env: "production",
    at: "2026-11-01T09:00:00.000Z",
    runId: "r1",
    actor: "ana@ops",
  };
  const every = EXERCISE_POLICY["dr-drill"].everyDays;

  it("is fresh up to the end of its interval and stale just after it", () => {
    const due = Date.parse(last.at) + every * DAY;
    const before = exerciseRow("dr-drill", "production", last, new Date(due));
    expect(before.state).toBe("fresh");
    expect(before.dueAt).toBe(new Date(due).toISOString());
    expect(before.ageDays).toBe(every);
    const after = exerciseRow("dr-drill", "production", last, new Date(due + 1));
    expect(after.state).toBe("stale");
    expect(overdue([after])).toEqual([after]);
    expect(describeRow(after)).toMatch(
      /^last ran 2026-11-01 \(\d+ days ago\) by ana@ops; required monthly .* overdue since 2026-12-02$/,
    );
  });

  it("a required procedure never run is overdue now; one without a requirement only says never", () => {
    const now = at("2026-12-07T00:00:00.000Z");
    const never = exerciseRow("dr-drill", "production", null, now);
    expect(never).toMatchObject({ state: "never", last: null, ageDays: null, dueAt: now.toISOString() });
    expect(overdue([never])).toHaveLength(1);
    expect(describeRow(never)).toBe("never exercised; required monthly (every 31 days), overdue: never done");
    const unrequired = exerciseRow("morning-health-check", "dev", null, now);
    expect(unrequired).toMatchObject({ state: "never", requirement: null, dueAt: null });
    expect(overdue([unrequired])).toEqual([]);
    expect(describeRow(unrequired)).toBe("never exercised");
  });

  it("a runbook without a requirement never goes stale, whatever its age", () => {
    const old = { ...last, runbook: "morning-health-check", env: "dev" };
    const row = exerciseRow("morning-health-check", "dev", old, at("2030-01-01T00:00:00.000Z"));
    expect(row.state).toBe("fresh");
    expect(overdue([row])).toEqual([]);
  });

  it("the table: a row per required or used environment, --env narrows it, later runs are left out", () => {
    const lastRuns = [last, { ...last, env: "dev", at: "2026-11-05T00:00:00.000Z" }];
    const now = at("2026-11-03T00:00:00.000Z");
    const rows = exerciseTable({ runbooks: ["dr-drill", "restore", "tidy"], lastRuns, now });
    expect(rows.map((r) => [r.runbook, r.env, r.state])).toEqual([
      ["dr-drill", "production", "fresh"],
      ["restore", "staging", "never"],
      ["tidy", null, "never"],
    ]);
    const staging = exerciseTable({ runbooks: ["dr-drill"], lastRuns, now, env: "staging" });
    expect(staging.map((r) => [r.env, r.state, r.requirement])).toEqual([["staging", "never", null]]);
  });
});

describe("the record CI keeps", () => {
  it("round-trips through JSON, and several records merge to the newest run per environment", () => {
    const now = at("2026-12-01T00:00:00.000Z");
    const a = exerciseRecord(
      [
        exerciseRow(
          "dr-drill",
          "production",
          { runbook: "dr-drill", env: "production", at: "2026-11-01T00:00:00.000Z", runId: "a", actor: "x" },
          now,
        ),
      ],
      now,
      "production",
    );
    const b = exerciseRecord(
      [
        exerciseRow(
          "dr-drill",
          "production",
          { runbook: "dr-drill", env: "production", at: "2026-11-20T00:00:00.000Z", runId: "b", actor: "y" },
          now,
        ),
      ],
      now,
      "production",
    );
    const parsed = [a, b].map((r, i) => parseExerciseRecord(JSON.stringify(r), `r${i}.json`));
    expect(lastRunsOf(parsed).map((r) => r.runId)).toEqual(["b"]);
  });

  it.each([
    ["not JSON", "{", /r\.json is not JSON/],
    ["another kind of file", '{"v":1}', /not an exercise record/],
    [
      "a newer version",
      '{"v":9,"kind":"exercise-record","asOf":"x","rows":[]}',
      /version 9; this handbook reads version 1/,
    ],
    [
      "a row without a runbook",
      '{"v":1,"kind":"exercise-record","asOf":"x","rows":[{}]}',
      /row 1 has no runbook id/,
    ],
    [
      "a last run without a date",
      '{"v":1,"kind":"exercise-record","asOf":"x","rows":[{"runbook":"dr-drill","last":{"at":"soon"}}]}',
      /row 1 \(dr-drill\) has a last run without a valid "at"/,
    ],
  ])("refuses %s, naming the file", (_what, text, message) => {
    expect(() => parseExerciseRecord(text, "r.json")).toThrow(message);
  });
});
