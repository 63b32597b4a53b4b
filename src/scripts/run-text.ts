import { type EventFormatters, type RunEvent, renderEvent, tableLines } from "../../console/protocol.ts";

// A recorded run as plain text, for the run history's output box: the same events the live view
// draws, one line each (null: the kind has no line of its own).

const LINES: EventFormatters<string | null> = {
  "run-start": (e) =>
    `${e.plan ? "Plan of" : "Run of"} ${e.title} in ${e.env} by ${e.actor} (run ${e.runId}${e.resumedFrom ? `, resuming ${e.resumedFrom}` : ""})`,
  "step-start": (e) => `▶ ${e.step} (${e.index + 1}/${e.total}, ${e.danger})`,
  output: (e) => `${e.stream === "stderr" ? "! " : "  "}${e.line}`,
  table: (e) =>
    tableLines(e)
      .map((line) => `  ${line}`)
      .join("\n"),
  "step-end": (e) => `— ${e.step}: ${e.status}${e.error ? ` (${e.error})` : ""}`,
  "run-end": (e) =>
    `Run ${e.status} in ${(e.durationMs / 1000).toFixed(1)} s${e.failedStep ? ` at step "${e.failedStep}"` : ""}`,
};

export function runAsText(events: readonly RunEvent[]): string {
  return events
    .map((event) => renderEvent(LINES, event))
    .filter((line): line is string => line !== null)
    .join("\n");
}
