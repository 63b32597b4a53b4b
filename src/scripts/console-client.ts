import {
  API,
  type ArtifactDeclaration,
  type CheckRunResponse,
  type ConsoleInfo,
  decodeDeepLink,
  type GoneMessage,
  type HistoryEntry,
  type HistoryResponse,
  type ReloadResponse,
  type RunEvent,
  type RunLogResponse,
  type StartRunRequest,
  type StartRunResponse,
} from "../../console/protocol.ts";
import { clearApproval, showApproval } from "./approval-panel.ts";
import { showArtifact } from "./artifact-viewers.ts";
import { ApiError, detectConsole, getJson, postJson } from "./console-api.ts";
import { loadRunDiff } from "./run-diff-view.ts";
import { runAsText } from "./run-text.ts";
import { RunView } from "./run-view.ts";
import { signedInLine } from "./signed-in.ts";

// Makes every embedded runbook runnable when the page is served by the console (npm start):
// environment, parameters, Run / Plan / Run all, live output, cancel, resume, history, and deep
// links that fill the form in but never run anything. On a static copy the buttons explain how
// to run the step instead.

interface Selection {
  step?: string;
  from?: string;
  resume?: string;
  plan: boolean;
  /** Steps the selection may run, for the confirmation of destructive ones. */
  dangers: string[];
  /** Said when the run starts (e.g. the parameters a resume reuses). */
  note?: string;
  /** The approval receipt an apply names (approval-panel.ts). */
  approval?: string;
}

async function main(): Promise<void> {
  const sections = [...document.querySelectorAll<HTMLElement>("section[data-runbook]")];
  if (sections.length === 0) return;
  const state = await detectConsole();
  if (state.kind === "static") {
    for (const section of sections) showHintsOnClick(section, ".run-hint");
    return;
  }
  if (state.kind === "signed-out") {
    for (const section of sections) {
      const notice = section.querySelector<HTMLElement>(".console-signin");
      if (notice) {
        notice.hidden = false;
        notice.textContent = `${state.message}.`;
      }
      showHintsOnClick(section, ".console-signin");
    }
    return;
  }
  for (const section of sections) new RunbookPanel(section, state.info).init();
}

function showHintsOnClick(section: HTMLElement, selector: string): void {
  for (const button of section.querySelectorAll<HTMLButtonElement>("button.run-step, button.plan-step")) {
    button.addEventListener("click", () => {
      const step = button.closest<HTMLElement>(".runbook-step");
      const hint =
        step?.querySelector<HTMLElement>(selector) ??
        (selector === ".run-hint" && step ? staticHint(step) : section.querySelector<HTMLElement>(selector));
      if (hint) hint.hidden = false;
    });
  }
}

/** Built when asked for, not shipped with every step: pages embedding many runbooks stay light. */
function staticHint(step: HTMLElement): HTMLElement {
  const command = step.querySelector(".step-command")?.textContent ?? "npm run runbook -- <id>";
  const hint = document.createElement("p");
  hint.className = "run-hint";
  hint.setAttribute("role", "status");
  const code = (text: string) => {
    const element = document.createElement("code");
    element.textContent = text;
    return element;
  };
  hint.append(
    "This copy of the handbook is static. Run the step from a checkout with ",
    code(command),
    ", or start the console with ",
    code("npm start"),
    " and press Run there.",
  );
  step.append(hint);
  return hint;
}

class RunbookPanel {
  private readonly section: HTMLElement;
  private readonly info: ConsoleInfo;
  private readonly id: string;
  private readonly envSelect: HTMLSelectElement;
  private readonly form: HTMLFormElement;
  private readonly notice: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly confirmBox: HTMLElement;
  private lastRun: {
    runId: string;
    env: string;
    status: string;
    failedStep: string | null;
    params: Record<string, unknown>;
  } | null = null;
  /** A resume the operator was warned about (the form differs from the run's parameters). */
  private resumeWarned: string | null = null;
  private allDangers: string[] = [];
  private busy = false;
  /** What a run of this runbook may leave, from the catalog (data-artifacts). */
  private readonly artifacts: ArtifactDeclaration[];

