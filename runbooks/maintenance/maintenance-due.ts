/**
 * Maintenance due
 *
 * Purpose: which tasks of the maintenance calendar (policy/ MAINTENANCE_CALENDAR) are due or
 *   overdue today in this environment, decided from the runbook audit log, each with the command
 *   that does it.
 * Sent here by: the start of an operator's day or week (Maintenance Guide, "Maintenance schedules"),
 *   or "when did we last vacuum / verify a backup / rotate the secret?".
 * Preconditions: the audit log of the machine (or shared data folder) the runbooks run from:
 *   .data/runbooks/audit.jsonl, or RUNBOOK_DATA_DIR. Runs done from another machine are not in it.
 * Blast radius: none. It reads the audit log and the runbook files; it runs nothing.
 *
 * Rules (dates in UTC). A task counts as done by a run of its runbook in this environment that
 * ended ok, was not a --plan, and covered every step (a --step run does not count; a failed run
 * resumed to the end does). Daily: done if run today; due if last run yesterday; overdue before.
 * Weekly: done if run in the last 7 days (today and the 6 before); otherwise upcoming before its
 * weekday, due on it, overdue after it. Monthly: done if run in the last 31 days; otherwise upcoming
 * before its week of the month, due during it, overdue after it. Quarterly: done if run in the last
 * 92 days, due otherwise. Tasks without a runbook are listed as manual: the log cannot tell.
 */
import path from "node:path";
import { z } from "zod";
import { MAINTENANCE_TASK_LIST, type MaintenanceTask } from "../../policy/index.ts";
import { type AuditRecord, auditLogFile, readAudit } from "../engine/audit.ts";
import { loadRunbook, runbookFiles } from "../engine/catalog.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";

const DAY_MS = 86_400_000;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const WEEKS_OF_MONTH: Record<string, number> = { first: 1, second: 8, third: 15, fourth: 22 };
/** How far back a run still counts, in calendar days including today. */
const DONE_WITHIN_DAYS = { daily: 1, weekly: 7, monthly: 31, quarterly: 92 } as const;

type Status = "overdue" | "due" | "done" | "upcoming" | "manual";

interface TaskStatus {
  id: string;
  cadence: MaintenanceTask["cadence"];
  when: string;
  task: string;
  runbook: string | null;
  status: Status;
  lastOk: string | null;
  detail: string;
  command: string | null;
}

export default defineRunbook({
  id: "maintenance-due",
  title: "Maintenance due",
  summary:
    "Which maintenance calendar tasks are due or overdue today, from the audit log, with the command for each.",
  guide: "maintenance-guide",
  section: "Maintenance schedules",
  params: z.object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
      .refine((d) => {
        const time = Date.parse(`${d}T00:00:00Z`);
        return !Number.isNaN(time) && new Date(time).toISOString().startsWith(d);
      }, "not a calendar date")
      .optional()
      .describe("The day to check, YYYY-MM-DD in UTC (runs after that day are ignored); default: today"),
  }),
  steps: (step) => [
    step({
      id: "audit-log",
      title: "Runs in the audit log",
      description: "Reads the audit log and counts the runs of this environment.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const dir = dataDir();
        const records = await readAudit(dir);
        const mine = records.filter((r) => r.env === ctx.env.name);
        const ok = mine.filter((r) => r.status === "ok" && !r.plan);
        const first = mine.map((r) => r.startedAt).sort()[0];
        ctx.log(
          `audit log ${auditLogFile(dir)}: ${records.length} run(s), ${mine.length} in ${ctx.env.name} (${ok.length} ok, not plans)${first ? ` since ${first.slice(0, 10)}` : ""}`,
        );
        if (mine.length === 0)
          ctx.warn(
            `no runs in ${ctx.env.name} in this audit log: every task with a runbook will show as overdue. Runs made from another machine are not here.`,
          );
        return { file: auditLogFile(dir), runs: mine.length, ok: ok.length };
      },
    }),
    step({
      id: "due-tasks",
      title: "Due and overdue tasks",
      description: "Compares each calendar task's cadence with its runbook's last complete ok run.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const reference = ctx.params.date
          ? new Date(Date.parse(`${ctx.params.date}T00:00:00Z`) + DAY_MS - 1)
          : new Date();
        const today = startOfDay(reference);
        const records = (await readAudit(dataDir())).filter(
          (r) => r.env === ctx.env.name && Date.parse(r.endedAt) <= reference.getTime(),
        );
        const byId = new Map(records.map((r) => [r.runId, r]));
        const stepsOf = await runbookSteps([
          ...new Set(MAINTENANCE_TASK_LIST.flatMap((t) => (t.runbook ? [t.runbook] : []))),
        ]);
        const tasks = MAINTENANCE_TASK_LIST.map((task): TaskStatus => {
          const base = { id: task.id, cadence: task.cadence, when: task.when, task: task.task };
          if (!task.runbook) {
            return {
              ...base,
              runbook: null,
              status: "manual",
              lastOk: null,
              detail: `no runbook: the audit log cannot tell; ${windowText(task, today)}`,
              command: null,
            };
          }
          const steps = stepsOf.get(task.runbook) ?? null;
          const { lastOk, partial } = lastCompleteRun(records, byId, task.runbook, steps);
          const { status, detail } = decide(task, today, lastOk, partial);
          return {
            ...base,
            runbook: task.runbook,
            status,
            lastOk: lastOk?.toISOString() ?? null,
            detail: `${detail}${steps === null ? " (this runbook is not in the catalog yet)" : ""}`,
            command: `npm run runbook -- ${task.runbook} --env ${ctx.env.name}`,
          };
        });
        const order: Status[] = ["overdue", "due", "upcoming", "manual", "done"];
        tasks.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
        ctx.log(
          `maintenance calendar for ${ctx.env.name} on ${isoDate(today)} (${WEEKDAYS[weekday(today) - 1]}, UTC):`,
        );
        const pressing = (t: TaskStatus) => t.status === "overdue" || t.status === "due";
        ctx.table({
          title: `Maintenance calendar on ${isoDate(today)}`,
          columns: [
            "status",
            "cadence",
            "when",
            "task",
            "detail",
            { key: "command", label: "command to run" },
          ],
          rows: tasks.map((t) => ({
            status: pressing(t) ? t.status.toUpperCase() : t.status,
            cadence: t.cadence,
            when: t.when,
            task: t.task,
            detail: t.detail,
            command: t.command && pressing(t) ? t.command : "",
          })),
        });
        const count = (s: Status) => tasks.filter((t) => t.status === s).length;
        ctx.log(
          `${count("overdue")} overdue, ${count("due")} due, ${count("upcoming")} upcoming, ${count("done")} done, ${count("manual")} manual`,
        );
        return { date: isoDate(today), tasks };
      },
    }),
  ],
});

