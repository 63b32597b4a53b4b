import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { isCliCommand } from "./cli-commands.ts";
import type { ArtifactDeclaration, Danger, Guide, Runbook, RunbookDefinition } from "./define.ts";
import { describeParams, type ParamInfo } from "./params.ts";
import { RUNBOOKS_DIR } from "./paths.ts";

/** The CLI's own command words, for the site's checks (it reads the engine only through the catalog). */
export { CLI_COMMANDS } from "./cli-commands.ts";

// The one reader of runbook files. The site and the console ask this module for the catalog
// (metadata, parameters, each step's exact source text) instead of parsing files themselves.

export interface CatalogStep {
  id: string;
  title: string;
  description: string;
  danger: Danger;
  timeoutMs: number;
  hasPlan: boolean;
  /** The step's lines exactly as they are in the file, from the start of the `step({` line. */
  source: string;
  /** 1-based line of the step in the file. */
  line: number;
}

export interface CatalogEntry {
  id: string;
  title: string;
  summary: string;
  guide: Guide;
  section: string;
  /** Path from the repository root, e.g. runbooks/operational/morning-health-check.ts. */
  file: string;
  params: ParamInfo[];
  steps: CatalogStep[];
  /** What a run leaves for the page (served per run by the console). */
  artifacts: readonly ArtifactDeclaration[];
  /** The whole file, for pages that show it. */
  source: string;
  /** sha256 of the file: the console refuses a run when the page showed other code than it would run. */
  sourceHash: string;
  command: string;
}

export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** Folders of runbooks/ that hold code runbooks share, not runbooks. */
const NOT_RUNBOOKS = new Set(["engine", "lib"]);

/** Every runbook file: runbooks/<area>/<id>.ts, excluding the engine, lib and tests. */
export async function runbookFiles(dir = RUNBOOKS_DIR): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || NOT_RUNBOOKS.has(entry.name) || entry.name.startsWith(".")) continue;
    for (const file of await readdir(path.join(dir, entry.name))) {
      if (file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.startsWith("_")) {
        files.push(path.join(dir, entry.name, file));
      }
    }
  }
  return files.sort();
}

/** `version` makes a fresh import of a changed file (ESM caches a module by URL for the process). */
export async function loadRunbook(file: string, version?: string): Promise<Runbook> {
  const url = pathToFileURL(file).href + (version ? `?v=${encodeURIComponent(version)}` : "");
  const module = (await import(url)) as { default?: RunbookDefinition };
  const definition = module.default;
  if (!definition || typeof definition !== "object" || !Array.isArray(definition.steps)) {
    throw new Error(`${file} must \`export default defineRunbook({...})\``);
  }
  const expected = path.basename(file, ".ts");
  if (isCliCommand(definition.id))
    throw new Error(
      `${file} defines runbook "${definition.id}", which is a command of the CLI (npm run runbook -- ${definition.id}); rename the runbook and its file`,
    );
  if (definition.id !== expected)
    throw new Error(`${file} defines runbook "${definition.id}"; the file name says "${expected}"`);
  return { ...definition, file };
}

export async function loadRunbooks(dir = RUNBOOKS_DIR, version?: string): Promise<Map<string, Runbook>> {
  const runbooks = new Map<string, Runbook>();
  for (const file of await runbookFiles(dir)) {
    const runbook = await loadRunbook(file, version);
    const clash = runbooks.get(runbook.id);
    if (clash) throw new Error(`runbook id "${runbook.id}" is defined twice: ${clash.file} and ${file}`);
    runbooks.set(runbook.id, runbook);
  }
  return runbooks;
}

export async function findRunbook(id: string, dir = RUNBOOKS_DIR): Promise<Runbook> {
  const runbooks = await loadRunbooks(dir);
  const runbook = runbooks.get(id);
  if (!runbook) {
    throw new Error(
      `unknown runbook "${id}"; run \`npm run runbook -- list\` to see them (${[...runbooks.keys()].join(", ")})`,
    );
  }
  return runbook;
}

export async function catalog(dir = RUNBOOKS_DIR): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  for (const runbook of (await loadRunbooks(dir)).values()) {
    const source = await readFile(runbook.file, "utf8");
    const sources = stepSources(runbook.file, source);
    entries.push({
      id: runbook.id,
      title: runbook.title,
      summary: runbook.summary,
      guide: runbook.guide,
      section: runbook.section,
      file: path.relative(path.dirname(dir), runbook.file),
      params: describeParams(runbook.params),
      steps: runbook.steps.map((s) => {
        const found = sources.get(s.id);
        if (!found)
          throw new Error(
            `${runbook.file}: step "${s.id}" must be written as step({ id: "${s.id}", ... }) in the file`,
          );
        return {
          id: s.id,
          title: s.title,
          description: s.description,
          danger: s.danger,
          timeoutMs: s.timeoutMs,
          hasPlan: typeof s.plan === "function",
          source: found.text,
          line: found.line,
        };
      }),
      artifacts: runbook.artifacts ?? [],
      source,
      sourceHash: sourceHash(source),
      command: `npm run runbook -- ${runbook.id}`,
    });
  }
  return entries;
}

/** Finds each `step({ id: "…", … })` call in a file and returns its exact lines, by step id. */
export function stepSources(file: string, source: string): Map<string, { text: string; line: number }> {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = new Map<string, { text: string; line: number }>();
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "step") {
      const arg = node.arguments[0];
      if (arg && ts.isObjectLiteralExpression(arg)) {
        for (const prop of arg.properties) {
          if (
            ts.isPropertyAssignment(prop) &&
            prop.name.getText(sf) === "id" &&
            ts.isStringLiteral(prop.initializer)
          ) {
            const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
            found.set(prop.initializer.text, {
              text: source.slice(sf.getPositionOfLineAndCharacter(line, 0), node.getEnd()),
              line: line + 1,
            });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
