import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MANUAL_PROCEDURES } from "../policy/index.ts";

// "Every procedure is a runbook", kept true (issue 16). Lists every procedure in the guides, a
// `<Steps>` block, a numbered list outside one, and each Troubleshooting entry with a **Fix.**,
// and sorts it by what its section holds (from the heading above it to the next heading of the
// same or a higher level, and the introductions of the sections it is part of):
//
//   runbook      the section embeds a runbook: <Runbook id="…" />, or links to the section of a
//                page that embeds it, the link's text being the runbook id in code:
//                [`restore`](/operational-runbook/backup-and-restore/#restore-the-database-from-a-backup)
//                (the target page must embed <Runbook id="restore" />; the build checks the anchor)
//   manual       the section shows <ManualProcedure id="…" /> with an id of policy's
//                MANUAL_PROCEDURES (the page renders its reason)
//   description  a numbered list that describes rather than instructs, marked in the page source
//                right above it with {/* not-a-procedure: <why> */}
//   unmarked     none of these: the check fails
//
// `node scripts/procedure-coverage.ts` prints the counts and every unmarked procedure, and exits 1
// when there is one; scripts/procedure-coverage.test.ts runs the same check.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DOCS_DIR = path.join(ROOT, "src", "content", "docs");
const TROUBLESHOOTING = "operational-runbook/troubleshooting.mdx";

export type Coverage = "runbook" | "manual" | "description" | "unmarked";

export interface Procedure {
  page: string;
  line: number;
  kind: "steps" | "numbered" | "troubleshooting-entry";
  heading: string;
  coverage: Coverage;
  /** The runbook ids embedded, the manual id, or the description's reason. */
  by: string[];
}

export interface ManualMarkerProblem {
  page: string;
  line: number;
  id: string;
}

interface Section {
  heading: string;
  level: number;
  start: number;
  end: number;
}