  constructor(section: HTMLElement, info: ConsoleInfo) {
    this.section = section;
    this.info = info;
    this.id = section.dataset.runbook as string;
    this.envSelect = section.querySelector("select.console-env") as HTMLSelectElement;
    this.form = section.querySelector("form.console-params") as HTMLFormElement;
    this.notice = section.querySelector(".console-notice") as HTMLElement;
    this.panel = section.querySelector(".run-panel") as HTMLElement;
    this.confirmBox = section.querySelector(".console-confirm") as HTMLElement;
    this.artifacts = JSON.parse(section.dataset.artifacts ?? "[]") as ArtifactDeclaration[];
  }

  init(): void {
    this.section.dataset.console = "on";
    for (const element of this.section.querySelectorAll<HTMLElement>(".console-only")) element.hidden = false;
    this.section.querySelector(".console-bar")?.prepend(signedInLine(this.info));
    for (const option of this.envSelect.options) {
      const env = this.info.environments.find((e) => e.name === option.value);
      option.disabled = !env?.configured;
      // Settings given as secret references are named with their reference, never a value.
      const references = Object.entries(env?.references ?? {}).map(([name, ref]) => `${name}: ${ref}`);
      option.title = env?.configured
        ? [env.appUrl ?? "", ...references].filter(Boolean).join("\n")
        : (env?.reason ?? "");
    }
    this.envSelect.addEventListener("change", () => this.showEnvironment());
    this.showEnvironment();
    this.form.addEventListener("submit", (event) => event.preventDefault());

    const dangers = [...this.section.querySelectorAll<HTMLElement>("li.runbook-step")].map(
      (li) => li.dataset.danger ?? "read",
    );
    this.section
      .querySelector(".run-all")
      ?.addEventListener("click", () => this.start({ plan: false, dangers }));
    this.section
      .querySelector(".plan-all")
      ?.addEventListener("click", () => this.start({ plan: true, dangers }));
    for (const button of this.section.querySelectorAll<HTMLButtonElement>(
      "button.run-step, button.plan-step",
    )) {
      const step = button.dataset.runStep as string;
      const plan = button.classList.contains("plan-step");
      button.addEventListener("click", () =>
        this.start({ step, plan, dangers: [button.dataset.danger ?? "read"] }),
      );
    }
    this.panel.querySelector(".run-cancel")?.addEventListener("click", () => this.cancel());
    this.allDangers = dangers;
    this.panel.querySelector(".run-resume")?.addEventListener("click", () => {
      if (this.lastRun) void this.resume(this.lastRun);
    });
    const history = this.section.querySelector<HTMLDetailsElement>("details.run-history");
    history?.addEventListener("toggle", () => {
      if (history.open) void this.loadHistory();
    });
    if (this.info.changedOnDisk.includes(this.id)) this.offerReload();
    this.applyDeepLink();
    void this.showLatestArtifacts();
  }

  /**
   * Resumes a run from its failed step with the parameters it ran with (the engine reuses them).
   * The operator sees them first; when the form says otherwise, the first press only explains.
   */
  private async resume(run: {
    runId: string;
    env: string;
    failedStep: string | null;
    params: Record<string, unknown>;
  }): Promise<void> {
    const form = this.params();
    const changed = Object.entries(form)
      .filter(([name, value]) => run.params[name] !== undefined && String(run.params[name]) !== value)
      .map(([name, value]) => `${name}: ${String(run.params[name])} → ${value}`);
    const shown = Object.entries(run.params)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(", ");
    if (changed.length > 0 && this.resumeWarned !== run.runId) {
      this.resumeWarned = run.runId;
      this.say(
        `Resuming run ${run.runId} reuses its parameters (${shown || "none"}), not the form's (${changed.join("; ")}). Press Resume again to resume with the run's parameters, or Run all steps to start a new run with the form's.`,
        "error",
      );
      return;
    }
    this.resumeWarned = null;
    this.envSelect.value = run.env;
    this.showEnvironment();
    await this.start({
      resume: run.runId,
      plan: false,
      dangers: this.dangersFrom(run.failedStep, this.allDangers),
      note: `Resuming run ${run.runId} from ${run.failedStep ? `step "${run.failedStep}"` : "its first unfinished step"} with its parameters: ${shown || "none"}.`,
    });
  }

