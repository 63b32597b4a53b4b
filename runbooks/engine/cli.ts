import os from "node:os";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { ApprovalRefused } from "./approvals.ts";
import { appendRefusal, readAuditEntries } from "./audit.ts";
import { catalog, loadRunbooks } from "./catalog.ts";
import { approve, receiptNotice } from "./commands/approve.ts";
import { auditCommand } from "./commands/audit.ts";
import { budget } from "./commands/budget.ts";
import { diffCommand } from "./commands/diff.ts";
import { exercised } from "./commands/exercised.ts";
import { disable, enable, parseDuration, readDisabled } from "./disabled.ts";
import { ENVIRONMENTS, EnvironmentError } from "./environments.ts";
import { type EventFormatters, type RunEvent, renderEvent, type StepStatus } from "./events.ts";
import { FormatError } from "./formats.ts";
import { LockedError } from "./lock.ts";
import { Masker } from "./mask.ts";
import { ParamError, parsePairs } from "./params.ts";
import { dataDir, localDataDir, RUNBOOKS_DIR } from "./paths.ts";
import { looseModeWarnings, privateUmask } from "./private-files.ts";
import { killAllGroupsNow, stopAllGroups } from "./process-groups.ts";
import { RunRefused, runRunbook } from "./run.ts";
import { tableLines } from "./table.ts";
import { terminalLines, terminalText } from "./terminal-text.ts";

/** Tables sit in the step's output column, after the same margin as its lines. */
const TABLE_INDENT = "  │ ";

// npm run runbook -- list
// npm run runbook -- <id> [--step s | --from s | --resume RUN] [--env dev] [--param k=v]… [--plan] [--yes] [--json]
// Importable: tests call `main(argv, io)` with their own output and environment.

const USAGE = `usage:
  npm run runbook -- list
  npm run runbook -- <id> [--env ${ENVIRONMENTS.join("|")}] [--param key=value]... [--step id | --from id | --resume run-id] [--plan] [--yes] [--json]
  npm run runbook -- <id> --env production --approval <receipt> [--param key=value]...
  npm run runbook -- approve <receipt> [--key ~/.ssh/id_ed25519] [--yes]
  npm run runbook -- <id> --help
  npm run runbook -- history [--runbook id] [--env name] [--json]
  npm run runbook -- diff <run-a> [<run-b>] [--json]
  npm run runbook -- disable <id|env:name> --reason "why" [--for 2h]
  npm run runbook -- enable <id|env:name>
  npm run runbook -- exercised [--env name] [--as-of date] [--json]
  npm run runbook -- audit verify [--json] | audit checkpoint
  npm run runbook -- budget [--env production] [--at time] [--json]
  npm run runbook -- budget post-mortem <incident> <url> [--env production]
  (a change the error-budget freeze holds runs only with --emergency and an approval receipt)`;

/** Exit codes: 0 ok, 1 the run (or loading it) failed, 2 refused (bad arguments, lock, environment), 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, refused: 2, cancelled: 130 } as const;

/** Where the CLI writes and what it reads; the defaults are the process's own. */
export interface CliIo {
  /** One line (or a chunk ending in a newline) for standard output. */
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  runbooksDir: string;
  /** Standard output's width when it is a terminal; undefined for a pipe or a file. */
  width?: number;
  /** Destructive-step confirmation; undefined means there is no terminal to ask in. */
  ask?: (question: string) => Promise<string>;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    runbooksDir: RUNBOOKS_DIR,
    ...(process.stdout.isTTY ? { width: process.stdout.columns || 80 } : {}),
    ...(process.stdin.isTTY ? { ask: askInTerminal } : {}),
  };
}

