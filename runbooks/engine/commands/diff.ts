import { formatMeasure } from "../../../policy/load-comparison.ts";
import { loadRunbooks } from "../catalog.ts";
import type { CliIo } from "../cli.ts";
import type { ArtifactDeclaration } from "../define.ts";
import { dataDir } from "../paths.ts";
import { RunRefused } from "../run.ts";
import { type Change, diffRecordedRuns, previousRun, type RunDiff, type StepSide } from "../run-diff.ts";
import { cellText } from "../table.ts";
import { terminalText } from "../terminal-text.ts";

// `npm run runbook -- diff <runA> <runB> [--json]`, or `diff <run>` for that run against the
// previous run of its runbook in its environment. Prints the two runs side by side (A the earlier,
// B the later) with a mark in the first column for what changed; colours only on a terminal.
// Exit 0 whether or not the runs differ (it is a report), 2 when a run id is refused.

const MARK: Record<Change, string> = { same: " ", changed: "≠", "only-a": "-", "only-b": "+" };
const COLOUR: Record<Change, string> = {
  same: "",
  changed: "\u001b[33m",
  "only-a": "\u001b[31m",
  "only-b": "\u001b[32m",
};
const RESET = "\u001b[0m";
const DIM = "\u001b[2m";

export async function diffCommand(
  positionals: string[],
  values: { json?: boolean | undefined },
  io: CliIo,
): Promise<number> {
  if (positionals.length < 1 || positionals.length > 2)
    throw new RunRefused(
      "diff takes one or two run ids: npm run runbook -- diff <runA> <runB> (or diff <run> for the run before it); npm run runbook -- history lists them",
      "params",
    );
  const dir = dataDir(io.env);
  const [first = "", second] = positionals;
  const [runA, runB] = second === undefined ? [await previousRun(dir, first), first] : [first, second];
  // Artifact titles and viewers come from the runbooks' declarations; a run of a runbook since
  // removed is still compared, its artifacts by file name and content.
  const runbooks = await loadRunbooks(io.runbooksDir).catch(() => null);
  const declarationsOf = (id: string): readonly ArtifactDeclaration[] => runbooks?.get(id)?.artifacts ?? [];
  const diff = await diffRecordedRuns(dir, runA, runB, declarationsOf);
  for (const warning of diff.warnings) io.err(`warning: ${warning}\n`);
  if (values.json) {
    io.out(`${JSON.stringify(diff)}\n`);
    return 0;
  }
  io.out(`${diffLines(diff, { ansi: io.width !== undefined }).join("\n")}\n`);
  return 0;
}

const show = (value: unknown): string =>
  value === undefined ? "(absent)" : terminalText(typeof value === "string" ? value : JSON.stringify(value));

const stepText = (s: StepSide | null): string =>
  s
    ? `${s.status} in ${s.durationMs} ms${s.error ? `: ${terminalText(s.error).split("\n")[0]}` : ""}`
    : "(did not run)";

