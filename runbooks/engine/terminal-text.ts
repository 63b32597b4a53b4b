// Text a step printed (commit subjects, database rows, third-party tools) is shown to an operator:
// in a terminal by the CLI, in a browser by the console. Terminal escape sequences in it could
// write the clipboard (OSC 52), clear the screen, retitle the window or disguise what a line says,
// so they are removed; any other control character is shown as U+FFFD, so a newline inside a value
// cannot forge a line of the run's framing; bidirectional overrides and isolates (U+202E…) are
// shown by name, so text cannot read backwards. The CLI and the console use this one function.

// Built from strings so the control characters are spelled out as escapes.
const ESC = "\\x1b";
const ESCAPES = new RegExp(
  [
    `${ESC}\\[[0-?]*[ -/]*[@-~]`, // CSI: colours, cursor movement, screen clears
    `${ESC}\\][^\\x07\\x1b]*(?:\\x07|${ESC}\\\\)?`, // OSC: titles, hyperlinks, clipboard writes
    `${ESC}[PX^_][^\\x1b]*(?:${ESC}\\\\)?`, // DCS, SOS, PM, APC strings
    `${ESC}[ -/]*[0-~]`, // two-character escapes
    "\\x9b[0-?]*[ -/]*[@-~]", // 8-bit CSI
    "\\x9d[^\\x07\\x9c]*(?:\\x07|\\x9c)?", // 8-bit OSC
  ].join("|"),
  "g",
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/** Bidirectional embeddings, overrides, isolates and marks that reorder what the eye reads. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Longest line shown; the rest is cut with a note (a runaway step stays readable). */
export const MAX_LINE = 16_384;

/** One line of output as it may be shown: no escapes, controls as U+FFFD, bidi controls named. */
export function terminalText(line: string): string {
  // A progress bar redraws with \r: what a terminal would end up showing is the last segment.
  const lastSegment = line.replace(/\r+$/, "").split("\r").at(-1) ?? "";
  const clean = lastSegment
    .replace(ESCAPES, "")
    .replace(CONTROLS, "\uFFFD")
    .replace(BIDI, (c) => `<U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}>`);
  return clean.length > MAX_LINE
    ? `${clean.slice(0, MAX_LINE)}… [${clean.length - MAX_LINE} characters cut]`
    : clean;
}

/** A multi-line value (a step's error with a command's stderr tail): each line cleaned on its own. */
export function terminalLines(text: string): string[] {
  return text.split("\n").map(terminalText);
}
