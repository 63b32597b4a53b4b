import { EXERCISE_REQUIREMENTS } from "../../../policy/exercise.ts";
import { readAudit } from "../audit.ts";
import { loadRunbooks } from "../catalog.ts";
import { ENVIRONMENTS, EnvironmentError, isEnvironmentName } from "../environments.ts";
import {
  describeRow,
  EXERCISED_EXIT,
  type ExerciseRow,
  exerciseRecord,
  exerciseTable,
  lastExercised,
  overdue,
} from "../exercise.ts";
import { ParamError } from "../params.ts";
import { dataDir } from "../paths.ts";
import { tableData, tableLines } from "../table.ts";

// npm run runbook -- exercised [--env name] [--as-of date] [--json]
// When each procedure last ran successfully in each environment, from the audit log, against
// policy/exercise.ts. Exit 0 when every required drill is fresh, 1 when one is overdue or was
// never done (a nightly job pages on that), 2 for a bad --env or --as-of (refused, audited by
// cli.ts main()).

export interface ExercisedOptions {
  env?: string | undefined;
  json?: boolean | undefined;
  /** The clock, as an ISO date or time; now when absent. */
  asOf?: string | undefined;
}

export interface ExercisedIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  runbooksDir: string;
}

const MARK = { fresh: "✔", stale: "✘", never: "✘" } as const;

export async function exercised(options: ExercisedOptions, io: ExercisedIo): Promise<number> {
  if (options.env !== undefined && !isEnvironmentName(options.env))
    throw new EnvironmentError(
      `no environment '${options.env}': the environments are ${ENVIRONMENTS.join(", ")}`,
    );
  const now = options.asOf === undefined ? new Date() : parseClock(options.asOf);
  const runbooks = await loadRunbooks(io.runbooksDir);
  for (const requirement of EXERCISE_REQUIREMENTS)
    if (!runbooks.has(requirement.id))
      io.err(
        `policy/exercise.ts requires runbook '${requirement.id}', which is not in ${io.runbooksDir}; it is left out\n`,
      );
  const lastRuns = lastExercised(await readAudit(dataDir(io.env)), (id) =>
    runbooks.get(id)?.steps.map((s) => s.id),
  );
  const rows = exerciseTable({
    runbooks: [...runbooks.keys()],
    lastRuns,
    now,
    ...(options.env ? { env: options.env } : {}),
  });
  const late = overdue(rows);
  if (options.json) {
    io.out(`${JSON.stringify(exerciseRecord(rows, now, options.env ?? null))}\n`);
    return late.length > 0 ? EXERCISED_EXIT.overdue.code : EXERCISED_EXIT.ok.code;
  }
  const table = tableData({
    title: `Last exercised, as of ${now.toISOString()}${options.env ? ` (${options.env})` : ""}`,
    columns: ["state", "runbook", "env", "last success", "age (days)", "required", "due"],
    rows: rows.map((row) => ({
      state: `${row.requirement ? MARK[row.state] : " "} ${row.state}`,
      runbook: row.runbook,
      env: row.env ?? "—",
      "last success": row.last ? `${row.last.at} (${row.last.runId})` : "never",
      "age (days)": row.ageDays,
      required: row.requirement ? `${row.requirement.cadence} (${row.requirement.everyDays} d)` : "—",
      due: row.dueAt ?? "—",
    })),
  });
  for (const line of tableLines(table)) io.out(`${line}\n`);
  if (late.length === 0) {
    io.out(`\nevery required drill is within its interval (${countRequired(rows)} tracked)\n`);
    return EXERCISED_EXIT.ok.code;
  }
  io.err(`\n${late.length} required drill${late.length > 1 ? "s are" : " is"} overdue:\n`);
  for (const row of late) io.err(`  ${row.runbook} in ${row.env}: ${describeRow(row)}\n`);
  return EXERCISED_EXIT.overdue.code;
}

function countRequired(rows: readonly ExerciseRow[]): number {
  return rows.filter((row) => row.requirement !== null).length;
}

/** --as-of: a date (2027-01-31, midnight UTC) or a time with its zone; anything else is refused. */
function parseClock(text: string): Date {
  const ok = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime()))
    throw new ParamError(
      `--as-of '${text}' is not a date: give 2027-01-31 or 2027-01-31T09:00:00Z (a time needs its zone)`,
    );
  return date;
}
