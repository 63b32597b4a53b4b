import {
  API,
  type AuditViewEntry,
  type CheckRunResponse,
  type GoneMessage,
  type RunEvent,
  type StartRunRequest,
  type StartRunResponse,
} from "../../console/protocol.ts";
import { postJson } from "./console-api.ts";
import { RunView } from "./run-view.ts";

// From the audit view, a failed (or cancelled) run is resumed from its failed step, or that step is
// run again on its own, with the run's parameters. Nothing starts on the first press: the console
// says what would run and with which parameters (POST /api/runs/check, which reads the run's saved
// state for a resume), the operator reads them, types the environment name if a step is
// destructive, and presses Resume. The run is an ordinary console run: audited, locked, streamed.

type RunEntry = Extract<AuditViewEntry, { kind: "run" }>;
type Mode = { kind: "resume" } | { kind: "step"; step: string };

/** The step a failed or cancelled run stopped at, or null when there is nothing to take up again. */
export function stoppedAt(entry: RunEntry): string | null {
  if (entry.status === "ok" || entry.plan) return null;
  return entry.steps.find((s) => s.status !== "ok" && s.status !== "skipped")?.id ?? null;
}

/** The buttons a run's row offers; each opens the box, which shows before anything runs. */
export function rerunButtons(entry: RunEntry, box: ResumeBox): HTMLButtonElement[] {
  const step = stoppedAt(entry);
  if (!step) return [];
  const make = (label: string, className: string, mode: Mode) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    button.addEventListener("click", () => void box.open(entry, mode));
    return button;
  };
  return [
    make(`Resume from ${step}…`, "audit-resume-open", { kind: "resume" }),
    make(`Re-run step ${step}…`, "audit-rerun-step", { kind: "step", step }),
  ];
}

export class ResumeBox {
  private readonly box: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly refresh: () => Promise<void>;
  private request: StartRunRequest | null = null;
  private opener: HTMLElement | null = null;
  private running = false;

  constructor(section: HTMLElement, refresh: () => Promise<void>) {
    this.box = section.querySelector(".audit-resume") as HTMLElement;
    this.panel = section.querySelector(".run-panel") as HTMLElement;
    this.refresh = refresh;
    this.part<HTMLButtonElement>(".audit-resume-go").addEventListener("click", () => void this.go());
    this.part<HTMLButtonElement>(".audit-resume-back").addEventListener("click", () => this.back());
    this.part<HTMLInputElement>(".audit-resume-confirm input").addEventListener("keydown", (event) => {
      if (event.key === "Enter") void this.go();
      if (event.key === "Escape") this.back();
    });
  }

  private part<T extends HTMLElement>(selector: string): T {
    return this.box.querySelector(selector) as T;
  }