/** The step ids of each runbook, or nothing for a runbook that has no file (yet) or does not load. */
async function runbookSteps(ids: string[]): Promise<Map<string, string[]>> {
  const files = await runbookFiles();
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const file = files.find((f) => path.basename(f, ".ts") === id);
    if (!file) continue;
    try {
      out.set(
        id,
        (await loadRunbook(file)).steps.map((s) => s.id),
      );
    } catch {
      // A runbook that does not load is another check's problem (the catalog test); here its runs
      // still count by their status alone.
      out.set(id, []);
    }
  }
  return out;
}

/** When the newest run of a runbook that ended ok and covered all its steps ended (resumed runs included). */
function lastCompleteRun(
  records: AuditRecord[],
  byId: Map<string, AuditRecord>,
  runbook: string,
  steps: string[] | null,
): { lastOk: Date | null; partial: number } {
  let newest: Date | null = null;
  let partial = 0;
  for (const record of records) {
    if (record.runbook !== runbook || record.status !== "ok" || record.plan) continue;
    const covered = new Set<string>();
    const seen = new Set<string>();
    for (
      let r: AuditRecord | undefined = record;
      r && !seen.has(r.runId);
      r = r.resumedFrom ? byId.get(r.resumedFrom) : undefined
    ) {
      seen.add(r.runId);
      for (const s of r.steps) if (s.status === "ok") covered.add(s.id);
    }
    if (steps && !steps.every((s) => covered.has(s))) {
      partial += 1;
      continue;
    }
    const ended = new Date(record.endedAt);
    if (!newest || ended > newest) newest = ended;
  }
  return { lastOk: newest, partial };
}

function decide(
  task: MaintenanceTask,
  today: Date,
  lastOk: Date | null,
  partial: number,
): { status: Status; detail: string } {
  const last = lastOk
    ? `last complete run ${lastOk.toISOString().slice(0, 16).replace("T", " ")} UTC`
    : partial > 0
      ? `no complete run (${partial} partial --step/--from run(s) do not count)`
      : "never run";
  const daysSince = lastOk ? Math.round((today.getTime() - startOfDay(lastOk).getTime()) / DAY_MS) : null;
  if (daysSince !== null && daysSince < DONE_WITHIN_DAYS[task.cadence])
    return { status: "done", detail: last };
  if (task.cadence === "daily") {
    return { status: daysSince === 1 ? "due" : "overdue", detail: last };
  }
  if (task.cadence === "quarterly") return { status: "due", detail: last };
  const window = scheduledWindow(task, today);
  if (!window)
    return { status: "due", detail: `${last}; "${task.when}" is not a day this runbook understands` };
  if (today < window.start) return { status: "upcoming", detail: `${last}; next: ${window.label}` };
  if (today <= window.end) return { status: "due", detail: `${last}; scheduled ${window.label}` };
  return { status: "overdue", detail: `${last}; was scheduled ${window.label}` };
}

/** This period's scheduled days for a weekly (weekday) or monthly (week of the month) task. */
function scheduledWindow(
  task: MaintenanceTask,
  today: Date,
): { start: Date; end: Date; label: string } | null {
  if (task.cadence === "weekly") {
    const day = WEEKDAYS.findIndex((d) => d.toLowerCase() === task.when.trim().toLowerCase()) + 1;
    if (day === 0) return null;
    const start = new Date(today.getTime() + (day - weekday(today)) * DAY_MS);
    return { start, end: start, label: `${WEEKDAYS[day - 1]} ${isoDate(start)}` };
  }
  if (task.cadence === "monthly") {
    const match = /^(first|second|third|fourth|last) week/i.exec(task.when.trim());
    if (!match?.[1]) return null;
    const year = today.getUTCFullYear();
    const month = today.getUTCMonth();
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const which = match[1].toLowerCase();
    const first = which === "last" ? lastDay - 6 : (WEEKS_OF_MONTH[which] ?? 1);
    const start = new Date(Date.UTC(year, month, first));
    const end = new Date(Date.UTC(year, month, Math.min(first + 6, lastDay)));
    return { start, end, label: `${which} week, ${isoDate(start)} to ${isoDate(end)}` };
  }
  return null;
}

function windowText(task: MaintenanceTask, today: Date): string {
  const window = scheduledWindow(task, today);
  if (!window) return `${task.cadence}, ${task.when}`;
  if (today < window.start) return `next: ${window.label}`;
  if (today <= window.end) return `scheduled now: ${window.label}`;
  return `was scheduled ${window.label}`;
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** 1 = Monday … 7 = Sunday (ISO). */
function weekday(date: Date): number {
  return ((date.getUTCDay() + 6) % 7) + 1;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
