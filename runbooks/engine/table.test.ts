import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./cli.ts";
import type { RunEvent } from "./events.ts";
import { MAX_TABLE_ROWS, TableError, tableData, tableLines } from "./table.ts";

// Tables a step emits with ctx.table(): checked and normalised, aligned for a terminal (fitted to
// its width, escapes only where it is one), kept as data by --json and masked like any output.

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const ESC = "\u001b";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-table-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sizes = tableData({
  title: "Sizes",
  columns: ["name", { key: "bytes", label: "size" }, { key: "kind", align: "right" }],
  rows: [
    { name: "learners", bytes: 8192, kind: "heap", extra: "dropped" },
    { name: "reviews_by_day", bytes: 123, kind: null },
  ],
});

describe("tableData", () => {
  it("keeps the declared columns in order, labels default to keys, undefined cells become null", () => {
    expect(sizes.columns).toEqual([
      { key: "name", label: "name" },
      { key: "bytes", label: "size" },
      { key: "kind", label: "kind", align: "right" },
    ]);
    expect(sizes.rows).toEqual([
      { name: "learners", bytes: 8192, kind: "heap" },
      { name: "reviews_by_day", bytes: 123, kind: null },
    ]);
  });

  it.each([
    ["no title", { title: " ", columns: ["a"], rows: [] }, "a table needs a title"],
    ["no columns", { title: "T", columns: [], rows: [] }, 'table "T" has no columns'],
    ["a column twice", { title: "T", columns: ["a", { key: "a" }], rows: [] }, 'the column "a" twice'],
  ])("refuses %s with a message naming it", (_rule, input, message) => {
    expect(() => tableData(input)).toThrow(TableError);
    expect(() => tableData(input)).toThrow(message);
  });

  it("cuts more than MAX_TABLE_ROWS rows and says how many were left out", () => {
    const rows = Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i) => ({ n: i }));
    const table = tableData({ title: "Many", columns: ["n"], rows });
    expect(table.rows).toHaveLength(MAX_TABLE_ROWS + 1);
    expect(table.rows.at(-1)).toEqual({ n: "… 5 more rows not shown" });
  });
});

describe("tableLines", () => {
  it("aligns columns: text left, numbers right, a rule under the header, no escapes", () => {
    expect(tableLines(sizes)).toEqual([
      "Sizes",
      "name            size  kind",
      "──────────────  ────  ────",
      "learners        8192  heap",
      "reviews_by_day   123",
    ]);
  });

  it("fits a narrow width by cutting the widest column with an ellipsis, down to a floor", () => {
    const lines = tableLines(sizes, { width: 20 });
    for (const line of lines.slice(1)) expect(line.length).toBeLessThanOrEqual(20);
    expect(lines[3]).toBe("learners  8192  heap");
    expect(lines[4]).toBe("reviews…   123");
    // Narrower than the floors allow: columns stop shrinking and the terminal wraps the rest.
    const tight = tableLines(sizes, { width: 5 });
    expect(tight[3]).toBe("learn…  8192  heap");
  });

  it("writes a bold header only for a terminal", () => {
    expect(tableLines(sizes, { width: 80, ansi: true })[1]).toBe(
      `${ESC}[1mname            size  kind${ESC}[0m`,
    );
    expect(tableLines(sizes, { width: 80 }).join("\n")).not.toContain(ESC);
  });
});

describe("a table through the CLI", () => {
  const cli = async (args: string[], width?: number) => {
    let stdout = "";
    const code = await main(["table-demo", ...args], {
      out: (text) => {
        stdout += text;
      },
      err: () => undefined,
      env: {
        ...process.env,
        RUNBOOK_DATA_DIR: dir,
        SSP_DEV_DATABASE_URL: "postgres://ops@127.0.0.1:5432/nowhere",
        SSP_DEV_REDIS_URL: "",
        SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
      },
      runbooksDir: FIXTURES,
      ...(width ? { width } : {}),
    });
    return { code, stdout };
  };

  it("prints it aligned between the step's lines, masked and escape-free in a pipe", async () => {
    const { code, stdout } = await cli([]);
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    expect(stdout).not.toContain("tok-table-secret-42");
    const lines = stdout.split("\n");
    const at = lines.indexOf("  │ before the table");
    expect(lines.slice(at, at + 7)).toEqual([
      "  │ before the table",
      "  │ Tables by size",
      "  │ table       rows  note",
      `  │ ────────  ──────  ${"─".repeat(57)}`,
      "  │ learners      12  fine",
      "  │ reviews   123456  token *** red",
      "  │ sessions          a very long note that a narrow terminal cannot show whole",
    ]);
    expect(lines[at + 7]).toBe("  │ after the table");
  });

  it("fits it to a terminal's width", async () => {
    const { stdout } = await cli([], 40);
    const row = stdout.split("\n").find((line) => line.includes("sessions"));
    expect(row).toBe("  │ sessions          a very long note …");
    expect(stdout).toContain(`${ESC}[1mtable       rows  note`);
  });

  it("keeps it as data with --json, masked, and stores it in the run's log", async () => {
    const { stdout } = await cli(["--json"]);
    const events = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as RunEvent);
    const table = events.find((e) => e.type === "table");
    expect(table).toMatchObject({
      type: "table",
      step: "report",
      title: "Tables by size",
      columns: [
        { key: "name", label: "table" },
        { key: "rows", label: "rows" },
        { key: "note", label: "note" },
      ],
    });
    expect(table?.type === "table" && table.rows[1]).toEqual({
      name: "reviews",
      rows: 123456,
      note: `token *** ${ESC}[31mred${ESC}[0m`,
    });
    const stored = await readFile(path.join(dir, "runs", `${table?.runId}.events.jsonl`), "utf8");
    expect(stored).toContain('"type":"table"');
    expect(stored).not.toContain("tok-table-secret-42");
  });
});
