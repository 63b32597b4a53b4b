import {
  API,
  CONSOLE_MARKER,
  describeRow,
  type ExercisedResponse,
  type ExerciseRun,
  exerciseTable,
} from "../../console/protocol.ts";
import { getJson } from "./console-api.ts";

// The "Last exercised" line of every embedded runbook, judged with the reader's clock: a page built
// weeks ago still turns a drill stale on the day it falls due. Served by the console, the runs come
// from its audit log (GET /api/exercised); on a static copy, from CI's record the build embedded.

const LABEL = { fresh: "fresh", stale: "stale", never: "never" } as const;

/** Where the runs came from: the console's audit log, or CI's record embedded at build time. */
interface Source {
  kind: "console" | "ci";
  text: string;
}

function render(box: HTMLElement, lastRuns: readonly ExerciseRun[], source: Source): void {
  const id = box.dataset.exerciseRunbook ?? "";
  const rows = exerciseTable({
    runbooks: [id],
    lastRuns: lastRuns.filter((run) => run.runbook === id),
    now: new Date(),
  });
  const list = document.createElement("ul");
  list.className = "exercised-list";
  for (const row of rows) {
    const item = document.createElement("li");
    item.dataset.env = row.env ?? "";
    item.dataset.state = row.state;
    item.dataset.required = row.requirement ? "yes" : "no";
    if (row.requirement) {
      const state = document.createElement("span");
      state.className = "exercised-state";
      state.textContent = LABEL[row.state];
      item.append(state, " ");
    }
    if (row.env) {
      const env = document.createElement("strong");
      env.textContent = row.env;
      item.append(env, ": ");
    }
    item.append(describeRow(row));
    list.append(item);
  }
  box.querySelector(".exercised-list, .exercised-none")?.remove();
  box.append(list);
  const head = box.querySelector(".exercised-source");
  if (head) head.textContent = source.text;
  box.dataset.exerciseSource = source.kind;
}

async function main(): Promise<void> {
  const boxes = [...document.querySelectorAll<HTMLElement>(".exercised[data-exercise-runbook]")];
  if (boxes.length === 0) return;
  if (document.querySelector(CONSOLE_MARKER)) {
    try {
      const { lastRuns } = await getJson<ExercisedResponse>(API.exercised);
      for (const box of boxes) render(box, lastRuns, { kind: "console", text: "(this console's audit log)" });
      return;
    } catch {
      // Signed out or unreachable: the sign-in notice says so; CI's record below still stands.
    }
  }
  for (const box of boxes) {
    if (box.dataset.exerciseRuns === undefined) continue;
    const runs = JSON.parse(box.dataset.exerciseRuns) as ExerciseRun[];
    render(box, runs, {
      kind: "ci",
      text: `(CI's record of ${(box.dataset.exerciseAsOf ?? "").slice(0, 10)})`,
    });
  }
}

void main();
