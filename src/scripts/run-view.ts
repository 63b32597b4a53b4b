import { type EventFormatters, type RunEvent, renderEvent } from "../../console/protocol.ts";

// Renders one run's events into a runbook's panel: a progress list of the run's steps with status
// and duration, and the output lines. Everything from a step is set as text, never as HTML.

const ICONS: Record<string, string> = {
  running: "…",
  ok: "✔",
  failed: "✘",
  skipped: "↷",
  cancelled: "■",
  "timed-out": "⏱",
};

export class RunView {
  private readonly panel: HTMLElement;
  private readonly progress: HTMLOListElement;
  private readonly log: HTMLElement;
  private readonly status: HTMLElement;
  private readonly clickedAt: number;
  private sawOutput = false;

  constructor(panel: HTMLElement, clickedAt: number) {
    this.panel = panel;
    this.progress = panel.querySelector("ol.run-progress") as HTMLOListElement;
    this.log = panel.querySelector(".run-log") as HTMLElement;
    this.status = panel.querySelector(".run-status") as HTMLElement;
    this.clickedAt = clickedAt;
    this.progress.replaceChildren();
    this.log.replaceChildren();
    delete panel.dataset.firstOutputMs;
    panel.hidden = false;
  }

  setStatus(state: string, text: string): void {
    this.panel.dataset.state = state;
    this.status.textContent = text;
  }

  apply(event: RunEvent): void {
    renderEvent(this.render, event);
  }

  /** One renderer per event kind: a new kind fails to compile until it is drawn here. */
  private readonly render: EventFormatters<void> = {
    "run-start": (event) => {
      this.panel.dataset.runId = event.runId;
      this.setStatus(
        "running",
        `${event.plan ? "Planning" : "Running"} ${event.title} in ${event.env} (run ${event.runId})`,
      );
      for (const step of event.steps) {
        const item = document.createElement("li");
        item.dataset.step = step.id;
        item.dataset.status = "pending";
        item.dataset.title = step.title;
        item.textContent = `○ ${step.title}`;
        this.progress.append(item);
      }
    },
    "step-start": (event) => this.mark(event.step, "running", ""),
    output: (event) => this.line(event.line, event.stream),
    "step-end": (event) => {
      this.mark(
        event.step,
        event.status,
        `${(event.durationMs / 1000).toFixed(1)} s${event.planned ? ", planned" : ""}`,
      );
      if (event.error) this.line(`${event.step}: ${event.error}`, "stderr");
    },
    "run-end": (event) => {
      const words = { ok: "succeeded", failed: "failed", cancelled: "was cancelled" }[event.status];
      this.setStatus(
        event.status,
        `Run ${event.runId} ${words} in ${(event.durationMs / 1000).toFixed(1)} s${event.failedStep ? ` at step "${event.failedStep}"` : ""}`,
      );
    },
  };

  line(text: string, stream: "stdout" | "stderr"): void {
    if (!this.sawOutput) {
      this.sawOutput = true;
      this.panel.dataset.firstOutputMs = String(Math.round(performance.now() - this.clickedAt));
    }
    const span = document.createElement("span");
    span.className = `line ${stream}`;
    span.textContent = text;
    this.log.append(span, "\n");
    this.log.scrollTop = this.log.scrollHeight;
  }

  private mark(stepId: string, status: string, detail: string): void {
    const item = [...this.progress.children].find((li) => (li as HTMLElement).dataset.step === stepId) as
      | HTMLElement
      | undefined;
    if (!item) return;
    const title = item.dataset.title ?? stepId;
    item.dataset.status = status;
    item.textContent = `${ICONS[status] ?? "•"} ${title}${detail ? ` (${status}, ${detail})` : ""}`;
  }
}