  async open(entry: RunEntry, mode: Mode): Promise<void> {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const secret = Object.entries(entry.params)
      .filter(([, value]) => value === "***")
      .map(([name]) => name);
    this.request =
      mode.kind === "resume"
        ? { runbook: entry.runbook, env: entry.env, resume: entry.runId, params: {} }
        : {
            runbook: entry.runbook,
            env: entry.env,
            step: mode.step,
            params: Object.fromEntries(
              Object.entries(entry.params).filter((pair): pair is [string, string | number | boolean] =>
                ["string", "number", "boolean"].includes(typeof pair[1]),
              ),
            ),
          };
    const title = this.part<HTMLElement>(".audit-resume-title");
    const what = this.part<HTMLElement>(".audit-resume-what");
    const go = this.part<HTMLButtonElement>(".audit-resume-go");
    const confirm = this.part<HTMLElement>(".audit-resume-confirm");
    title.textContent =
      mode.kind === "resume"
        ? `Resume run ${entry.runId} of ${entry.runbook} in ${entry.env}`
        : `Re-run step ${mode.step} of ${entry.runbook} in ${entry.env}`;
    go.textContent = mode.kind === "resume" ? "Resume" : `Run step ${mode.step}`;
    this.box.dataset.mode = mode.kind;
    this.box.dataset.runId = entry.runId;
    confirm.hidden = true;
    this.say("");
    this.box.hidden = false;
    title.focus();
    if (mode.kind === "step" && secret.length > 0) {
      what.textContent = "";
      this.params({});
      go.disabled = true;
      this.say(
        `Not offered: ${secret.join(", ")} ${secret.length > 1 ? "are secret parameters" : "is a secret parameter"}, never recorded. Re-run the step from its page, where you type ${secret.length > 1 ? "them" : "it"} again, or resume (the engine keeps what it needs).`,
        "error",
      );
      return;
    }
    let check: CheckRunResponse;
    try {
      check = await postJson<CheckRunResponse>(API.checkRun, this.request);
    } catch (error) {
      what.textContent = "";
      this.params({});
      go.disabled = true;
      this.say(`Cannot ${mode.kind === "resume" ? "resume" : "re-run"}: ${message(error)}`, "error");
      return;
    }
    go.disabled = false;
    const params = check.resume?.params ?? this.request.params ?? {};
    what.textContent = check.resume
      ? `It runs ${check.resume.steps.join(", ")}, from the failed step "${check.resume.from}", with the results of the steps before it and the parameters run ${entry.runId} ran with:`
      : `It runs step ${mode.kind === "step" ? mode.step : ""} alone, with the parameters run ${entry.runId} ran with:`;
    this.params(params);
    if (check.destructive.length > 0) {
      confirm.hidden = false;
      (confirm.querySelector(".confirm-env") as HTMLElement).textContent = check.env;
      (confirm.querySelector(".confirm-steps") as HTMLElement).textContent = check.destructive.join(", ");
      (confirm.querySelector("input") as HTMLInputElement).value = "";
    }
  }

  private params(params: Record<string, unknown>): void {
    const table = this.part<HTMLTableElement>(".audit-resume-params");
    const body = table.tBodies[0] as HTMLTableSectionElement;
    body.replaceChildren();
    const entries = Object.entries(params);
    table.hidden = entries.length === 0;
    this.part<HTMLElement>(".audit-resume-none").hidden = entries.length > 0;
    for (const [name, value] of entries) {
      const row = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      row.append(th);
      row.insertCell().textContent = String(value);
    }
  }

  private say(text: string, kind: "info" | "error" = "info"): void {
    const notice = this.part<HTMLElement>(".audit-resume-notice");
    notice.textContent = text;
    notice.dataset.kind = kind;
    notice.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  private back(): void {
    this.box.hidden = true;
    this.request = null;
    this.opener?.focus();
  }

  private async go(): Promise<void> {
    if (!this.request || this.running) return;
    const confirm = this.part<HTMLElement>(".audit-resume-confirm");
    const request: StartRunRequest = {
      ...this.request,
      ...(confirm.hidden ? {} : { confirm: (confirm.querySelector("input") as HTMLInputElement).value }),
    };
    this.running = true;
    try {
      const started = await postJson<StartRunResponse>(API.runs, request);
      this.box.hidden = true;
      await this.follow(started);
      await this.refresh();
    } catch (error) {
      this.say(`Not run: ${message(error)}`, "error");
    } finally {
      this.running = false;
    }
  }

  private follow(started: StartRunResponse): Promise<void> {
    const view = new RunView(this.panel, performance.now());
    view.setStatus("running", `Starting run ${started.runId}…`);
    // The box the operator was in is gone: the run's status line takes the focus.
    view.statusElement.focus();
    const cancel = this.panel.querySelector<HTMLButtonElement>(".run-cancel");
    if (cancel) {
      cancel.hidden = false;
      cancel.onclick = () => void postJson(API.cancel(started.runId), {}).catch(() => undefined);
    }
    return new Promise((resolve) => {
      const source = new EventSource(started.events);
      const end = () => {
        source.close();
        const hadFocus = document.activeElement === cancel;
        if (cancel) cancel.hidden = true;
        if (hadFocus) view.statusElement.focus();
        resolve();
      };
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as RunEvent;
        view.apply(event);
        if (event.type === "run-end") end();
      };
      source.addEventListener("gone", (message) => {
        view.setStatus("failed", (JSON.parse((message as MessageEvent<string>).data) as GoneMessage).error);
        end();
      });
      source.onerror = () => {
        if (this.panel.dataset.state === "running")
          view.setStatus("failed", "Lost the connection to the console; the audit log has the run.");
        end();
      };
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