const HEADING = /^#{2,4} /;
const NUMBERED = /^\d+\. /;
const FENCE = /^\s*```/;
const NOT_A_PROCEDURE = /^\s*\{\/\*\s*not-a-procedure:\s*(.+?)\s*\*\/\}\s*$/;

/** The procedures of one page, classified. */
export function proceduresOf(
  page: string,
  text: string,
  pageText: (page: string) => string | undefined = () => undefined,
): { procedures: Procedure[]; problems: ManualMarkerProblem[] } {
  const lines = text.split("\n");
  const code = new Array<boolean>(lines.length).fill(false);
  let fenced = false;
  for (const [i, line] of lines.entries()) {
    if (FENCE.test(line)) {
      code[i] = true;
      fenced = !fenced;
    } else code[i] = fenced;
  }
  // A section runs from its heading to the next heading of the same or a higher level, so it
  // includes its subsections; a procedure is covered by what its own section or one it is part of
  // holds (a runbook embedded under "## Restore" covers the steps under "### The database is lost").
  const sections: Section[] = [{ heading: "(top of the page)", level: 1, start: 0, end: lines.length }];
  for (const [i, line] of lines.entries()) {
    if (code[i] || !HEADING.test(line)) continue;
    const level = (/^#+/.exec(line)?.[0] ?? "").length;
    for (const open of sections)
      if (open.end === lines.length && open.level >= level && open.start < i) open.end = i;
    sections.push({ heading: line.replace(/^#+ /, ""), level, start: i, end: lines.length });
  }
  /** The sections containing line i, innermost first. */
  const sectionsAt = (i: number): Section[] => {
    const around = sections.filter((s) => i >= s.start && i < s.end).sort((a, b) => b.start - a.start);
    // The page as a whole is a section only for what comes before its first heading.
    return around.length > 1 ? around.filter((s) => s.level > 1) : around;
  };

  const problems: ManualMarkerProblem[] = [];
  const classify = (i: number, kind: Procedure["kind"], description: string | null): Procedure => {
    const around = sectionsAt(i);
    const section = around[0] as Section;
    // The procedure's own section whole; of the sections around it, only their introduction (up to
    // their first subsection), so a sibling subsection's runbook covers nothing here.
    const body = around
      .map((s, k) => {
        const end = k === 0 ? s.end : (sections.find((x) => x.start > s.start)?.start ?? s.end);
        return lines
          .slice(s.start, end)
          .filter((_, j) => !code[s.start + j])
          .join("\n");
      })
      .join("\n");
    const runbooks = [...body.matchAll(/<Runbook\s+id="([a-z0-9-]+)"/g)].map((m) => m[1] as string);
    const manual = [...body.matchAll(/<ManualProcedure\s+id="([a-z0-9-]+)"/g)].map((m) => m[1] as string);
    const base = { page, line: i + 1, kind, heading: section.heading };
    for (const m of body.matchAll(/\[`([a-z0-9-]+)`\]\(([^)\s]*)\)/g)) {
      const id = m[1] as string;
      const target = targetPage(page, m[2] as string);
      const targetText = target === page ? text : target === null ? undefined : pageText(target);
      if (targetText?.includes(`<Runbook id="${id}"`)) runbooks.push(id);
    }
    if (runbooks.length > 0) return { ...base, coverage: "runbook", by: [...new Set(runbooks)] };
    const known = [...new Set(manual.filter((id) => id in MANUAL_PROCEDURES))];
    if (known.length > 0) return { ...base, coverage: "manual", by: known };
    if (description) return { ...base, coverage: "description", by: [description] };
    return { ...base, coverage: "unmarked", by: [] };
  };

  for (const [i, line] of lines.entries()) {
    if (code[i]) continue;
    for (const m of line.matchAll(/<ManualProcedure\s+id="([a-z0-9-]+)"/g))
      if (!((m[1] as string) in MANUAL_PROCEDURES)) problems.push({ page, line: i + 1, id: m[1] as string });
  }

  const procedures: Procedure[] = [];
  let inSteps = false;
  for (const [i, line] of lines.entries()) {
    if (code[i]) continue;
    if (/^\s*<Steps>/.test(line)) {
      inSteps = true;
      procedures.push(classify(i, "steps", descriptionAbove(lines, i)));
      continue;
    }
    if (/^\s*<\/Steps>/.test(line)) {
      inSteps = false;
      continue;
    }
    const previous = lines[i - 1] ?? "";
    const startsList = NUMBERED.test(line) && !NUMBERED.test(previous) && !/^\s+\S/.test(previous);
    if (!inSteps && startsList && !listContinues(lines, i)) {
      procedures.push(classify(i, "numbered", descriptionAbove(lines, i)));
    }
  }
  if (page === TROUBLESHOOTING) {
    for (const section of sections) {
      if (section.level !== 2) continue;
      const body = lines.slice(section.start, section.end).join("\n");
      if (body.includes("**Fix.**")) procedures.push(classify(section.start, "troubleshooting-entry", null));
    }
  }
  return { procedures, problems };
}

// The reason of a not-a-procedure marker on the line above i (blank lines skipped), or null.
function descriptionAbove(lines: string[], i: number): string | null {
  let j = i - 1;
  while (j >= 0 && (lines[j] ?? "").trim() === "") j--;
  return NOT_A_PROCEDURE.exec(lines[j] ?? "")?.[1] ?? null;
}

/** The page file a link points at ("#x" → this page; "/a/b/#x" → a/b.mdx or a/b/index.mdx), or null. */
export function targetPage(page: string, href: string): string | null {
  if (href.startsWith("#")) return page;
  if (!href.startsWith("/")) return null;
  const slug = href.replace(/#.*$/, "").replace(/^\/|\/$/g, "");
  return slug === "" ? "index.mdx" : `${slug}.mdx|${slug}/index.mdx`;
}

/** True when line i continues a list that began above it (an item after an indented paragraph). */
function listContinues(lines: string[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j] ?? "";
    if (l.trim() === "" || /^\s+\S/.test(l)) continue;
    return NUMBERED.test(l);
  }
  return false;
}

export async function guidePages(dir = DOCS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith(".mdx") || f.endsWith(".md")).sort();
}

export async function coverage(
  dir = DOCS_DIR,
): Promise<{ procedures: Procedure[]; problems: ManualMarkerProblem[] }> {
  const procedures: Procedure[] = [];
  const problems: ManualMarkerProblem[] = [];
  const pages = await guidePages(dir);
  const texts = new Map<string, string>();
  for (const page of pages) texts.set(page, await readFile(path.join(dir, page), "utf8"));
  const pageText = (target: string) =>
    target
      .split("|")
      .map((t) => texts.get(t))
      .find((t) => t !== undefined);
  for (const page of pages) {
    const result = proceduresOf(page, texts.get(page) ?? "", pageText);
    procedures.push(...result.procedures);
    problems.push(...result.problems);
  }
  return { procedures, problems };
}

export function counts(procedures: Procedure[]): Record<Coverage | "total", number> {
  const out = { total: procedures.length, runbook: 0, manual: 0, description: 0, unmarked: 0 };
  for (const p of procedures) out[p.coverage] += 1;
  return out;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { procedures, problems } = await coverage();
  const c = counts(procedures);
  if (argv.includes("--list"))
    for (const p of procedures)
      console.log(
        `${p.coverage.padEnd(11)} ${p.page}:${p.line} [${p.kind}] ${p.heading} ${p.by.length ? `(${p.by.join(", ")})` : ""}`,
      );
  for (const p of procedures.filter((x) => x.coverage === "unmarked"))
    console.log(
      `unmarked: ${p.page}:${p.line} [${p.kind}] "${p.heading}": embed the runbook that does it (<Runbook id="…" />), or add it to MANUAL_PROCEDURES in policy/index.ts with its reason and show <ManualProcedure id="…" /> there`,
    );
  for (const p of problems)
    console.log(
      `unknown manual procedure: ${p.page}:${p.line} <ManualProcedure id="${p.id}" />: add it to MANUAL_PROCEDURES or fix the id`,
    );
  console.log(
    `procedures: ${c.total}; embedding a runbook: ${c.runbook}; manual (policy list): ${c.manual}; descriptions: ${c.description}; unmarked: ${c.unmarked}`,
  );
  return c.unmarked === 0 && problems.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
