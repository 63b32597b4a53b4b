import { receiptPath } from "../runbooks/engine/approvals.ts";
import { disabledReason, readDisabled } from "../runbooks/engine/disabled.ts";
import { EnvironmentError, resolveEnvironment } from "../runbooks/engine/environments.ts";
import type { RunEvent } from "../runbooks/engine/events.ts";
import { LockedError } from "../runbooks/engine/lock.ts";
import { ParamError, parseParams } from "../runbooks/engine/params.ts";
import { enforceBudgetGate, RunRefused, resumeOf, runRunbook, selectSteps } from "../runbooks/engine/run.ts";
import type { Refusal } from "./guard.ts";
import type { CheckRunResponse, StartRun } from "./protocol.ts";
import type { RunbookRegistry } from "./registry.ts";
import { forPage } from "./terminal-text.ts";

// Runs started from the page. The engine does the work (parameters, confirmation, locks, audit,
// masking); this keeps each run's events so a stream can replay them, fans them out to the
// stream, and cancels runs, one at a time or all at shutdown.

/** What the page asked to run (console/protocol.ts StartRunBody, parsed). */
export type StartRequest = StartRun;

interface ActiveRun {
  runId: string;
  runbook: string;
  events: RunEvent[];
  listeners: Set<(event: RunEvent) => void>;
  controller: AbortController;
  done: Promise<void>;
  finished: boolean;
}

/** Finished runs kept in memory for a stream that connects late; older ones are in the audit log. */
const KEEP_FINISHED = 50;

export class RunManager {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly registry: RunbookRegistry;
  private readonly options: { dataDir: string; processEnv: NodeJS.ProcessEnv; actor: string };
  private closing = false;

  constructor(
    registry: RunbookRegistry,
    options: { dataDir: string; processEnv: NodeJS.ProcessEnv; actor: string },
  ) {
    this.registry = registry;
    this.options = options;
  }

