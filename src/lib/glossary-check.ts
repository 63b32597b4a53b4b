import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { GLOSSARY, GLOSSARY_PATH, type GlossaryTerm } from "./glossary.ts";
import { mdxPages, unfencedLines } from "./mdx-pages.ts";

// The glossary's build check: on every page, the first use of each defined term in the prose must
// link to the term's entry on /glossary/. astro.config.mjs runs this file before every build;
// `node src/lib/glossary-check.ts --fix` writes the missing links (the first use becomes
// `[term](/glossary/#id)`), for a new page or after a merge.
//
// What counts as prose: not frontmatter, fenced blocks, inline code, import/export lines, headings
// (a link in a heading is a link in the table of contents), JSX tags and their attributes, MDX
// expressions, or link targets. A use inside another link's text is skipped (links do not nest)
// and the next use is the one that must link.

export interface UnlinkedUse {
  line: number;
  term: string;
  id: string;
  /** The line as written, for the report. */
  text: string;
}

interface Span {
  start: number;
  end: number;
}

interface LinkSpan extends Span {
  href: string;
}

const GLOSSARY_PAGE = "glossary.mdx";
/** Pages the check leaves alone: the glossary itself, and the generated list of changes. */
const EXEMPT = new Set([GLOSSARY_PAGE, "what-changed.mdx"]);

/** Replaces a match with spaces of the same length, so positions in the result are positions in the line. */
function blank(text: string, re: RegExp): string {
  return text.replace(re, (m) => " ".repeat(m.length));
}

/** The line with everything that is not prose blanked out; positions stay those of the original. */
export function maskLine(text: string): string {
  let masked = blank(text, /(`+)(?!`)(.+?)(?<!`)\1(?!`)/g); // inline code
  masked = blank(masked, /\{\/\*.*?\*\/\}/g); // MDX comments
  masked = blank(masked, /<\/?[A-Za-z][^>]*>/g); // JSX / HTML tags with their attributes
  masked = blank(masked, /\{[^{}]*\}/g); // MDX expressions
  masked = blank(masked, /https?:\/\/\S+/g); // bare URLs
  return masked;
}

/** Markdown links on a masked line: the range of their text and their target. */
export function linksOf(masked: string, original: string): LinkSpan[] {
  const links: LinkSpan[] = [];
  for (const m of masked.matchAll(/\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g)) {
    const start = m.index ?? 0;
    const textEnd = start + 1 + (m[1]?.length ?? 0);
    // The target as written (masking may have blanked part of it, e.g. a URL).
    const hrefStart = textEnd + 2;
    const href = original.slice(hrefStart, start + m[0].length - 1).split(/\s/)[0] ?? "";
    links.push({ start: start + 1, end: textEnd, href });
  }
  return links;
}

