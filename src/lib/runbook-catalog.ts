import path from "node:path";
import { type CatalogEntry, type CatalogStep, catalog } from "../../runbooks/engine/catalog.ts";

// The site's view of the runbooks: the engine's catalog, read once per build. Pages never parse
// runbook files themselves; a page naming a runbook or step that does not exist fails the build.

let cached: Promise<CatalogEntry[]> | null = null;

// Astro bundles this module, so paths come from the working directory (the repository root for
// `astro build` and `astro dev`), not from import.meta.url.
const RUNBOOKS = path.resolve(process.env.RUNBOOKS_DIR ?? "runbooks");

export function getCatalog(): Promise<CatalogEntry[]> {
  cached ??= catalog(RUNBOOKS);
  return cached;
}

export async function getRunbook(id: string): Promise<CatalogEntry> {
  const entries = await getCatalog();
  const entry = entries.find((e) => e.id === id);
  if (!entry)
    throw new Error(
      `a page embeds runbook "${id}", which does not exist; runbooks: ${entries.map((e) => e.id).join(", ")}`,
    );
  return entry;
}

export async function getStep(
  runbookId: string,
  stepId: string,
): Promise<{ runbook: CatalogEntry; step: CatalogStep }> {
  const runbook = await getRunbook(runbookId);
  const step = runbook.steps.find((s) => s.id === stepId);
  if (!step) {
    throw new Error(
      `a page embeds step "${stepId}" of runbook "${runbookId}", which has no such step; steps: ${runbook.steps.map((s) => s.id).join(", ")}`,
    );
  }
  return { runbook, step };
}

export function stepCommand(runbook: CatalogEntry, step?: CatalogStep): string {
  return step ? `npm run runbook -- ${runbook.id} --step ${step.id}` : `npm run runbook -- ${runbook.id}`;
}

/** Removes the indentation all lines share, for display; the characters of each line are unchanged. */
export function dedent(text: string): string {
  const lines = text.split("\n");
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(common)).join("\n");
}
