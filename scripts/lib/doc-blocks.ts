import { parseVerifyMarker, type VerifyMarker } from "../../src/lib/verify-marker.ts";

// The shell blocks of a guide page and the commands in them, as `npm run docs:verify` runs them.
//
// A block marked `verify` is written one of two ways:
//   - commands only: every command must exit 0 (its output is not shown, so it is not compared);
//   - a terminal transcript: lines starting with `$ ` are commands, the lines after each one up to
//     the next `$ ` are the output the page shows, compared with placeholders (output-match.ts).
//     The exit status is not checked: a page that claims one shows it (`…; echo "exit $?"`).
// A command continues on the next line after a trailing `\` or inside an open quote, and in a
// transcript on lines starting with `> ` (the shell's continuation prompt, as in a `for` loop).

export const SHELL_LANGS: ReadonlySet<string> = new Set(["sh", "bash", "shell", "console"]);

export interface Block {
  lang: string;
  meta: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Body lines (fence indentation removed), each with its 1-based line in the page. */
  body: Array<{ text: string; line: number }>;
}

export interface Command {
  /** The command as the page shows it (continuation lines joined with newlines). */
  text: string;
  line: number;
  /** The output the page shows, or null when the block shows none (commands-only form). */
  shown: string | null;
  /** Page line of each shown output line, for reporting a mismatch. */
  shownLines: number[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** Every fenced code block of a Markdown/MDX text. */
export function extractBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const fence = open[2] ?? "```";
    const info = (open[3] ?? "").trim();
    const lang = info.split(/\s+/)[0] ?? "";
    const meta = info.slice(lang.length).trim();
    const body: Block["body"] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const line = lines[j] ?? "";
      const close = line.trim();
      if (close.length >= fence.length && close === (fence[0] ?? "`").repeat(close.length)) break;
      body.push({
        text: line.startsWith(indent) ? line.slice(indent.length) : line.trimStart(),
        line: j + 1,
      });
    }
    blocks.push({ lang, meta, line: i + 1, body });
    i = j;
  }
  return blocks;
}

export function isShellBlock(block: Block): boolean {
  return SHELL_LANGS.has(block.lang);
}

export function markerOf(block: Block): VerifyMarker {
  return parseVerifyMarker(block.meta);
}

/** Where a shell comment starts in the text (outside quotes), or -1; and whether a quote stays open. */
function scan(text: string): { comment: number; openQuote: boolean } {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
    } else if (ch === "\\") {
      i += 1;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      // A comment runs to the end of the line; quotes in it do not count.
      const end = text.indexOf("\n", i);
      if (end < 0) return { comment: i, openQuote: false };
      const rest = scan(text.slice(end));
      return { comment: i, openQuote: rest.openQuote };
    }
  }
  return { comment: -1, openQuote: quote !== null };
}

/** Whether the text leaves a quote open or ends with a line continuation. */
function continues(text: string): boolean {
  return scan(text).openQuote || /\\$/.test(text);
}

/** The command without its comments (what the safety check reads). */
export function withoutComments(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const { comment } = scan(line);
      return comment < 0 ? line : line.slice(0, comment);
    })
    .join("\n");
}

export class BlockError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.name = "BlockError";
    this.line = line;
  }
}

/** The commands of a block, with the output it shows for each (transcript form). */
export function commandsOf(block: Block): Command[] {
  const transcript = block.body.some((l) => l.text.startsWith("$ "));
  const commands: Command[] = [];
  const lines = block.body;
  for (let i = 0; i < lines.length; i += 1) {
    const first = lines[i];
    if (!first) continue;
    let text: string;
    if (transcript) {
      if (!first.text.startsWith("$ ")) {
        if (commands.length === 0 && first.text.trim() !== "" && !first.text.trim().startsWith("#")) {
          throw new BlockError(
            first.line,
            "output before the first `$ ` command (only comments may come before it)",
          );
        }
        continue;
      }
      text = first.text.slice(2);
      // `$ # …`: a remark typed at the prompt, not a command; it prints nothing and is not counted.
      if (text.trim().startsWith("#")) {
        while (i + 1 < lines.length && !(lines[i + 1]?.text ?? "").startsWith("$ ")) {
          if ((lines[i + 1]?.text ?? "").trim() !== "") {
            throw new BlockError(lines[i + 1]?.line ?? first.line, "output after a `$ #` remark");
          }
          i += 1;
        }
        continue;
      }
    } else {
      if (first.text.trim() === "" || first.text.trim().startsWith("#")) continue;
      text = first.text;
    }
    if (/<<-?\s*['"]?\w+/.test(text)) {
      throw new BlockError(
        first.line,
        "a here-document cannot be verified; mark the block norun or drop verify",
      );
    }
    while (continues(text) || (transcript && (lines[i + 1]?.text ?? "").startsWith("> "))) {
      i += 1;
      const next = lines[i];
      if (!next) throw new BlockError(first.line, "the command never ends (an open quote or a trailing \\)");
      text += `\n${transcript && next.text.startsWith("> ") ? next.text.slice(2) : next.text}`;
    }
    const command: Command = { text, line: first.line, shown: null, shownLines: [] };
    if (transcript) {
      const shown: string[] = [];
      while (i + 1 < lines.length && !(lines[i + 1]?.text ?? "").startsWith("$ ")) {
        i += 1;
        const out = lines[i];
        if (out) {
          shown.push(out.text);
          command.shownLines.push(out.line);
        }
      }
      command.shown = shown.join("\n");
    }
    commands.push(command);
  }
  return commands;
}
