import { stat } from "node:fs/promises";
import path from "node:path";
import { runArtifactsPath } from "../runbooks/engine/audit.ts";
import type { ArtifactDeclaration, Runbook } from "../runbooks/engine/define.ts";

// Where a run's declared artifacts are: the declaration's file name with that run's parameters,
// inside the run's own folder. A name that would leave the folder is never produced.

export function artifactFileName(
  declaration: ArtifactDeclaration,
  params: Record<string, unknown>,
): string | null {
  const name = declaration.file.replace(/\{(\w+)\}/g, (_, param: string) => String(params[param] ?? ""));
  return /^[\w.-]+$/.test(name) && !name.startsWith(".") ? name : null;
}

/** The declared artifacts this run left on disk, with their files. */
export async function artifactsOfRun(
  dataDir: string,
  runbook: Runbook,
  runId: string,
  params: Record<string, unknown>,
): Promise<Array<ArtifactDeclaration & { file: string }>> {
  const folder = runArtifactsPath(dataDir, runId);
  const found: Array<ArtifactDeclaration & { file: string }> = [];
  for (const declaration of runbook.artifacts ?? []) {
    const name = artifactFileName(declaration, params);
    if (!name) continue;
    const file = path.join(folder, name);
    if ((await stat(file).catch(() => null))?.isFile()) found.push({ ...declaration, file });
  }
  return found;
}
