import { readFile } from "node:fs/promises";
import path from "node:path";
import { CLI_COMMANDS, catalog } from "../../runbooks/engine/catalog.ts";
import { APP_ERROR_CODES, appMetrics, envFields, httpStatusOfTrpc } from "./app-facts.ts";
import { formatDefault } from "./app-facts-view.ts";
import { benchmarkFigureTexts } from "./bench-results-files.ts";
import {
  type CodeSnippet,
  checkProse,
  checkSnippets,
  formatFindings,
  type KnownFacts,
  type ProseLine,
} from "./hand-typed-facts.ts";
import { bodyLines, mdxPages, unfencedLines } from "./mdx-pages.ts";

// Runs hand-typed-facts.ts over every page in src/content/docs. astro.config.mjs runs this file from
// an integration hook, so `astro build` and `astro dev` fail on a page that types a fact by hand.
// The pages are scanned as text (Astro 7's Markdown processor takes no remark plugins): fenced
// blocks and inline code spans, with their line numbers.

export async function loadFacts(root = process.cwd()): Promise<KnownFacts> {
  const runbooks = await catalog(path.resolve(root, process.env.RUNBOOKS_DIR ?? "runbooks"));
  return {
    env: new Map(envFields().map((f) => [f.name, formatDefault(f)])),
    metrics: new Set(appMetrics().map((m) => m.name)),
    errors: new Map(Object.entries(APP_ERROR_CODES).map(([code, trpc]) => [code, httpStatusOfTrpc(trpc)])),
    runbooks: new Map(runbooks.map((r) => [r.id, r.steps.map((s) => s.id)])),
    benchmarkFigures: new Set(await benchmarkFigureTexts(root)),
    cliCommands: new Set(CLI_COMMANDS),
  };
}

/** The prose of a Markdown/MDX page (tables included): not frontmatter, fenced blocks, import/export lines or inline code. */
export function proseLines(source: string): ProseLine[] {
  return unfencedLines(source)
    .filter(({ text }) => !/^(?:import|export)\s/.test(text))
    .map(({ text, line }) => ({ text: text.replace(/(`+)(?!`)(.+?)(?<!`)\1(?!`)/g, ""), line }));
}

/** The code of a Markdown/MDX page: fenced blocks (with language) and inline spans (with the prose after them). */
export function codeSnippets(source: string): CodeSnippet[] {
  const found: CodeSnippet[] = [];
  let body: string[] = [];
  for (const { line, text, fence, fenceLine } of bodyLines(source)) {
    if (fence) {
      if (!fenceLine) body.push(text);
      else if (fence.line !== line) {
        found.push({ kind: "block", lang: fence.lang, text: body.join("\n"), line: fence.line });
        body = [];
      }
      continue;
    }
    for (const m of text.matchAll(/(`+)(?!`)(.+?)(?<!`)\1(?!`)/g)) {
      const end = (m.index ?? 0) + m[0].length;
      const rest = text.slice(end);
      const after = rest.split("`")[0] ?? "";
      found.push({ kind: "span", lang: "", text: m[2] ?? "", line, after });
    }
  }
  return found;
}

/** Every page's findings, formatted; empty when every page is clean. */
export async function checkPages(
  root = process.cwd(),
  docsDir = path.join(root, "src/content/docs"),
  facts?: KnownFacts,
): Promise<string[]> {
  const known = facts ?? (await loadFacts(root));
  const reports: string[] = [];
  for (const file of await mdxPages(docsDir)) {
    const source = await readFile(file, "utf8");
    const findings = [
      ...checkSnippets(codeSnippets(source), known),
      ...checkProse(proseLines(source), known),
    ].sort((a, b) => a.line - b.line);
    if (findings.length > 0) reports.push(formatFindings(path.relative(root, file), findings));
  }
  return reports;
}

// `node src/lib/hand-typed-facts-check.ts`: what astro.config.mjs runs before every build.
if (import.meta.main) {
  const reports = await checkPages();
  if (reports.length > 0) {
    console.log(
      `The handbook types facts the code owns:\n${reports.join("\n")}\nRender them with the components in src/components (EnvTable, EnvDefault, Metrics, ErrorCodes, RedisKeys, ExitCodes, Versions, WorkflowSteps, BenchmarkTable, Figure) or fix the name.`,
    );
    process.exitCode = 1;
  }
}
