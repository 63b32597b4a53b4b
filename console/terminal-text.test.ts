import { describe, expect, it } from "vitest";
import { forPage, MAX_LINE, terminalText } from "./terminal-text.ts";

describe("terminalText", () => {
  it("removes colours, cursor moves, OSC titles and hyperlinks", () => {
    expect(terminalText("\u001b[1;31mFAILED\u001b[0m done")).toBe("FAILED done");
    expect(terminalText("\u001b]0;pwned title\u0007after")).toBe("after");
    expect(terminalText("\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\")).toBe("click");
    expect(terminalText("a\u001b[2Kb\u001b[1Ac")).toBe("abc");
    expect(terminalText("\u009b31mx")).toBe("x");
  });

  it("keeps what a terminal would show after carriage returns, and tabs", () => {
    expect(terminalText("10%\r50%\r100%")).toBe("100%");
    expect(terminalText("done\r")).toBe("done");
    expect(terminalText("a\tb")).toBe("a\tb");
  });

  it("shows other control characters instead of passing them on", () => {
    expect(terminalText("bell\u0007 nul\u0000 del\u007f")).toBe("bell\uFFFD nul\uFFFD del\uFFFD");
  });

  it("cuts runaway lines and says how much was cut", () => {
    const line = terminalText("x".repeat(MAX_LINE + 10));
    expect(line.startsWith("x".repeat(MAX_LINE))).toBe(true);
    expect(line.endsWith("… [10 characters cut]")).toBe(true);
  });
});

describe("forPage", () => {
  it("cleans a table's title, headers and text cells, and leaves numbers alone", () => {
    const event = forPage({
      type: "table",
      runId: "r",
      step: "s",
      at: "2026-12-07T00:00:00.000Z",
      title: "\u001b]0;title\u0007Sizes",
      columns: [
        { key: "name", label: "\u001b[1mname\u001b[0m" },
        { key: "n", label: "n" },
      ],
      rows: [{ name: "a\u202eb", n: 3 }],
    });
    expect(event).toMatchObject({
      title: "Sizes",
      columns: [
        { key: "name", label: "name" },
        { key: "n", label: "n" },
      ],
      rows: [{ name: "a<U+202E>b", n: 3 }],
    });
  });
});