// A run ends ok, failed or cancelled: each is also a step status, so one table serves both.
const ICON: Record<StepStatus, string> = {
  ok: "✔",
  failed: "✘",
  skipped: "↷",
  cancelled: "■",
  "timed-out": "⏱",
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await command(argv, io);
  } catch (error) {
    const known =
      error instanceof ParamError ||
      error instanceof RunRefused ||
      error instanceof ApprovalRefused ||
      error instanceof EnvironmentError ||
      error instanceof LockedError ||
      error instanceof FormatError;
    const unknownRunbook = error instanceof UnknownRunbook;
    io.err(
      known || unknownRunbook
        ? `${unknownRunbook ? "" : "refused: "}${(error as Error).message}\n`
        : `runbook failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    if (known || unknownRunbook) await recordRefusal(argv, io, error as Error, unknownRunbook);
    return known || unknownRunbook ? EXIT.refused : EXIT.failed;
  }
}

/** A runbook id the catalog does not have: a typo, answered with the nearest ids, not a stack trace. */
class UnknownRunbook extends Error {}

async function runbookOrSuggestion(id: string, dir: string) {
  const runbooks = await loadRunbooks(dir);
  const found = runbooks.get(id);
  if (found) return found;
  const near = [...runbooks.keys()]
    .map((known) => ({ known, distance: editDistance(id, known) }))
    .filter(
      ({ known, distance }) => distance <= Math.max(2, Math.floor(known.length / 3)) || known.includes(id),
    )
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ known }) => `'${known}'`);
  throw new UnknownRunbook(
    `no runbook '${id}'${near.length ? `; did you mean ${near.join(" or ")}?` : "."} npm run runbook -- list shows them all`,
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The rule a refusal of the CLI broke, as the audit log names it. */
function ruleOf(error: Error, unknownRunbook: boolean): string {
  if (unknownRunbook) return "unknown-runbook";
  if (error instanceof RunRefused || error instanceof ApprovalRefused) return error.rule;
  if (error instanceof ParamError) return "params";
  if (error instanceof EnvironmentError) return "environment";
  if (error instanceof LockedError) return "lock-held";
  return "format";
}

/** Every refused attempt goes to the audit log: who, what (parameter values left out), why. */
async function recordRefusal(
  argv: string[],
  io: CliIo,
  error: Error,
  unknownRunbook: boolean,
): Promise<void> {
  const masker = new Masker();
  masker.addSecretsOf(io.env);
  // Parameter values may be secrets the engine never got to mask: only their names are kept.
  const what = `npm run runbook -- ${argv.map((arg) => arg.replace(/^([\w-]+)=[\s\S]*$/, "$1=…")).join(" ")}`;
  try {
    await appendRefusal(dataDir(io.env), {
      source: "cli",
      who: `${os.userInfo().username}@${os.hostname()} (pid ${process.pid})`,
      what: terminalText(what),
      rule: ruleOf(error, unknownRunbook),
      reason: masker.mask(error.message),
    });
  } catch (writeError) {
    io.err(
      `(could not record this refusal in the audit log: ${writeError instanceof Error ? writeError.message : String(writeError)})\n`,
    );
  }
}

async function command(argv: string[], io: CliIo): Promise<number> {
  const log = (line: string) => io.out(`${line}\n`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}\n`);
    return EXIT.refused;
  }
  const { values, positionals } = parsed;
  const [command] = positionals;
  if (!command) {
    io.err(`${USAGE}\n`);
    return EXIT.refused;
  }
  if (command === "list") {
    const entries = await catalog(io.runbooksDir);
    if (values.json) {
      log(
        JSON.stringify(
          entries.map(({ source: _s, steps, ...rest }) => ({
            ...rest,
            steps: steps.map(({ source: _x, ...s }) => s),
          })),
        ),
      );
      return EXIT.ok;
    }
    const width = Math.max(...entries.map((e) => e.id.length));
    let guide = "";
    for (const entry of entries.sort((a, b) => a.guide.localeCompare(b.guide) || a.id.localeCompare(b.id))) {
      if (entry.guide !== guide) {
        guide = entry.guide;
        log(`\n${guide}`);
      }
      const worst = entry.steps.some((s) => s.danger === "destructive")
        ? "destructive"
        : entry.steps.some((s) => s.danger === "change")
          ? "change"
          : "read";
      log(`  ${entry.id.padEnd(width)}  ${worst.padEnd(11)}  ${entry.title}`);
    }
    return EXIT.ok;
  }

  if (command === "history") return history(values, io);
  if (command === "approve") {
    await approve(
      positionals[1],
      { key: values.key, yes: values.yes },
      { out: io.out, env: io.env, ...(io.ask ? { ask: io.ask } : {}) },
    );
    return EXIT.ok;
  }
  if (command === "exercised")
    return exercised({ env: values.env, json: values.json, asOf: values["as-of"] }, io);
  if (command === "audit") return auditCommand(positionals.slice(1), values, io);
  if (command === "diff") return diffCommand(positionals.slice(1), values, io);
  if (command === "disable" || command === "enable") return switchTarget(command, positionals[1], values, io);
  if (command === "budget") return EXIT[await budget(positionals.slice(1), values, io)];

  const runbook = await runbookOrSuggestion(command, io.runbooksDir);
  if (values.help) {
    const entry = (await catalog(io.runbooksDir)).find((e) => e.id === runbook.id);
    log(`${runbook.title} (${runbook.id})\n${runbook.summary}\n\nsteps:`);
    for (const s of runbook.steps) log(`  ${s.id.padEnd(24)} ${s.danger.padEnd(11)} ${s.title}`);
    log("\nparameters:");
    for (const p of entry?.params ?? []) {
      log(
        `  ${p.name.padEnd(24)} ${p.type}${p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : ""}  ${p.description}`,
      );
    }
    if (!entry?.params.length) log("  (none)");
    return EXIT.ok;
  }

  const json = values.json === true;
  const formatters = json ? jsonLines() : terminalFormatters(io.width ? { width: io.width } : {});
  const render = (event: RunEvent) => {
    const { stream, text } = renderEvent(formatters, event);
    (stream === "stderr" ? io.err : io.out)(text);
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    // A second Ctrl-C is the operator insisting: leave now, without waiting for the step to stop,
    // but not without its processes: SIGKILL to each of their groups on the way out.
    if (interrupts > 1) {
      killAllGroupsNow();
      process.exit(EXIT.cancelled);
    }
    io.err("\ncancelling: stopping the current step and its child processes (Ctrl-C again to force)\n");
    controller.abort();
  };
  // SIGTERM (a supervisor, kill) stops the run the same way: the step's process groups are killed
  // and waited for before the CLI exits, and the audit says so only when it is true.
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    const { ask } = io;
    const result = await runRunbook(runbook, {
      env: values.env ?? "dev",
      params: parsePairs(values.param ?? []),
      ...(values.step ? { step: values.step } : {}),
      ...(values.from ? { from: values.from } : {}),
      ...(values.resume ? { resume: values.resume } : {}),
      ...(values.approval ? { approval: values.approval } : {}),
      plan: values.plan === true,
      ...(values.emergency ? { emergency: true } : {}),
      confirm: values.yes === true ? true : (ask ?? noTerminal),
      signal: controller.signal,
      emit: render,
      processEnv: io.env,
    });
    if (result.receipt) (json ? io.err : io.out)(await receiptNotice(result.receipt.file));
    if (!json && result.status !== "ok") {
      io.err(`\nto resume from the failed step: npm run runbook -- ${runbook.id} --resume ${result.runId}\n`);
    }
    return result.status === "ok" ? EXIT.ok : result.status === "cancelled" ? EXIT.cancelled : EXIT.failed;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    // Anything a step left running (the engine waits for each stopped step's groups) goes too.
    const left = await stopAllGroups();
    if (left.length > 0)
      io.err(`process groups ${left.join(", ")} survived SIGKILL: kill them by hand (kill -KILL -<group>)\n`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: "string" },
      param: { type: "string", multiple: true },
      step: { type: "string" },
      from: { type: "string" },
      resume: { type: "string" },
      plan: { type: "boolean" },
      yes: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
      runbook: { type: "string" },
      reason: { type: "string" },
      for: { type: "string" },
      approval: { type: "string" },
      key: { type: "string" },
      "as-of": { type: "string" },
      emergency: { type: "boolean" },
      at: { type: "string" },
    },
  });
}