/** Prose lines of a page: 1-based line number, the original text and its mask. */
export function proseOf(source: string): { line: number; text: string; masked: string }[] {
  const out: { line: number; text: string; masked: string }[] = [];
  let inJsxComment = false;
  for (const { line, text } of unfencedLines(source)) {
    if (inJsxComment) {
      if (text.includes("*/}")) inJsxComment = false;
      continue;
    }
    if (/^\s*\{\/\*/.test(text) && !text.includes("*/}")) {
      inJsxComment = true;
      continue;
    }
    if (/^(?:import|export)\s/.test(text)) continue;
    if (/^\s{0,3}#{1,6}\s/.test(text)) continue;
    // A JSX element's line, or an attribute of one written over several lines.
    if (/^\s*<\/?[A-Za-z]/.test(text) && !/^\s*<\/?[A-Za-z][^>]*>\s*\S/.test(text)) continue;
    if (/^\s*[A-Za-z-]+=["{]/.test(text)) continue;
    out.push({ line, text, masked: maskLine(text) });
  }
  return out;
}

function globalOf(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
}

function hrefOf(term: Pick<GlossaryTerm, "id">): string {
  return `${GLOSSARY_PATH}#${term.id}`;
}

interface FirstUse {
  line: number;
  start: number;
  end: number;
  linked: boolean;
}

/** Where a term is first used on a page outside another link, and whether that use links to the glossary. */
function firstUse(prose: ReturnType<typeof proseOf>, term: GlossaryTerm): FirstUse | null {
  const re = globalOf(term.match);
  for (const p of prose) {
    const links = linksOf(p.masked, p.text);
    // Link targets are not prose.
    let searchable = p.masked;
    for (const link of links) {
      const targetStart = link.end + 2;
      const targetEnd = p.masked.indexOf(")", targetStart);
      if (targetEnd > 0)
        searchable = `${searchable.slice(0, targetStart)}${" ".repeat(targetEnd - targetStart)}${searchable.slice(targetEnd)}`;
    }
    for (const m of searchable.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      const inLink = links.find((l) => start >= l.start && end <= l.end);
      if (!inLink) return { line: p.line, start, end, linked: false };
      if (inLink.href === hrefOf(term)) return { line: p.line, start, end, linked: true };
      // Inside another link: links do not nest, so the next use is the one that counts.
    }
  }
  return null;
}

/** The terms a page uses without linking their first use to the glossary. */
export function unlinkedTerms(source: string, terms: readonly GlossaryTerm[] = GLOSSARY): UnlinkedUse[] {
  const prose = proseOf(source);
  const found: UnlinkedUse[] = [];
  for (const term of terms) {
    const use = firstUse(prose, term);
    if (use && !use.linked) {
      found.push({
        line: use.line,
        term: term.term,
        id: term.id,
        text: prose.find((p) => p.line === use.line)?.text.trim() ?? "",
      });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The page with every unlinked first use turned into a glossary link; one term at a time, so later terms see earlier links. */
export function linkFirstUses(source: string, terms: readonly GlossaryTerm[] = GLOSSARY): string {
  let text = source;
  for (const term of terms) {
    const use = firstUse(proseOf(text), term);
    if (!use || use.linked) continue;
    const lines = text.split("\n");
    const line = lines[use.line - 1] ?? "";
    lines[use.line - 1] =
      `${line.slice(0, use.start)}[${line.slice(use.start, use.end)}](${hrefOf(term)})${line.slice(use.end)}`;
    text = lines.join("\n");
  }
  return text;
}

/** Problems with the glossary page itself: a term without its entry, or an entry without a term. */
export function glossaryPageProblems(source: string, terms: readonly GlossaryTerm[] = GLOSSARY): string[] {
  const onPage = [...source.matchAll(/<GlossaryTerm\s+id="([^"]+)"/g)].map((m) => m[1] ?? "");
  const known = new Set(terms.map((t) => t.id));
  return [
    ...terms
      .filter((t) => !onPage.includes(t.id))
      .map((t) => `the term "${t.term}" has no <GlossaryTerm id="${t.id}" /> on the page`),
    ...onPage
      .filter((id) => !known.has(id))
      .map((id) => `<GlossaryTerm id="${id}" /> names no term in src/lib/glossary.ts`),
    ...onPage
      .filter((id, i) => onPage.indexOf(id) !== i)
      .map((id) => `<GlossaryTerm id="${id}" /> appears twice`),
  ];
}

/** Every page's report, formatted; empty when every page links its terms. With fix, writes the links instead. */
export async function checkGlossary(
  options: { root?: string; docsDir?: string; fix?: boolean } = {},
): Promise<string[]> {
  const root = options.root ?? process.cwd();
  const docsDir = options.docsDir ?? path.join(root, "src/content/docs");
  const reports: string[] = [];
  for (const file of await mdxPages(docsDir)) {
    const name = path.relative(docsDir, file).split(path.sep).join("/");
    const source = await readFile(file, "utf8");
    if (name === GLOSSARY_PAGE) {
      const problems = glossaryPageProblems(source);
      if (problems.length > 0)
        reports.push(`${path.relative(root, file)}\n${problems.map((p) => `  ${p}`).join("\n")}`);
      continue;
    }
    if (EXEMPT.has(name)) continue;
    if (options.fix) {
      const fixed = linkFirstUses(source);
      if (fixed !== source) await writeFile(file, fixed);
      continue;
    }
    const unlinked = unlinkedTerms(source);
    if (unlinked.length > 0) {
      reports.push(
        `${path.relative(root, file)}\n${unlinked
          .map(
            (u) =>
              `  line ${u.line}: "${u.term}" is used without a link to ${GLOSSARY_PATH}#${u.id}: ${u.text.slice(0, 100)}`,
          )
          .join("\n")}`,
      );
    }
  }
  return reports;
}

// `node src/lib/glossary-check.ts [--fix]`: what astro.config.mjs runs before every build.
if (import.meta.main) {
  const fix = process.argv.includes("--fix");
  const reports = await checkGlossary({ fix });
  if (reports.length > 0) {
    console.log(
      `Pages use glossary terms without linking their first use:\n${reports.join("\n")}\nLink the first use of each term to its entry (\`[RTO](/glossary/#rto)\`), or run  node src/lib/glossary-check.ts --fix  to do it.`,
    );
    process.exitCode = 1;
  }
}