/** Keeps a column to its width, cutting with "…". */
function padCut(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/** The diff as lines: a mark column, a label, A's value and B's value. */
export function diffLines(diff: RunDiff, options: { ansi?: boolean } = {}): string[] {
  const paint = (change: Change, text: string) =>
    options.ansi && change !== "same" ? `${COLOUR[change]}${text}${RESET}` : text;
  const LABEL = 32;
  const SIDE = 36;
  const lines: string[] = [];
  const row = (change: Change, label: string, a: string, b: string, note = "") =>
    lines.push(
      paint(
        change,
        `${MARK[change]} ${padCut(label, LABEL)} ${padCut(a, SIDE)} ${b}${note ? ` ${note}` : ""}`.trimEnd(),
      ),
    );
  const heading = (text: string) => lines.push("", options.ansi ? `\u001b[1m${text}${RESET}` : text);
  const { a, b } = diff;
  lines.push(
    `${a.title} · run ${a.runId} (A) and run ${b.runId} (B)`,
    options.ansi
      ? `${DIM}marks: ≠ changed, - only in A, + only in B; durations marked when ×2 or more${RESET}`
      : "marks: ≠ changed, - only in A, + only in B; durations marked when ×2 or more",
  );
  heading("run");
  row(a.runbook === b.runbook ? "same" : "changed", "runbook", a.runbook, b.runbook);
  row(a.env === b.env ? "same" : "changed", "environment", a.env, b.env);
  row(
    a.status === b.status ? "same" : "changed",
    "status",
    `${a.plan ? "plan, " : ""}${a.status}`,
    `${b.plan ? "plan, " : ""}${b.status}`,
  );
  row("same", "started", a.startedAt, b.startedAt);
  row("same", "took", `${(a.durationMs / 1000).toFixed(1)} s`, `${(b.durationMs / 1000).toFixed(1)} s`);
  row(a.actor === b.actor ? "same" : "changed", "who", a.actor, b.actor);
  row(a.commit === b.commit ? "same" : "changed", "commit", a.commit.slice(0, 12), b.commit.slice(0, 12));
  if (diff.params.length > 0) {
    heading("parameters");
    for (const p of diff.params) row(p.change, p.name, show(p.a), show(p.b));
  }
  heading("steps");
  for (const s of diff.steps) {
    const delta =
      s.durationDeltaMs === null ? "" : `${s.durationDeltaMs >= 0 ? "+" : ""}${s.durationDeltaMs} ms`;
    const change: Change = s.change === "same" && s.durationChanged ? "changed" : s.change;
    row(
      change,
      s.id,
      stepText(s.a),
      stepText(s.b),
      s.durationChanged
        ? `(${delta}: ${s.durationDeltaMs !== null && s.durationDeltaMs > 0 ? "slower" : "faster"})`
        : delta
          ? `(${delta})`
          : "",
    );
  }
  if (diff.tables.length > 0) {
    heading("tables (rows matched by their first column)");
    for (const t of diff.tables) {
      row(
        t.change,
        `${t.step} · ${terminalText(t.title)}`,
        t.change === "only-b" ? "(no such table)" : "",
        t.change === "only-a" ? "(no such table)" : "",
      );
      for (const r of t.rows) {
        const cells = (cellsOf: typeof r.a) =>
          cellsOf
            ? t.columns
                .slice(1)
                .map((c) => `${c.label}=${cellText(cellsOf[c.key] ?? null)}`)
                .join(" ")
            : "(no row)";
        row(
          r.change,
          `  ${terminalText(r.key)}`,
          cells(r.a),
          cells(r.b),
          r.changedColumns.length ? `(${r.changedColumns.join(", ")})` : "",
        );
      }
    }
  }
  if (diff.results.length > 0) {
    heading("step results");
    for (const r of diff.results) row(r.change, r.name, show(r.a), show(r.b));
  }
  if (diff.artifacts.length > 0) {
    heading("artifacts");
    for (const x of diff.artifacts) {
      const file = (s: typeof x.a) => (s ? `${s.file} (${s.bytes} B, ${s.sha256.slice(0, 8)})` : "(none)");
      row(x.change, x.name, file(x.a), file(x.b));
      const c = x.comparison;
      if (c?.kind === "load-test") {
        for (const warning of c.comparison.warnings) lines.push(`    warning: ${warning}`);
        for (const m of c.comparison.measures) {
          const change: Change = m.verdict === "regressed" || m.verdict === "improved" ? "changed" : "same";
          row(
            change,
            `  ${m.title}`,
            formatMeasure(m.unit, m.baseline),
            formatMeasure(m.unit, m.current),
            m.text,
          );
        }
      } else if (c?.kind === "lines") {
        lines.push(`    ${c.onlyA} line(s) only in A, ${c.onlyB} only in B`);
        for (const line of c.sample.onlyA) lines.push(paint("only-a", `    - ${terminalText(line)}`));
        for (const line of c.sample.onlyB) lines.push(paint("only-b", `    + ${terminalText(line)}`));
      } else if (c?.kind === "unreadable") lines.push(`    not compared: ${c.reason}`);
    }
  }
  lines.push("", diff.changed ? "the runs differ (marked lines above)" : "no difference but durations");
  return lines;
}