type Values = ReturnType<typeof parse>["values"];

/** `history`: every run and refused attempt in the audit log, oldest first, filtered. */
async function history(values: Values, io: CliIo): Promise<number> {
  const entries = (await readAuditEntries(dataDir(io.env))).filter((entry) =>
    entry.kind === "run"
      ? (!values.runbook || entry.runbook === values.runbook) && (!values.env || entry.env === values.env)
      : entry.kind === "approval"
        ? (!values.runbook || entry.runbook === values.runbook) && (!values.env || entry.env === values.env)
        : (!values.runbook || entry.what.includes(values.runbook)) &&
          (!values.env || entry.what.includes(values.env)),
  );
  if (values.json) {
    for (const entry of entries) io.out(`${JSON.stringify(entry)}\n`);
    return EXIT.ok;
  }
  if (entries.length === 0) io.out("no runs or refusals recorded (yet) that match\n");
  for (const entry of entries) {
    io.out(
      entry.kind === "run"
        ? `${entry.startedAt}  run      ${entry.status.padEnd(9)} ${entry.runbook} · ${entry.env} · ${entry.actor} · ${entry.runId}${entry.plan ? " (plan)" : ""}\n`
        : entry.kind === "approval"
          ? `${entry.at}  approval ${entry.action.padEnd(9)} ${entry.runbook} · ${entry.env} · ${entry.who}${entry.signer ? ` · signed by ${entry.signer}` : ""} · receipt ${entry.receipt}\n`
          : `${entry.at}  refusal  ${entry.rule.padEnd(9)} ${terminalText(entry.what)} · ${entry.who}${entry.count > 1 ? ` ×${entry.count}` : ""}: ${terminalText(entry.reason)}\n`,
    );
  }
  return EXIT.ok;
}

