import { readdir } from "node:fs/promises";
import path from "node:path";

// What the page checks (hand-typed facts, glossary links) share: the pages of a folder, and a
// page's lines below its frontmatter, with the fenced blocks told apart from the rest.

/** Every .md/.mdx file under `dir`, sorted. */
export async function mdxPages(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await mdxPages(full)));
    else if (/\.mdx?$/.test(entry.name)) files.push(full);
  }
  return files.sort();
}

export interface BodyLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** Inside a fenced block: its opening marker and language; null outside one. */
  fence: { marker: string; lang: string; line: number } | null;
  /** The line opens or closes a fenced block. */
  fenceLine: boolean;
}

/** The lines of a Markdown/MDX page after its frontmatter, each marked with the fenced block it is in. */
export function bodyLines(source: string): BodyLine[] {
  const out: BodyLine[] = [];
  const lines = source.split("\n");
  let inFrontmatter = lines[0]?.trim() === "---";
  let fence: BodyLine["fence"] = null;
  for (const [i, text] of lines.entries()) {
    if (inFrontmatter) {
      if (i > 0 && text.trim() === "---") inFrontmatter = false;
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (fence) {
      if (open?.[1]?.startsWith(fence.marker) && text.trim() === open[1]) {
        out.push({ line: i + 1, text, fence, fenceLine: true });
        fence = null;
      } else out.push({ line: i + 1, text, fence, fenceLine: false });
      continue;
    }
    if (open) {
      fence = { marker: open[1] ?? "```", lang: open[2] ?? "", line: i + 1 };
      out.push({ line: i + 1, text, fence, fenceLine: true });
      continue;
    }
    out.push({ line: i + 1, text, fence: null, fenceLine: false });
  }
  return out;
}

/** The lines of a page outside its frontmatter and fenced blocks. */
export function unfencedLines(source: string): { line: number; text: string }[] {
  return bodyLines(source).filter((l) => l.fence === null);
}
