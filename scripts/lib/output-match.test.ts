import { describe, expect, it } from "vitest";
import { type Block, commandsOf, extractBlocks, withoutComments } from "./doc-blocks.ts";
import { matchOutput, normalizeLines } from "./output-match.ts";

// Each row names the rule of the placeholder grammar it checks (scripts/README.md, "docs:verify").
describe("matchOutput: shown output against real output", () => {
  const rows: Array<{ rule: string; shown: string; actual: string; ok: boolean }> = [
    { rule: "identical text matches", shown: "PONG", actual: "PONG", ok: true },
    { rule: "a changed word does not", shown: "PONG", actual: "PANG", ok: false },
    { rule: "a missing line does not", shown: "a\nb", actual: "a", ok: false },
    { rule: "an extra line does not", shown: "a", actual: "a\nb", ok: false },
    { rule: "trailing spaces are ignored", shown: "ok", actual: "ok   \n\n", ok: true },
    { rule: "colour codes are ignored", shown: "ok", actual: "\u001b[32mok\u001b[39m", ok: true },
    { rule: "regex characters in the page are literal", shown: "a.c (x)", actual: "abc (x)", ok: false },
    { rule: "<n> is an integer", shown: "redis_up <n>", actual: "redis_up 1", ok: true },
    { rule: "<n> is a decimal with separators", shown: "<n> MiB", actual: "1,024.5 MiB", ok: true },
    { rule: "<n> is not a word", shown: "redis_up <n>", actual: "redis_up one", ok: false },
    {
      rule: "<time> is an ISO date-time",
      shown: "at <time>",
      actual: "at 2026-11-25T03:14:05.123Z",
      ok: true,
    },
    {
      rule: "<time> is a PostgreSQL timestamp",
      shown: "<time>",
      actual: "2026-11-25 03:14:05.12+00",
      ok: true,
    },
    { rule: "<time> is a duration", shown: "took <time>", actual: "took 12.5 ms", ok: true },
    { rule: "<time> is not text", shown: "took <time>", actual: "took long", ok: false },
    { rule: "<id> is one word", shown: "run <id> done", actual: "run 20261125T0314Z-3fa1c2 done", ok: true },
    { rule: "<id> does not span spaces", shown: "run <id> done", actual: "run a b done", ok: false },
    { rule: "<token> allows base64", shown: "token <token>", actual: "token aB3+/x9=", ok: true },
    {
      rule: "… inside a line is any text",
      shown: "database: postgres://…",
      actual: "database: postgres://u@h/db",
      ok: true,
    },
    { rule: "… inside a line may be empty", shown: "a…b", actual: "ab", ok: true },
    { rule: "… alone matches no lines", shown: "a\n…\nb", actual: "a\nb", ok: true },
    { rule: "… alone matches many lines", shown: "a\n…\nb", actual: "a\nx\ny\nb", ok: true },
    { rule: "… alone still needs the lines around it", shown: "a\n…\nb", actual: "a\nx\nc", ok: false },
    { rule: "empty shown output needs empty output", shown: "", actual: "something", ok: false },
    { rule: "empty shown output matches nothing printed", shown: "", actual: "\n", ok: true },
  ];
  for (const row of rows) {
    it(`${row.rule}`, () => {
      expect(matchOutput(row.shown, row.actual).ok).toBe(row.ok);
    });
  }

  it("reports the first shown line that differs and what was printed there", () => {
    const result = matchOutput("head\nstatus: ok\ntail", "head\nstatus: degraded\ntail");
    expect(result).toEqual({ ok: false, shownIndex: 1, shown: "status: ok", actual: "status: degraded" });
  });

  it("reports missing output as null, not as an empty line", () => {
    const result = matchOutput("a\nb", "a");
    expect(result).toMatchObject({ ok: false, shownIndex: 1, shown: "b", actual: null });
  });

  it("normalizes CRLF and drops trailing blank lines only", () => {
    expect(normalizeLines("\r\na\r\n\r\n")).toEqual(["", "a"]);
  });
});

function block(text: string): Block {
  const [first] = extractBlocks(text);
  if (!first) throw new Error("no block in the fixture");
  return first;
}

describe("commandsOf: the commands of a block", () => {
  it("reads a transcript: commands after `$ `, their shown output below", () => {
    const commands = commandsOf(block("```sh verify\n$ echo a\na\n$ echo b; echo c\nb\nc\n```"));
    expect(commands.map((c) => [c.text, c.shown, c.line, c.shownLines])).toEqual([
      ["echo a", "a", 2, [3]],
      ["echo b; echo c", "b\nc", 4, [5, 6]],
    ]);
  });

  it("joins `> ` continuation lines, open quotes and trailing backslashes", () => {
    const commands = commandsOf(
      block(
        "```sh verify\n$ for i in 1 2; do\n>   echo $i\n> done\n1\n2\n$ echo 'x\ny' \\\n  z\nx\ny z\n```",
      ),
    );
    expect(commands.map((c) => c.text)).toEqual(["for i in 1 2; do\n  echo $i\ndone", "echo 'x\ny' \\\n  z"]);
    expect(commands.map((c) => c.shown)).toEqual(["1\n2", "x\ny z"]);
  });

  it("reads a commands-only block: every non-comment line is a command, no output shown", () => {
    const commands = commandsOf(
      block("   ```sh verify\n   # look\n   npm run db:migrate -- up\n\n   psql -c 'SELECT 1'\n   ```"),
    );
    expect(commands.map((c) => [c.text, c.shown])).toEqual([
      ["npm run db:migrate -- up", null],
      ["psql -c 'SELECT 1'", null],
    ]);
  });

  it("refuses a here-document, naming its line", () => {
    expect(() => commandsOf(block("```sh verify\npsql <<'SQL'\nSELECT 1;\nSQL\n```"))).toThrow(
      /here-document/,
    );
  });

  it("strips comments for the safety check but keeps # inside quotes", () => {
    expect(withoutComments(`grep '#x' f   # installed by npm ci`)).toBe(`grep '#x' f   `);
  });
});
