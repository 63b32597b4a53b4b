// Step output is shown as text in a browser. Terminal escape sequences (colours, cursor moves,
// OSC 8 hyperlinks, window titles) mean nothing there and could disguise what a line says, so they
// are removed, and any other control character becomes visible as U+FFFD.

import type { RunEvent } from "../runbooks/engine/events.ts";

// Built from strings so the control characters are spelled out as escapes.
const ESC = "\\x1b";
const ESCAPES = new RegExp(
  [
    `${ESC}\\[[0-?]*[ -/]*[@-~]`, // CSI: colours, cursor movement
    `${ESC}\\][^\\x07\\x1b]*(?:\\x07|${ESC}\\\\)?`, // OSC: titles, hyperlinks
    `${ESC}[PX^_][^\\x1b]*(?:${ESC}\\\\)?`, // DCS, SOS, PM, APC strings
    `${ESC}[ -/]*[0-~]`, // two-character escapes
    "\\x9b[0-?]*[ -/]*[@-~]", // 8-bit CSI
  ].join("|"),
  "g",
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** Longest line the console forwards; the rest is cut with a note (a runaway step stays readable). */
export const MAX_LINE = 16_384;

export function terminalText(line: string): string {
  // A progress bar redraws with \r: what a terminal would end up showing is the last segment.
  const lastSegment = line.replace(/\r+$/, "").split("\r").at(-1) ?? "";
  const clean = lastSegment.replace(ESCAPES, "").replace(CONTROLS, "\uFFFD");
  return clean.length > MAX_LINE
    ? `${clean.slice(0, MAX_LINE)}… [${clean.length - MAX_LINE} characters cut]`
    : clean;
}

/** A run event as the page may show it: output lines through terminalText. */
export function forPage(event: RunEvent): RunEvent {
  return event.type === "output" ? { ...event, line: terminalText(event.line) } : event;
}