/** `disable <target> --reason … [--for 2h]` and `enable <target>`: runs of it are refused meanwhile. */
async function switchTarget(
  command: "disable" | "enable",
  target: string | undefined,
  values: Values,
  io: CliIo,
): Promise<number> {
  if (!target) {
    io.err(`${command} needs a runbook id or env:<name>\n${USAGE}\n`);
    return EXIT.refused;
  }
  const dir = dataDir(io.env);
  if (command === "enable") {
    const was = await enable(dir, target);
    io.out(was ? `enabled ${target}\n` : `${target} was not disabled; nothing changed\n`);
    return EXIT.ok;
  }
  if (target.startsWith("env:")) {
    const env = target.slice(4);
    if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
      io.err(`no environment '${env}': the environments are ${ENVIRONMENTS.join(", ")}\n`);
      return EXIT.refused;
    }
  } else await runbookOrSuggestion(target, io.runbooksDir);
  if (!values.reason?.trim()) {
    io.err(`disable needs --reason "…": it is shown to whoever tries to run ${target}\n`);
    return EXIT.refused;
  }
  let forMs: number | null = null;
  try {
    forMs = values.for ? parseDuration(values.for) : null;
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return EXIT.refused;
  }
  const record = await disable(
    dir,
    { target, reason: terminalText(values.reason.trim()), by: `${os.userInfo().username}@${os.hostname()}` },
    forMs,
  );
  io.out(
    `disabled ${target}${record.until ? ` until ${record.until}` : " until enabled"}: ${record.reason}\n` +
      `(${(await readDisabled(dir)).length} disabled now; npm run runbook -- enable ${target} undoes it)\n`,
  );
  return EXIT.ok;
}

async function noTerminal(): Promise<string> {
  throw new RunRefused(
    "this run has destructive steps and no terminal to confirm them in: pass --yes to confirm",
  );
}

async function askInTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** What a renderer writes for one event: text (newline-terminated) and the stream it goes to. */
export interface Rendered {
  stream: "stdout" | "stderr";
  text: string;
}

/** `--json`: every event as one JSON line on stdout, whatever its kind. */
export function jsonLines(): EventFormatters<Rendered> {
  const line = (event: RunEvent): Rendered => ({ stream: "stdout", text: `${JSON.stringify(event)}\n` });
  return {
    "run-start": line,
    "step-start": line,
    output: line,
    table: line,
    "step-end": line,
    "run-end": line,
  };
}

/**
 * The terminal's view of a run; step titles come from run-start, so the map keeps them per run.
 * `width` is the terminal's (tables are fitted to it); without one (a pipe, a file) nothing is cut
 * and no escape sequence is written.
 */
export function terminalFormatters(terminal: { width?: number } = {}): EventFormatters<Rendered> {
  const titles = new Map<string, string>();
  const out = (text: string): Rendered => ({ stream: "stdout", text: `${text}\n` });
  return {
    "run-start": (event) => {
      for (const s of event.steps) titles.set(s.id, s.title);
      const head = `${event.title} · ${event.runbook} · env ${event.env.toUpperCase()}${event.plan ? " · PLAN (nothing changes)" : ""} · run ${event.runId}`;
      return out(event.resumedFrom ? `${head}\nresuming run ${event.resumedFrom}` : head);
    },
    "step-start": (event) =>
      out(
        `\n▶ [${event.index + 1}/${event.total}] ${titles.get(event.step) ?? event.step} (${event.danger})`,
      ),
    // Third-party text (commit subjects, database rows): escapes stripped, controls and bidi
    // overrides shown, so it cannot write the clipboard, clear the screen or forge a line.
    output: (event) => ({ stream: event.stream, text: `  │ ${terminalText(event.line)}\n` }),
    table: (event) => ({
      stream: "stdout",
      text: `${tableLines(event, {
        ...(terminal.width ? { width: terminal.width - TABLE_INDENT.length, ansi: true } : {}),
      })
        .map((line) => `${TABLE_INDENT}${line}`)
        .join("\n")}\n`,
    }),
    "step-end": (event) =>
      out(
        `${ICON[event.status]} ${event.planned ? "planned" : event.status} in ${event.durationMs} ms${event.error ? `: ${terminalLines(event.error).join("\n  │ ")}` : ""}`,
      ),
    "run-end": (event) =>
      out(
        `\n${event.status === "ok" ? "✔ done" : `${ICON[event.status]} ${event.status}${event.failedStep ? ` at step "${event.failedStep}"` : ""}`} in ${(event.durationMs / 1000).toFixed(1)} s`,
      ),
  };
}

if (import.meta.main) {
  // Files this process and its children create are the operator's alone (.data holds secrets).
  privateUmask();
  for (const line of looseModeWarnings(localDataDir())) process.stderr.write(`${line}\n`);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // main catches everything it knows; this is a bug in the CLI itself.
      console.error(`runbook CLI crashed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
