// Compares the output a handbook page shows with the output a command really printed
// (`npm run docs:verify`, scripts/docs-verify.ts). The grammar is deliberately small: a shown line
// must equal the real line, except for these placeholders, each standing for what truly varies:
//
//   <time>    a date-time (2026-11-25T03:14:05.123Z, 2026-11-25 03:14:05+00), a clock time
//             (03:14:05), or a duration (12 ms, 0.4s, 3 min)
//   <n>       a number: 42, -1, 1,024, 0.25, 1.5e-3
//   <id>      one word of letters, digits, _ and - (a request id, a run id, a backup id)
//   <token>   one word of letters, digits and _ - . ~ + / = (a session token, a hash)
//   …         inside a line: any text, possibly none; alone on a line: any number of lines
//
// Before comparing, terminal colour codes are removed, trailing spaces are ignored on every line,
// and blank lines at the end are dropped, on both sides.

const PLACEHOLDERS: Record<string, string> = {
  "<time>": String.raw`(?:\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d(?::?\d\d)?)?)?|\d\d:\d\d(?::\d\d(?:\.\d+)?)?|\d+(?:\.\d+)?\s?(?:ms|s|min|h))`,
  "<n>": String.raw`-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?`,
  "<id>": "[A-Za-z0-9_-]+",
  "<token>": String.raw`[A-Za-z0-9_\-.~+/=]+`,
  "…": "[^]*?",
};

export const PLACEHOLDER_NAMES: readonly string[] = Object.keys(PLACEHOLDERS);

const PLACEHOLDER_SPLIT = /(<time>|<n>|<id>|<token>|…)/;

/** The line of shown output as an anchored regular expression. */
export function lineToRegExp(shown: string): RegExp {
  const source = shown
    .split(PLACEHOLDER_SPLIT)
    .map((part) => PLACEHOLDERS[part] ?? part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("");
  return new RegExp(`^${source}$`);
}

// Colour and cursor sequences (CSI … letter) and OSC sequences (ESC ] … BEL or ESC \).
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are control characters.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Lines as compared: colour codes removed, trailing spaces trimmed, trailing blank lines dropped. */
export function normalizeLines(text: string): string[] {
  const lines = text
    .replace(ANSI, "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export type MatchResult =
  | { ok: true }
  | {
      ok: false;
      /** Index into the shown lines of the first line that could not be matched (may equal their count: output missing). */
      shownIndex: number;
      /** What the page shows there (null when the page shows no more lines). */
      shown: string | null;
      /** What the command printed at that point (null when it printed no more lines). */
      actual: string | null;
    };

/**
 * Matches shown output against real output, line by line; a line that is only `…` matches any
 * number of real lines. On a mismatch, reports the furthest point the match reached, which is
 * where a reader comparing the two would see the difference.
 */
export function matchOutput(shownText: string, actualText: string): MatchResult {
  const shown = normalizeLines(shownText);
  const actual = normalizeLines(actualText);
  const patterns = shown.map((line) => (line === "…" ? null : lineToRegExp(line)));
  let furthest = { shownIndex: 0, actualIndex: 0 };
  const failed = new Set<string>();

  const match = (s: number, a: number): boolean => {
    const key = `${s}:${a}`;
    if (failed.has(key)) return false;
    if (s > furthest.shownIndex || (s === furthest.shownIndex && a > furthest.actualIndex)) {
      furthest = { shownIndex: s, actualIndex: a };
    }
    let result: boolean;
    if (s === patterns.length) {
      result = a === actual.length;
    } else {
      const pattern = patterns[s];
      if (pattern === null || pattern === undefined) {
        result = false;
        for (let next = a; next <= actual.length && !result; next += 1) result = match(s + 1, next);
      } else {
        result = a < actual.length && pattern.test(actual[a] ?? "") && match(s + 1, a + 1);
      }
    }
    if (!result) failed.add(key);
    return result;
  };

  if (match(0, 0)) return { ok: true };
  return {
    ok: false,
    shownIndex: furthest.shownIndex,
    shown: shown[furthest.shownIndex] ?? null,
    actual: actual[furthest.actualIndex] ?? null,
  };
}
