// Step output is shown as text in a browser, cleaned by the engine's one function (the CLI uses it
// too): escape sequences removed, other control characters shown as U+FFFD, bidi controls named.

import type { RunEvent } from "../runbooks/engine/events.ts";
import { terminalText } from "../runbooks/engine/terminal-text.ts";

export { MAX_LINE, terminalText } from "../runbooks/engine/terminal-text.ts";

/** A run event as the page may show it: output lines and table text through terminalText. */
export function forPage(event: RunEvent): RunEvent {
  if (event.type === "output") return { ...event, line: terminalText(event.line) };
  if (event.type === "table")
    return {
      ...event,
      title: terminalText(event.title),
      columns: event.columns.map((c) => ({ ...c, label: terminalText(c.label) })),
      rows: event.rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, cell]) => [
            key,
            typeof cell === "string" ? terminalText(cell) : cell,
          ]),
        ),
      ),
    };
  return event;
}
