import { terminalText } from "./terminal-text.ts";

// A step's table (rows of records with named columns), as a step hands it to `ctx.table()` and as
// the `table` event carries it. The CLI prints it aligned, the run history prints it as text and
// the page draws an HTML table from the same event. Pure: the page bundles it.

export type TableCell = string | number | boolean | null;

export interface TableColumn {
  /** The record's key. */
  key: string;
  /** The header; the key when omitted. */
  label?: string;
  /** Numbers are right-aligned unless the column says otherwise. */
  align?: "left" | "right";
}

export interface TableData {
  title: string;
  columns: Array<Required<Pick<TableColumn, "key" | "label">> & Pick<TableColumn, "align">>;
  rows: Array<Record<string, TableCell>>;
}

export interface TableInput {
  title: string;
  columns: ReadonlyArray<string | TableColumn>;
  /** Records; keys not in `columns` are left out. */
  rows: ReadonlyArray<object>;
}

/** More rows than this are cut, with a last row saying how many: a table is for reading. */
export const MAX_TABLE_ROWS = 1_000;
/** A column is never squeezed narrower than this (or its header, if shorter) to fit a terminal. */
export const MIN_COLUMN_WIDTH = 6;

export class TableError extends Error {
  constructor(message: string) {
    super(`ctx.table: ${message}`);
    this.name = "TableError";
  }
}

/** Checks what a step passed and keeps only the declared columns, as plain cells. */
export function tableData(input: TableInput): TableData {
  if (!input.title.trim()) throw new TableError("a table needs a title (it becomes its caption)");
  if (input.columns.length === 0) throw new TableError(`table "${input.title}" has no columns`);
  const columns = input.columns.map((column) => {
    const c = typeof column === "string" ? { key: column } : column;
    return { key: c.key, label: c.label ?? c.key, ...(c.align ? { align: c.align } : {}) };
  });
  const keys = columns.map((c) => c.key);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated) throw new TableError(`table "${input.title}" has the column "${repeated}" twice`);
  const rows = input.rows
    .slice(0, MAX_TABLE_ROWS)
    .map((row) =>
      Object.fromEntries(columns.map((c) => [c.key, cellOf((row as Record<string, unknown>)[c.key])])),
    );
  const cut = input.rows.length - rows.length;
  if (cut > 0) {
    const first = columns[0]?.key as string;
    rows.push({ [first]: `… ${cut} more rows not shown` });
  }
  return { title: input.title, columns, rows };
}

function cellOf(value: unknown): TableCell {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** A cell as text: empty for null, cleaned of escapes and controls. */
export function cellText(cell: TableCell | undefined): string {
  if (cell === null || cell === undefined) return "";
  return terminalText(String(cell));
}

/** Right-aligned: the column says so, or every non-empty cell is a number. */
export function alignsRight(table: TableData, key: string): boolean {
  const column = table.columns.find((c) => c.key === key);
  if (column?.align) return column.align === "right";
  const cells = table.rows.map((row) => row[key]).filter((cell) => cell !== null && cell !== undefined);
  return cells.length > 0 && cells.every((cell) => typeof cell === "number");
}

export interface TableLayout {
  /** The width to fit in, in characters; undefined: no limit (a file, a pipe). */
  width?: number;
  /** Bold header (ANSI); only where a terminal will interpret it. */
  ansi?: boolean;
}

const BOLD = "\u001b[1m";
const RESET = "\u001b[0m";
const GAP = "  ";

/**
 * The table as aligned lines: the title, the header, a rule and one line per row. Columns that do
 * not fit the width are narrowed, the widest first, and their cells cut with "…".
 */
export function tableLines(table: TableData, layout: TableLayout = {}): string[] {
  const text = table.rows.map((row) => table.columns.map((c) => cellText(row[c.key])));
  const headers = table.columns.map((c) => cellText(c.label));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((cells) => (cells[i] as string).length)),
  );
  if (layout.width !== undefined) fitColumns(widths, headers, layout.width);
  const right = table.columns.map((c) => alignsRight(table, c.key));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] as number;
        const shown = cut(cell, width);
        return right[i] ? shown.padStart(width) : shown.padEnd(width);
      })
      .join(GAP)
      .trimEnd();
  const header = line(headers);
  return [
    cut(table.title, layout.width ?? Number.POSITIVE_INFINITY),
    layout.ansi ? `${BOLD}${header}${RESET}` : header,
    widths.map((w) => "─".repeat(w)).join(GAP),
    ...text.map(line),
  ];
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Narrows the widest columns until the row fits, never below MIN_COLUMN_WIDTH (or the header). */
function fitColumns(widths: number[], headers: string[], width: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  const floor = (i: number) =>
    Math.min(widths[i] as number, Math.max(MIN_COLUMN_WIDTH, Math.min((headers[i] as string).length, 12)));
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (
        (widths[i] as number) > floor(i) &&
        (widest < 0 || (widths[i] as number) > (widths[widest] as number))
      )
        widest = i;
    if (widest < 0) return; // every column is at its floor: the terminal wraps what is left
    widths[widest] = (widths[widest] as number) - 1;
  }
}
