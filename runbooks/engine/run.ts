import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ApprovalRequirement, approvalGate } from "./approval-gate.ts";
import {
  type AuditRecord,
  appendAudit,
  appendRunEvent,
  loadRunState,
  runArtifactsPath,
  saveRunState,
} from "./audit.ts";
import { budgetGate } from "./budget-gate.ts";
import { createResources, createStepContext } from "./context.ts";
import type { Runbook, StepDefinition } from "./define.ts";
import { disabledReason, readDisabled } from "./disabled.ts";
import { type Environment, resolveEnvironment } from "./environments.ts";
import type { EmitFn, RunEvent, RunStatus, StepStatus } from "./events.ts";
import { acquireLock, type Release } from "./lock.ts";
import { Masker } from "./mask.ts";
import { createNotifier } from "./notify.ts";
import { parseParams } from "./params.ts";
import { dataDir as defaultDataDir, REPO_ROOT } from "./paths.ts";
import { PRIVATE_DIR } from "./private-files.ts";
import { stopGroups } from "./process-groups.ts";
import { changedFiles, type ProvenanceFile, provenanceOf } from "./provenance.ts";
import type { TableData } from "./table.ts";

export interface RunOptions {
  env: string;
  /** Raw parameters: strings are coerced by the schema. */
  params?: Record<string, unknown>;
  /** Run only this step. */
  step?: string;
  /** Run from this step to the end. */
  from?: string;
  /** Resume this earlier run from its failed step, with its parameters and results. */
  resume?: string;
  plan?: boolean;
  /** Confirmation for destructive steps: true (--yes), or a prompt that must return the environment name. */
  confirm: true | ((question: string) => Promise<string>);
  signal?: AbortSignal;
  actor?: string;
  emit: EmitFn;
  dataDir?: string;
  processEnv?: NodeJS.ProcessEnv;
  /**
   * The hashes of every file the run executes or imports, taken when the runbook was loaded (the
   * console keeps them from its load); without it, they are taken as the run starts. A file that
   * differs is refused by name, before the run and before each step.
   */
  provenance?: readonly ProvenanceFile[];
  /** Run as an emergency: a change the error-budget freeze holds goes on with an approval receipt (budget-gate.ts). */
  emergency?: boolean;
  /**
   * The approval receipt (a file, or a receipt id in the data dir's approvals/) for a run that
   * needs one: a change where policy/approvals.ts requires approval, or any run another gate adds
   * a requirement to (approvalRequirements). Verified before anything runs (approvals.ts).
   */
  approval?: string;
  /** Further reasons this run needs an approval receipt (e.g. the error-budget freeze's emergency). */
  approvalRequirements?: readonly ApprovalRequirement[];
  /** false: a plan that writes no receipt (the re-plan an apply compares with the approved one). */
  receipt?: boolean;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  failedStep: string | null;
  results: Record<string, unknown>;
  /** The plan receipt this plan run wrote (approval-required change runs only). */
  receipt?: { id: string; file: string };
}

export class RunRefused extends Error {
  /** The rule that refused it, as the audit log names it (confirmation, changed-file, step, resume). */
  readonly rule: string;
  constructor(message: string, rule = "refused") {
    super(message);
    this.name = "RunRefused";
    this.rule = rule;
  }
}

