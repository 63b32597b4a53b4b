// Step output is shown as text in a browser, cleaned by the engine's one function (the CLI uses it
// too): escape sequences removed, other control characters shown as U+FFFD, bidi controls named.

import type { RunEvent } from "../runbooks/engine/events.ts";
import { terminalText } from "../runbooks/engine/terminal-text.ts";

export { MAX_LINE, terminalText } from "../runbooks/engine/terminal-text.ts";

/** A run event as the page may show it: output lines through terminalText. */
export function forPage(event: RunEvent): RunEvent {
  return event.type === "output" ? { ...event, line: terminalText(event.line) } : event;
}
