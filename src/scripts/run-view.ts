import {
  alignsRight,
  cellText,
  type EventFormatters,
  type RunEvent,
  renderEvent,
  type TableData,
} from "../../console/protocol.ts";
import { Announcer } from "./run-announcer.ts";

// Renders one run's events into a runbook's panel: a progress list of the run's steps with status
// and duration, the output lines and tables. Everything from a step is set as text, never as HTML.
// Status is said in words beside every icon and colour; a screen reader hears the run through the
// paced announcer (run-announcer.ts), not line by line.

const ICONS: Record<string, string> = {
  pending: "○",
  running: "…",
  ok: "✔",
  failed: "✘",
  skipped: "↷",
  cancelled: "■",
  "timed-out": "⏱",
};

const RESULT_WORDS = { ok: "succeeded", failed: "failed", cancelled: "was cancelled" } as const;

export class RunView {
  private readonly panel: HTMLElement;
  private readonly progress: HTMLOListElement;
  private readonly log: HTMLElement;
  private readonly status: HTMLElement;
  private readonly announcer: Announcer;
  private readonly clickedAt: number;
  private sawOutput = false;
  private titles = new Map<string, string>();

  constructor(panel: HTMLElement, clickedAt: number) {
    this.panel = panel;
    this.progress = panel.querySelector("ol.run-progress") as HTMLOListElement;
    this.log = panel.querySelector(".run-log") as HTMLElement;
    this.status = panel.querySelector(".run-status") as HTMLElement;
    const region = panel.querySelector(".run-announcer") as HTMLElement;
    region.textContent = "";
    this.announcer = new Announcer((text) => {
      region.textContent = text;
    });
    this.clickedAt = clickedAt;
    this.progress.replaceChildren();
    this.log.replaceChildren();
    delete panel.dataset.firstOutputMs;
    panel.hidden = false;
  }

  setStatus(state: string, text: string): void {
    this.panel.dataset.state = state;
    this.status.dataset.icon = ICONS[state] ?? "•";
    this.status.textContent = text;
  }

  /** The status line, for focus when what the operator was on (a confirm box, Cancel) goes away. */
  get statusElement(): HTMLElement {
    return this.status;
  }

  apply(event: RunEvent): void {
    renderEvent(this.render, event);
  }

  /** One renderer per event kind: a new kind fails to compile until it is drawn here. */
  private readonly render: EventFormatters<void> = {
    "run-start": (event) => {
      this.panel.dataset.runId = event.runId;
      const text = `${event.plan ? "Planning" : "Running"} ${event.title} in ${event.env} (run ${event.runId})`;
      this.setStatus("running", text);
      this.announcer.say(`${text}, ${event.steps.length} step${event.steps.length === 1 ? "" : "s"}`);
      for (const step of event.steps) {
        this.titles.set(step.id, step.title);
        const item = document.createElement("li");
        item.dataset.step = step.id;
        item.dataset.title = step.title;
        this.progress.append(item);
        this.mark(step.id, "pending", "");
      }
    },
    "step-start": (event) => {
      this.mark(event.step, "running", "");
      this.announcer.say(
        `Step ${event.index + 1} of ${event.total} started: ${this.titles.get(event.step) ?? event.step}`,
      );
    },
    output: (event) => this.line(event.line, event.stream),
    table: (event) => {
      this.firstOutput();
      this.log.append(tableElement(event));
      this.log.scrollTop = this.log.scrollHeight;
      this.announcer.say(
        `Table ${event.title}, ${event.rows.length} row${event.rows.length === 1 ? "" : "s"}`,
      );
    },
    "step-end": (event) => {
      const seconds = `${(event.durationMs / 1000).toFixed(1)} s`;
      this.mark(event.step, event.status, `${seconds}${event.planned ? ", planned" : ""}`);
      if (event.error) this.line(`${event.step}: ${event.error}`, "stderr");
      this.announcer.say(
        `Step ${this.titles.get(event.step) ?? event.step} ${event.planned ? "planned" : event.status} in ${seconds}`,
      );
    },
    "run-end": (event) => {
      const text = `Run ${event.runId} ${RESULT_WORDS[event.status]} in ${(event.durationMs / 1000).toFixed(1)} s${event.failedStep ? ` at step "${event.failedStep}"` : ""}`;
      this.setStatus(event.status, text);
      this.announcer.finish(text);
    },
  };

  line(text: string, stream: "stdout" | "stderr"): void {
    this.firstOutput();
    const span = document.createElement("span");
    span.className = `line ${stream}`;
    span.textContent = text;
    this.log.append(span, "\n");
    this.log.scrollTop = this.log.scrollHeight;
    this.announcer.line(stream);
  }

  private firstOutput(): void {
    if (this.sawOutput) return;
    this.sawOutput = true;
    this.panel.dataset.firstOutputMs = String(Math.round(performance.now() - this.clickedAt));
  }

  private mark(stepId: string, status: string, detail: string): void {
    const item = [...this.progress.children].find((li) => (li as HTMLElement).dataset.step === stepId) as
      | HTMLElement
      | undefined;
    if (!item) return;
    const title = item.dataset.title ?? stepId;
    item.dataset.status = status;
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = `${ICONS[status] ?? "•"} `;
    // The status in words, always: the icon and its colour are a second channel, never the only one.
    item.replaceChildren(icon, `${title} (${status}${detail ? `, ${detail}` : ""})`);
  }
}

/** A step's table as an HTML table: caption, column headers, numbers aligned right; text only. */
export function tableElement(data: TableData): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = "run-table-wrap";
  const table = document.createElement("table");
  table.className = "run-table";
  table.createCaption().textContent = data.title;
  const right = new Set(data.columns.filter((c) => alignsRight(data, c.key)).map((c) => c.key));
  const head = table.createTHead().insertRow();
  for (const column of data.columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column.label;
    if (right.has(column.key)) th.className = "num";
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of data.rows) {
    const tr = body.insertRow();
    for (const column of data.columns) {
      const td = tr.insertCell();
      td.textContent = cellText(row[column.key]);
      if (right.has(column.key)) td.className = "num";
    }
  }
  wrap.append(table);
  return wrap;
}