  /** Starts a run; resolves with its id once it has started, or with the refusal (nothing ran). */
  /** `actor`: who the audit log records as running it (the signed-in operator). */
  async start(request: StartRequest, actor = this.options.actor): Promise<{ runId: string } | Refusal> {
    if (this.closing) return { status: 503, rule: "shutting-down", error: "the console is shutting down" };
    const runbook = await this.registry.resolve(request.runbook, request.sourceHash);
    if ("status" in runbook) return runbook;

    const controller = new AbortController();
    let run: ActiveRun | null = null;
    let settle: (value: { runId: string } | Refusal) => void = () => undefined;
    const started = new Promise<{ runId: string } | Refusal>((resolve) => {
      settle = resolve;
    });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });

    const emit = (raw: RunEvent) => {
      const event = forPage(raw);
      if (event.type === "run-start") {
        run = {
          runId: event.runId,
          runbook: request.runbook,
          events: [],
          listeners: new Set(),
          controller,
          done,
          finished: false,
        };
        this.runs.set(event.runId, run);
        settle({ runId: event.runId });
      }
      if (!run) return;
      // run-end goes out once the engine has written the audit record and released the lock, so
      // a page that refreshes its history on run-end finds the run there.
      if (event.type === "run-end") {
        runEnd = event;
        return;
      }
      publish(run, event);
    };
    let runEnd: RunEvent | null = null;
    const publish = (target: ActiveRun, event: RunEvent) => {
      target.events.push(event);
      for (const listener of target.listeners) listener(event);
    };

    runRunbook(runbook, {
      env: request.env,
      params: request.params,
      ...(request.step ? { step: request.step } : {}),
      ...(request.from ? { from: request.from } : {}),
      ...(request.resume ? { resume: request.resume } : {}),
      ...(request.approval ? { approval: receiptPath(this.options.dataDir, request.approval) } : {}),
      plan: request.plan,
      ...(request.emergency ? { emergency: true } : {}),
      // The engine asks only when destructive steps would run; the answer is what the operator typed.
      confirm: async () => request.confirm ?? "",
      signal: controller.signal,
      actor,
      emit,
      dataDir: this.options.dataDir,
      processEnv: this.options.processEnv,
      ...(this.registry.provenance(request.runbook)
        ? { provenance: this.registry.provenance(request.runbook) }
        : {}),
    })
      .then(
        () => undefined,
        (error: unknown) => {
          if (!run) settle(refusalOf(error));
          else
            emit({
              type: "output",
              runId: (run as ActiveRun).runId,
              step: "",
              stream: "stderr",
              line: `the console could not finish recording this run: ${error instanceof Error ? error.message : String(error)}`,
              at: new Date().toISOString(),
            });
        },
      )
      .finally(() => {
        const current = run as ActiveRun | null;
        if (current) {
          current.finished = true;
          if (runEnd) publish(current, runEnd);
          current.listeners.clear();
          this.forgetOldRuns();
        }
        finish();
      });
    return started;
  }

  /**
   * What a start would refuse, without starting anything: the runbook, the environment, the
   * parameters and the steps, and which of those steps are destructive. The page asks this before
   * it asks the operator to confirm, so a typo is reported before the environment name is typed.
   * A resume says what it would reuse: the step it starts from and the recorded run's parameters.
   */
  async check(request: StartRun): Promise<CheckRunResponse | Refusal> {
    const runbook = await this.registry.resolve(request.runbook, request.sourceHash);
    if ("status" in runbook) return runbook;
    try {
      const env = resolveEnvironment(request.env, this.options.processEnv);
      const disabled = disabledReason(await readDisabled(this.options.dataDir), runbook.id, env.name);
      if (disabled) throw new RunRefused(disabled, "disabled");
      const resumed = request.resume
        ? await resumeOf(runbook, request.resume, env.name, this.options.dataDir)
        : null;
      if (!resumed) parseParams(runbook.params, request.params);
      const steps = resumed ? resumed.steps : selectSteps(runbook, request);
      await enforceBudgetGate(runbook.id, env, steps, {
        plan: request.plan,
        emergency: request.emergency ?? false,
        dataDir: this.options.dataDir,
      });
      return {
        ok: true,
        env: env.name,
        destructive: request.plan ? [] : steps.filter((s) => s.danger === "destructive").map((s) => s.id),
        ...(resumed && request.resume
          ? {
              resume: {
                runId: request.resume,
                from: resumed.from,
                steps: steps.map((s) => s.id),
                params: resumed.params,
              },
            }
          : {}),
      };
    } catch (error) {
      return refusalOf(error);
    }
  }

  /** Replays the run's events so far, then follows it; null for an unknown run. */
  follow(runId: string, listener: (event: RunEvent) => void): { stop: () => void; finished: boolean } | null {
    const run = this.runs.get(runId);
    if (!run) return null;
    for (const event of run.events) listener(event);
    if (run.finished) return { stop: () => undefined, finished: true };
    run.listeners.add(listener);
    return { stop: () => run.listeners.delete(listener), finished: false };
  }

  cancel(runId: string, reason: string): boolean {
    const run = this.runs.get(runId);
    if (!run || run.finished) return false;
    run.controller.abort(reason);
    return true;
  }

  running(): string[] {
    return [...this.runs.values()].filter((run) => !run.finished).map((run) => run.runId);
  }

  /** Stops every running step (and its process group) and waits until each run is recorded. */
  async shutdown(reason: string): Promise<void> {
    this.closing = true;
    const active = [...this.runs.values()].filter((run) => !run.finished);
    for (const run of active) run.controller.abort(reason);
    await Promise.all(active.map((run) => run.done));
  }

  private forgetOldRuns(): void {
    const finished = [...this.runs.values()].filter((run) => run.finished);
    for (const run of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.runs.delete(run.runId);
  }
}

function refusalOf(error: unknown): Refusal {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof LockedError) return { status: 409, rule: "lock-held", error: message };
  if (error instanceof RunRefused)
    return {
      status:
        error.rule === "changed-file" ||
        error.rule === "disabled" ||
        error.rule.startsWith("error-budget-freeze")
          ? 409
          : 400,
      rule: error.rule,
      error: message,
    };
  if (error instanceof ParamError) return { status: 400, rule: "params", error: message };
  if (error instanceof EnvironmentError) return { status: 400, rule: "environment", error: message };
  return { status: 500, error: `the run could not start: ${message}` };
}