  /** Fills the form in from a recorded run; nothing runs until the operator presses a button. */
  private fillFrom(run: HistoryEntry): void {
    const option = [...this.envSelect.options].find((o) => o.value === run.env && !o.disabled);
    if (option) {
      this.envSelect.value = run.env;
      this.showEnvironment();
    }
    const skipped: string[] = [];
    for (const field of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]")) {
      const name = field.dataset.param as string;
      const value = run.params[name];
      if (value === undefined) continue;
      if (field instanceof HTMLInputElement && field.type === "password") {
        skipped.push(name);
        continue;
      }
      field.value = String(value);
    }
    this.form.scrollIntoView({ block: "center" });
    this.say(
      `Filled in from run ${run.runId} (${run.env}${option ? "" : ", not configured here: choose an environment"})${skipped.length ? `; secret ${skipped.join(", ")} not copied: type it again` : ""}. Nothing has run: check the values, then press Run.`,
    );
  }

  /** After a reload, the newest run's viewable artifacts are drawn again (a chart does not vanish). */
  private async showLatestArtifacts(): Promise<void> {
    if (!this.artifacts.some((a) => a.viewer)) return;
    try {
      const { runs } = await getJson<HistoryResponse>(API.history(this.id));
      const latest = runs.find((run) => run.artifacts.length > 0);
      if (latest) await this.showArtifacts(latest.runId);
    } catch {
      // The history is optional here: the run view still works without it, and the history
      // section reports its own errors when opened.
    }
  }

  private showEnvironment(): void {
    const env = this.envSelect.value;
    this.section.dataset.env = env;
    const banner = this.section.querySelector<HTMLElement>(".prod-banner");
    if (banner) banner.hidden = env !== "production";
    // A runbook or environment switched off (maintenance, a freeze): the reason beside the buttons.
    const off =
      this.info.disabled.find((d) => d.target === this.id) ??
      this.info.disabled.find((d) => d.target === `env:${env}`);
    if (off) {
      this.section.dataset.disabled = off.target;
      const what = off.target.startsWith("env:") ? `The ${env} environment` : "This runbook";
      this.say(
        `${what} is disabled${off.until ? ` until ${off.until}` : ""} by ${off.by}: ${off.reason}. Runs are refused until it is enabled (npm run runbook -- enable ${off.target}).`,
        "error",
      );
    } else if (this.section.dataset.disabled) {
      delete this.section.dataset.disabled;
      this.say("");
    }
  }

  private dangersFrom(stepId: string | null, all: string[]): string[] {
    const ids = [...this.section.querySelectorAll<HTMLElement>("li.runbook-step")].map(
      (li) => li.dataset.step,
    );
    const at = stepId ? ids.indexOf(stepId) : -1;
    return at < 0 ? all : all.slice(at);
  }

  private params(): Record<string, string> {
    const params: Record<string, string> = {};
    for (const field of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]")) {
      if (field.value !== "") params[field.dataset.param as string] = field.value;
    }
    return params;
  }

  private say(text: string, kind: "info" | "error" = "info"): void {
    this.notice.textContent = text;
    this.notice.dataset.kind = kind;
    this.notice.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  /** Asks for the environment name when destructive steps would run; null when the operator backs out. */
  private confirmation(env: string): Promise<string | null> {
    const input = this.confirmBox.querySelector("input") as HTMLInputElement;
    const go = this.confirmBox.querySelector(".confirm-go") as HTMLButtonElement;
    const back = this.confirmBox.querySelector(".confirm-back") as HTMLButtonElement;
    (this.confirmBox.querySelector(".confirm-env") as HTMLElement).textContent = env;
    input.value = "";
    this.confirmBox.hidden = false;
    input.focus();
    return new Promise((resolve) => {
      const done = (value: string | null) => {
        this.confirmBox.hidden = true;
        go.removeEventListener("click", onGo);
        back.removeEventListener("click", onBack);
        input.removeEventListener("keydown", onKey);
        resolve(value);
      };
      const onGo = () => done(input.value);
      const onBack = () => done(null);
      const onKey = (event: KeyboardEvent) => {
        if (event.key === "Enter") onGo();
        if (event.key === "Escape") onBack();
      };
      go.addEventListener("click", onGo);
      back.addEventListener("click", onBack);
      input.addEventListener("keydown", onKey);
    });
  }

  private async start(selection: Selection): Promise<void> {
    if (this.busy)
      return this.say(
        "A run of this runbook is in progress on this page; wait for it or cancel it.",
        "error",
      );
    const clickedAt = performance.now();
    const env = this.envSelect.value;
    const request: StartRunRequest = {
      runbook: this.id,
      env,
      params: selection.resume ? {} : this.params(),
      ...(selection.step ? { step: selection.step } : {}),
      ...(selection.resume ? { resume: selection.resume } : {}),
      ...(selection.approval ? { approval: selection.approval } : {}),
      plan: selection.plan,
      sourceHash: this.section.dataset.sourceHash,
      // Runbook.astro offers it on runbooks the error-budget freeze holds.
      ...(this.section.querySelector<HTMLInputElement>(".budget-emergency-input")?.checked
        ? { emergency: true }
        : {}),
    };
    this.busy = true;
    this.clearInvalid();
    try {
      // Refusals first: a wrong parameter is reported before anyone types an environment name.
      const check = await postJson<CheckRunResponse>(API.checkRun, request);
      const destructive = selection.resume
        ? !selection.plan && selection.dangers.includes("destructive")
        : check.destructive.length > 0;
      // Focus goes where the operator's attention must: back to the button on "Back", to the
      // run's status once the confirmation box it was in disappears.
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      if (destructive) {
        const typed = await this.confirmation(env);
        if (typed === null) {
          opener?.focus();
          return this.say("Not run: the destructive step was not confirmed.");
        }
        request.confirm = typed;
      }
      this.say(selection.note ?? "");
      const started = await postJson<StartRunResponse>(API.runs, request);
      await this.follow(started.runId, started.events, env, clickedAt, destructive);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.say(`Not run: ${this.inWordsOfTheForm(message)}`, "error");
      if (error instanceof ApiError && error.status === 409 && /changed since/.test(message))
        this.offerReload();
    } finally {
      this.busy = false;
    }
  }

  private fields(): Array<HTMLInputElement | HTMLSelectElement> {
    return [...this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]")];
  }

  private clearInvalid(): void {
    for (const field of this.fields()) field.removeAttribute("aria-invalid");
  }

  /**
   * "invalid parameters: backup: Invalid input: expected string, received undefined" becomes
   * "backup is required (A backup id like …)": the field's name, what is wrong, what it expects;
   * the field is marked invalid and focused.
   */
  private inWordsOfTheForm(message: string): string {
    const match = /^invalid parameters: (.*)$/.exec(message);
    if (!match?.[1]) return message;
    const problems: string[] = [];
    let first: HTMLElement | null = null;
    for (const part of match[1].split("; ")) {
      const at = part.indexOf(": ");
      const name = at > 0 ? part.slice(0, at) : "";
      const problem = at > 0 ? part.slice(at + 2) : part;
      const field = this.fields().find((f) => f.dataset.param === name);
      const expects = field?.closest("label")?.getAttribute("title");
      const what = /received undefined/.test(problem)
        ? "is required"
        : `: ${problem.replace(/^Invalid input: /, "")}`;
      problems.push(`${name || "parameters"} ${what}${expects ? ` (${expects})` : ""}`.replace(" :", ":"));
      if (field) {
        field.setAttribute("aria-invalid", "true");
        first ??= field;
      }
    }
    first?.focus();
    return `check the form: ${problems.join("; ")}.`;
  }

  private follow(
    runId: string,
    url: string,
    env: string,
    clickedAt: number,
    focusStatus = false,
  ): Promise<void> {
    const view = new RunView(this.panel, clickedAt);
    view.setStatus("running", `Starting run ${runId}…`);
    const cancel = this.panel.querySelector<HTMLButtonElement>(".run-cancel");
    const resume = this.panel.querySelector<HTMLButtonElement>(".run-resume");
    const resumeHadFocus = resume !== null && document.activeElement === resume;
    if (cancel) cancel.hidden = false;
    if (resume) resume.hidden = true;
    // A hidden button drops focus to the page's top: the status line takes it instead.
    if (focusStatus || resumeHadFocus) view.statusElement.focus();
    let runParams: Record<string, unknown> = {};
    let planned = false;
    clearApproval(this.section);
    return new Promise((resolve) => {
      const source = new EventSource(url);
      const end = () => {
        source.close();
        const cancelHadFocus = cancel !== null && document.activeElement === cancel;
        if (cancel) cancel.hidden = true;
        if (cancelHadFocus) view.statusElement.focus();
        resolve();
      };
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as RunEvent;
        view.apply(event);
        if (event.type === "run-start") {
          runParams = event.params;
          planned = event.plan;
        }
        if (event.type === "run-end") {
          this.lastRun = {
            runId,
            env,
            status: event.status,
            failedStep: event.failedStep,
            params: runParams,
          };
          // "Cancelling…" is stale once the run ended; what the start said (a resume's parameters) stays.
          if (/^Cancelling run /.test(this.notice.textContent ?? "")) this.say("");
          if (resume) resume.hidden = event.status === "ok" || event.failedStep === null;
          const history = this.section.querySelector<HTMLDetailsElement>("details.run-history");
          if (history?.open) void this.loadHistory();
          void this.showArtifacts(runId);
          if (planned && event.status === "ok")
            void showApproval(this.section, runId, ({ receipt, steps }) =>
              this.start({
                ...(steps.length === 1 && this.allDangers.length > 1 ? { step: steps[0] as string } : {}),
                plan: false,
                dangers: this.allDangers,
                approval: receipt,
              }),
            ).catch((error: unknown) =>
              this.say(`Could not load the approval receipt: ${String(error)}`, "error"),
            );
          end();
        }
      };
      source.addEventListener("gone", (message) => {
        view.setStatus("failed", (JSON.parse((message as MessageEvent<string>).data) as GoneMessage).error);
        end();
      });
      source.onerror = () => {
        // A stream that ends without run-end: the console stopped or the ticket was refused.
        if (this.panel.dataset.state === "running")
          view.setStatus("failed", "Lost the connection to the console; see the run history.");
        end();
      };
    });
  }

  /** After a run, each artifact it left that has a viewer, drawn under the output. */
  private async showArtifacts(runId: string): Promise<void> {
    for (const figure of this.section.querySelectorAll(".run-artifact")) figure.remove();
    for (const artifact of this.artifacts.filter((a) => a.viewer)) {
      await showArtifact(this.panel, runId, artifact, undefined, { quietWhenMissing: true });
    }
  }

  private async cancel(): Promise<void> {
    const runId = this.panel.dataset.runId;
    if (!runId) return;
    try {
      await postJson(API.cancel(runId), {});
      this.say(`Cancelling run ${runId}: its step and the processes it started are being stopped.`);
    } catch (error) {
      this.say(`Could not cancel: ${error instanceof Error ? error.message : String(error)}`, "error");
    }
  }

  private offerReload(): void {
    const button = this.section.querySelector<HTMLButtonElement>(".console-reload");
    if (!button) return;
    button.hidden = false;
    this.say(
      `runbook "${this.id}" changed on disk since the console loaded it; reload before running it.`,
      "error",
    );
    button.onclick = async () => {
      try {
        const { changed } = await postJson<ReloadResponse>(API.reload, {});
        button.hidden = true;
        this.say(
          `Reloaded (${changed.length ? changed.join(", ") : "nothing"} changed). Rebuild the handbook (npm run build) so this page shows the new code.`,
        );
      } catch (error) {
        this.say(`Reload failed: ${error instanceof Error ? error.message : String(error)}`, "error");
      }
    };
  }

  private async loadHistory(): Promise<void> {
    const body = this.section.querySelector(".history-body") as HTMLElement;
    try {
      const { runs } = await getJson<HistoryResponse>(API.history(this.id));
      body.replaceChildren(runs.length === 0 ? text("p", "No runs recorded yet.") : this.historyTable(runs));
    } catch (error) {
      body.replaceChildren(text("p", `Could not load the history: ${String(error)}`));
    }
  }

  private historyTable(runs: HistoryEntry[]): HTMLElement {
    const wrapper = document.createElement("div");
    const table = document.createElement("table");
    table.className = "history-table";
    const head = table.createTHead().insertRow();
    for (const title of ["When (UTC)", "Who", "Env", "Steps", "Result", ""]) head.append(text("th", title));
    const output = document.createElement("pre");
    output.className = "history-output";
    output.hidden = true;
    const comparison = document.createElement("div");
    comparison.className = "history-diff";
    comparison.hidden = true;
    const tbody = table.createTBody();
    for (const run of runs) {
      const row = tbody.insertRow();
      row.dataset.runId = run.runId;
      const seconds = (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000;
      row.append(
        text("td", run.startedAt.replace("T", " ").replace(/\..*$/, "")),
        text("td", run.actor),
        text("td", run.env),
        text("td", run.steps.map((s) => `${s.id}: ${s.status}`).join(", ") || "none"),
        text(
          "td",
          `${run.plan ? "plan, " : ""}${run.status} (${seconds.toFixed(1)} s)${run.resumedFrom ? `, resumed ${run.resumedFrom}` : ""}`,
        ),
      );
      const cell = document.createElement("td");
      const show = text("button", "Output") as HTMLButtonElement;
      show.type = "button";
      show.className = "history-show";
      show.addEventListener("click", async () => {
        try {
          const { events } = await getJson<RunLogResponse>(API.log(run.runId));
          output.textContent = runAsText(events);
        } catch (error) {
          output.textContent = `Could not load the output of ${run.runId}: ${String(error)}`;
        }
        output.hidden = false;
        output.dataset.runId = run.runId;
      });
      cell.append(show);
      const again = text("button", "Fill in again") as HTMLButtonElement;
      again.type = "button";
      again.className = "history-rerun";
      again.title = "Fill the form in with this run's environment and parameters; nothing runs";
      again.addEventListener("click", () => this.fillFrom(run));
      cell.append(" ", again);
      const compare = text("button", "Compare with previous") as HTMLButtonElement;
      compare.type = "button";
      compare.className = "history-compare";
      compare.title = "This run beside the run before it (same runbook and environment): what changed";
      compare.addEventListener("click", async () => {
        try {
          comparison.replaceChildren(await loadRunDiff(run.runId));
        } catch (error) {
          comparison.replaceChildren(
            text(
              "p",
              `Could not compare ${run.runId}: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
        }
        comparison.hidden = false;
        comparison.dataset.runId = run.runId;
      });
      cell.append(" ", compare);
      const failed = run.steps.find((s) => s.status !== "ok" && s.status !== "skipped");
      if (run.status !== "ok" && !run.plan && failed) {
        const resume = text("button", `Resume from ${failed.id}`) as HTMLButtonElement;
        resume.type = "button";
        resume.className = "history-rerun history-resume";
        resume.addEventListener(
          "click",
          () =>
            void this.resume({ runId: run.runId, env: run.env, failedStep: failed.id, params: run.params }),
        );
        cell.append(" ", resume);
      }
      for (const name of run.artifacts) {
        const declared = this.artifacts.find((a) => a.name === name);
        if (!declared) continue;
        const open = text("button", declared.title) as HTMLButtonElement;
        open.type = "button";
        open.className = "history-artifact";
        open.dataset.artifact = name;
        open.addEventListener("click", () => void showArtifact(wrapper, run.runId, declared, "text"));
        cell.append(" ", open);
      }
      row.append(cell);
    }
    const scroll = document.createElement("div");
    scroll.className = "history-scroll";
    scroll.append(table);
    wrapper.append(scroll, output, comparison);
    return wrapper;
  }

  /** ?runbook=<id>&step=<id>&env=<env>&p.<name>=<value>: fills the form in and points at the step; runs nothing. */
  private applyDeepLink(): void {
    const link = decodeDeepLink(location.search);
    if (link?.runbook !== this.id) return;
    const filled: string[] = [];
    const ignored: string[] = [];
    const env = link.env;
    if (env) {
      const option = [...this.envSelect.options].find((o) => o.value === env && !o.disabled);
      if (option) {
        this.envSelect.value = env;
        this.showEnvironment();
        filled.push(`environment ${env}`);
      } else ignored.push(`environment "${env}" (not configured here)`);
    }
    for (const [name, value] of Object.entries(link.params)) {
      const field = [
        ...this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]"),
      ].find((f) => f.dataset.param === name);
      if (field) {
        field.value = value;
        filled.push(name);
      } else ignored.push(`parameter "${name}"`);
    }
    const stepId = link.step;
    const step = stepId
      ? [...this.section.querySelectorAll<HTMLElement>("li.runbook-step")].find(
          (li) => li.dataset.step === stepId,
        )
      : null;
    const target = step ?? this.section;
    target.classList.add("deep-linked");
    target.scrollIntoView({ block: "center" });
    (
      target.querySelector<HTMLButtonElement>("button.run-step") ??
      target.querySelector<HTMLButtonElement>(".run-all")
    )?.focus({
      preventScroll: true,
    });
    this.say(
      `Filled in from the link (${filled.join(", ") || "nothing"})${ignored.length ? `; ignored ${ignored.join(", ")}` : ""}. Nothing has run: check the values, then press Run.`,
    );
  }
}

function text(tag: string, content: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

void main();