/** The refusal for files changed since the runbook was loaded, naming each; null when none changed. */
export function changedFilesRefusal(provenance: readonly ProvenanceFile[], when: string): string | null {
  const changed = changedFiles(provenance);
  if (changed.length === 0) return null;
  const names = changed.map((entry) => path.relative(REPO_ROOT, entry.file) || entry.file);
  const restart = changed.some((entry) => entry.how === "imported");
  return `${names.join(", ")} changed ${when}; what runs would not be what was loaded and checked. ${
    restart
      ? "A module the runbook imports is read once per process: restart the console (or run the CLI again)"
      : "Reload the runbooks in the console (or run the CLI again)"
  } to run the new version`;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..+/, "")}-${randomBytes(3).toString("hex")}`;
}

let cachedCommit: string | null = null;
function gitCommit(): string {
  if (cachedCommit === null) {
    try {
      cachedCommit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      }).trim();
    } catch {
      // Not a git checkout (e.g. an exported tree): the audit log says so instead of a hash.
      cachedCommit = "unknown";
    }
  }
  return cachedCommit;
}

/** Which steps a run covers; every bad choice is refused before anything runs. */
export function selectSteps(runbook: Runbook, options: Pick<RunOptions, "step" | "from">): StepDefinition[] {
  const ids = runbook.steps.map((s) => s.id);
  const find = (id: string, flag: string) => {
    const index = ids.indexOf(id);
    if (index < 0)
      throw new RunRefused(
        `runbook "${runbook.id}" has no step "${id}" (${flag}); steps: ${ids.join(", ")}`,
        "step",
      );
    return index;
  };
  if (options.step && options.from) throw new RunRefused("use --step or --from, not both", "step");
  if (options.step) return [runbook.steps[find(options.step, "--step")] as StepDefinition];
  if (options.from) return runbook.steps.slice(find(options.from, "--from"));
  return runbook.steps;
}

export interface Resumption {
  /** The step it failed at, where the resume starts. */
  from: string;
  /** The parameters it ran with (secret ones masked), which the resume reuses. */
  params: Record<string, unknown>;
  results: Record<string, unknown>;
  steps: StepDefinition[];
}

/**
 * What resuming run `runId` would do: from its failed step, with its parameters and its earlier
 * steps' results; refused when it is another runbook's or environment's run or did not fail. The
 * console shows it (POST /api/runs/check) before the operator resumes.
 */
export async function resumeOf(
  runbook: Runbook,
  runId: string,
  envName: string,
  dir: string,
): Promise<Resumption> {
  const previous = await loadRunState(dir, runId).catch((error: Error) => {
    throw new RunRefused(error.message, "resume");
  });
  if (previous.runbook !== runbook.id)
    throw new RunRefused(`run ${runId} was of runbook "${previous.runbook}", not "${runbook.id}"`, "resume");
  if (previous.env !== envName)
    throw new RunRefused(`run ${runId} ran in "${previous.env}", not "${envName}"`, "resume");
  if (!previous.failedStep)
    throw new RunRefused(`run ${runId} did not fail; there is nothing to resume`, "resume");
  return {
    from: previous.failedStep,
    params: parseParams(runbook.params, previous.params),
    results: { ...previous.results },
    steps: selectSteps(runbook, { from: previous.failedStep }),
  };
}

/**
 * The error-budget gate (budget-gate.ts) as the engine meets it: a frozen change is refused naming
 * the budget and the policy; an emergency comes back as an approval requirement, which the
 * approval gate then enforces (a receipt signed by a second person). The console's check asks it too.
 */
export async function enforceBudgetGate(
  runbookId: string,
  env: Environment,
  steps: readonly StepDefinition[],
  options: Pick<RunOptions, "plan" | "emergency" | "signal"> & { dataDir: string },
): Promise<ApprovalRequirement[]> {
  const gate = await budgetGate(runbookId, env, {
    plan: options.plan ?? false,
    changes: steps.some((s) => s.danger !== "read"),
    emergency: options.emergency ?? false,
    dataDir: options.dataDir,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (gate && "refuse" in gate) throw new RunRefused(gate.refuse, gate.rule);
  return gate ? [{ rule: gate.rule, reason: gate.approval }] : [];
}

export async function runRunbook(runbook: Runbook, options: RunOptions): Promise<RunResult> {
  const processEnv = options.processEnv ?? process.env;
  const dir = options.dataDir ?? defaultDataDir(processEnv);
  const actor = options.actor ?? `${os.userInfo().username}@${os.hostname()}`;

  // Everything that can be refused is refused here, before the first event.
  const env = resolveEnvironment(options.env, processEnv);
  const disabled = disabledReason(await readDisabled(dir), runbook.id, env.name);
  if (disabled) throw new RunRefused(disabled, "disabled");
  let params: Record<string, unknown>;
  let results: Record<string, unknown> = {};
  let steps: StepDefinition[];
  let resumedFrom: string | null = null;
  if (options.resume) {
    const resumed = await resumeOf(runbook, options.resume, env.name, dir);
    params = resumed.params;
    results = resumed.results;
    steps = resumed.steps;
    resumedFrom = options.resume;
  } else {
    params = parseParams(runbook.params, options.params ?? {});
    steps = selectSteps(runbook, options);
  }

  const provenance = options.provenance ?? provenanceOf(runbook);
  const changedBefore = changedFilesRefusal(provenance, "since the runbook was loaded");
  if (changedBefore) throw new RunRefused(changedBefore, "changed-file");
  const budgetRequirements = await enforceBudgetGate(runbook.id, env, steps, { ...options, dataDir: dir });

  const masker = new Masker();
  masker.addUrl(env.databaseUrl);
  masker.addUrl(env.redisUrl);
  masker.addSecretsOf(processEnv);
  for (const value of env.resolvedSecrets) masker.add(value);
  const notifier = createNotifier({ env, processEnv, masker });
  const secretParams = Object.entries(runbook.params.shape)
    .filter(
      ([, field]) => (field as { meta?: () => { secret?: boolean } | undefined }).meta?.()?.secret ?? false,
    )
    .map(([name]) => name);
  for (const name of secretParams) masker.add(String(params[name] ?? ""));

  const changes = steps.some((s) => s.danger !== "read");
  const gate = await approvalGate(
    runbook,
    { ...options, approvalRequirements: [...(options.approvalRequirements ?? []), ...budgetRequirements] },
    {
      env: env.name,
      actor,
      dir,
      processEnv,
      steps,
      params: masker.maskValue(maskParams(params, secretParams)),
      secrets: Object.fromEntries(secretParams.map((name) => [name, params[name]])),
      provenance,
      replan: (capture) =>
        runRunbook(runbook, { ...options, plan: true, receipt: false, approval: undefined, emit: capture }),
      refuse: (message, rule) => new RunRefused(message, rule),
    },
  );
  const destructive = steps.filter((s) => s.danger === "destructive");
  if (destructive.length > 0 && !options.plan && options.confirm !== true) {
    const answer = await options.confirm(
      `${destructive.map((s) => `"${s.title}"`).join(", ")} ${destructive.length > 1 ? "are" : "is"} destructive in ${env.name}. Type the environment name to go on: `,
    );
    if (answer.trim() !== env.name) {
      throw new RunRefused(
        `not confirmed: destructive steps need the environment name "${env.name}" typed, or --yes`,
        "confirmation",
      );
    }
  }

  const runId = newRunId();
  const release: Release | null =
    changes && !options.plan
      ? await acquireLock(
          dir,
          { env: env.name, databaseUrl: env.databaseUrl },
          {
            runId,
            runbook: runbook.id,
            actor,
            pid: process.pid,
            since: new Date().toISOString(),
          },
        )
      : null;
  if (gate.approval) {
    try {
      await gate.approval.consume(runId);
    } catch (error) {
      await release?.();
      throw gate.refused(error);
    }
  }

  const started = Date.now();
  const artifactsDir = path.join(dir, "artifacts", runbook.id);
  await mkdir(artifactsDir, { recursive: true, mode: PRIVATE_DIR });
  const runArtifactsDir = runArtifactsPath(dir, runId);
  if (runbook.artifacts?.length) await mkdir(runArtifactsDir, { recursive: true, mode: PRIVATE_DIR });
  const resources = createResources(env);
  // One append after another: appends started together may land in any order, and a run's log
  // must read in the order its events happened.
  let writes: Promise<void> = Promise.resolve();
  const emit = (event: RunEvent) => {
    const masked = masker.maskValue(event);
    notifier.observe(masked);
    writes = writes.then(() => appendRunEvent(dir, masked));
    gate.observe(masked);
    options.emit(masked);
  };
  const now = () => new Date().toISOString();
  const record: AuditRecord = {
    runId,
    runbook: runbook.id,
    env: env.name,
    actor,
    commit: gitCommit(),
    params: masker.maskValue(maskParams(params, secretParams)),
    plan: options.plan ?? false,
    resumedFrom,
    ...(Object.keys(env.references).length > 0 ? { references: env.references } : {}),
    ...(options.emergency ? { emergency: true as const } : {}),
    startedAt: now(),
    endedAt: "",
    status: "ok",
    steps: [],
  };

  let status: RunStatus = "ok";
  let failedStep: string | null = null;
  // In a plan, once a change step has only been described, later steps cannot run for real:
  // they would read state the plan did not create.
  let planningOnly = false;
  try {
    emit({
      type: "run-start",
      runId,
      runbook: runbook.id,
      title: runbook.title,
      env: env.name,
      actor,
      params: record.params,
      steps: steps.map((s) => ({ id: s.id, title: s.title, danger: s.danger })),
      plan: options.plan ?? false,
      resumedFrom,
      commit: record.commit,
      ...(record.references ? { references: record.references } : {}),
      at: now(),
    });
    for (const [index, definition] of steps.entries()) {
      if (options.signal?.aborted) {
        status = "cancelled";
        failedStep = definition.id;
        break;
      }
      emit({
        type: "step-start",
        runId,
        step: definition.id,
        index,
        total: steps.length,
        danger: definition.danger,
        at: now(),
      });
      const changedNow = index > 0 ? changedFilesRefusal(provenance, "since this run started") : null;
      const outcome = changedNow
        ? ({ status: "failed", error: `refused: ${changedNow}`, durationMs: 0 } satisfies StepOutcome)
        : await runStep(definition, {
            env,
            params,
            runId,
            masker,
            resources,
            results,
            artifactsDir,
            runArtifactsDir,
            planning: options.plan ?? false,
            describeOnly: planningOnly,
            processEnv,
            signal: options.signal,
            emit: (stream, line) =>
              emit({ type: "output", runId, step: definition.id, stream, line, at: now() }),
            emitTable: (table) => emit({ type: "table", runId, step: definition.id, ...table, at: now() }),
            onGroup: (pgid) => release?.addGroup(pgid),
          });
      if (outcome.planned) planningOnly = true;
      if (outcome.status === "ok" && !outcome.planned) results[definition.id] = outcome.value ?? null;
      const error = outcome.error ? masker.mask(outcome.error) : undefined;
      emit({
        type: "step-end",
        runId,
        step: definition.id,
        status: outcome.status,
        durationMs: outcome.durationMs,
        ...(error ? { error } : {}),
        ...(outcome.planned ? { planned: true } : {}),
        at: now(),
      });
      record.steps.push({
        id: definition.id,
        status: outcome.status,
        durationMs: outcome.durationMs,
        ...(error ? { error } : {}),
      });
      if (outcome.status !== "ok" && outcome.status !== "skipped") {
        status = outcome.status === "cancelled" ? "cancelled" : "failed";
        failedStep = definition.id;
        break;
      }
    }
  } finally {
    await resources.close();
    emit({ type: "run-end", runId, status, durationMs: Date.now() - started, failedStep, at: now() });
    record.status = status;
    record.endedAt = now();
    await writes;
    await appendAudit(dir, record);
    await saveRunState(dir, {
      runId,
      runbook: runbook.id,
      env: env.name,
      params: masker.maskValue(maskParams(params, secretParams)),
      results: masker.maskValue(results),
      failedStep,
      status,
    });
    await release?.();
  }
  const receipt = status === "ok" ? await gate.planned(runId) : null;
  return { runId, status, failedStep, results, ...(receipt ? { receipt } : {}) };
}

function maskParams(params: Record<string, unknown>, secret: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, secret.includes(k) ? "***" : v]));
}

interface StepOutcome {
  status: StepStatus;
  durationMs: number;
  value?: unknown;
  error?: string;
  planned?: boolean;
}

async function runStep(
  definition: StepDefinition,
  options: {
    env: ReturnType<typeof resolveEnvironment>;
    params: Record<string, unknown>;
    runId: string;
    masker: Masker;
    resources: ReturnType<typeof createResources>;
    results: Record<string, unknown>;
    artifactsDir: string;
    runArtifactsDir: string;
    planning: boolean;
    describeOnly: boolean;
    processEnv: NodeJS.ProcessEnv;
    signal: AbortSignal | undefined;
    emit: (stream: "stdout" | "stderr", line: string) => void;
    emitTable: (table: TableData) => void;
    onGroup: (pgid: number) => void;
  },
): Promise<StepOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new StepTimeout(definition.timeoutMs)),
    definition.timeoutMs,
  );
  // A string reason (the console: "aborted: the console shut down") says who stopped the step.
  const onCancel = () => {
    const reason = options.signal?.reason;
    controller.abort(new StepCancelled(typeof reason === "string" ? reason : undefined));
  };
  options.signal?.addEventListener("abort", onCancel, { once: true });
  const groups = new Set<number>();
  const ctx = createStepContext({
    ...options,
    signal: controller.signal,
    onGroup: (pgid) => {
      groups.add(pgid);
      options.onGroup(pgid);
    },
  });
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  stopped.catch(() => undefined);
  let outcome: StepOutcome;
  try {
    if (options.planning && (definition.danger !== "read" || options.describeOnly)) {
      const lines = definition.plan
        ? await Promise.race([definition.plan(ctx), stopped])
        : [`would run: ${definition.description}`];
      for (const line of lines) options.emit("stdout", `[plan] ${line}`);
      outcome = { status: "skipped", planned: true, durationMs: Date.now() - started };
    } else {
      const value = await Promise.race([definition.run(ctx), stopped]);
      outcome = { status: "ok", value, durationMs: Date.now() - started };
    }
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof StepTimeout)
      outcome = { status: "timed-out", error: reason.message, durationMs: Date.now() - started };
    else if (reason instanceof StepCancelled)
      outcome = { status: "cancelled", error: reason.message, durationMs: Date.now() - started };
    else outcome = { status: "failed", error: describe(error), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCancel);
    // Whatever the step left running (a child process it did not await) is stopped with it.
    if (!controller.signal.aborted) controller.abort(new StepCancelled("step finished"));
  }
  // The step is over only when every process group it started is gone (SIGTERM was sent on abort;
  // SIGKILL follows after the grace period), so a run recorded as stopped has really stopped, and
  // a console or CLI that exits next leaves nothing behind.
  const survivors = await stopGroups(groups);
  if (outcome.status === "cancelled" || outcome.status === "timed-out") {
    const count = groups.size;
    outcome.error = `${outcome.error}; ${
      survivors.length > 0
        ? `process groups ${survivors.join(", ")} are still running after SIGKILL: kill them by hand (kill -KILL -<group>)`
        : count > 0
          ? `its child processes were killed (${count} process group${count > 1 ? "s" : ""})`
          : "it had no child processes"
    }`;
  } else if (survivors.length > 0) {
    options.emit(
      "stderr",
      `process groups ${survivors.join(", ")} the step left running survived SIGKILL: kill them by hand (kill -KILL -<group>)`,
    );
  }
  return { ...outcome, durationMs: Date.now() - started };
}

class StepTimeout extends Error {
  constructor(ms: number) {
    super(`step did not finish within ${ms} ms and was stopped`);
  }
}

class StepCancelled extends Error {
  constructor(message = "cancelled by the operator") {
    super(message);
  }
}

function describe(error: unknown): string {
  if (error && typeof error === "object" && "stderr" in error && "exitCode" in error) {
    const output = error as { stderr: string; exitCode: number | null; message: string };
    const tail = output.stderr.trim().split("\n").slice(-5).join("\n");
    return `command exited with ${output.exitCode}${tail ? `: ${tail}` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}
