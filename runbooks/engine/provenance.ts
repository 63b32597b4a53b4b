import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { Runbook } from "./define.ts";

// What a run executes is more than its runbook file: the modules it imports (runbooks/lib, the
// engine, policy, an area's _x.ts) and the local files its steps run (load-tests/run.ts,
// scripts/start.ts, package.json's scripts), declared by the runbook in `executes`. The run's
// provenance is the hash of each, taken when the runbook is loaded; a file changed since then is
// refused by name, before the run and before each step, so what was checked is what runs.

export interface ProvenanceFile {
  /** Absolute path. */
  file: string;
  sha256: string;
  /** "imported": a module the process loaded (re-read only by a new process); "executed": run by a step (read anew each time). */
  how: "runbook" | "imported" | "executed";
}

const MODULE = /\.(?:[cm]?ts|[cm]?js)$/;

function hashOf(file: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
}

/** Relative imports of a module (static, dynamic, re-exports), resolved to files; packages are left out. */
export function localImports(file: string, source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith("./") || spec.startsWith("../"))
    .map((spec) => path.resolve(path.dirname(file), spec.split("?")[0] ?? spec));
}

/**
 * Every local file the runbook's steps execute or import, with its hash now: the runbook file, the
 * modules reachable from it through relative imports, and the files it declares in `executes`
 * (relative to the runbook file, as imports are) with the modules those import.
 */
export function provenanceOf(runbook: Pick<Runbook, "file" | "executes">): ProvenanceFile[] {
  const found = new Map<string, ProvenanceFile>();
  const visit = (file: string, how: ProvenanceFile["how"]) => {
    if (found.has(file) || file.split(path.sep).includes("node_modules")) return;
    const sha256 = hashOf(file);
    if (sha256 === null) {
      if (how === "executed")
        throw new Error(
          `${runbook.file} declares that it executes ${file}, which does not exist: fix its \`executes\``,
        );
      return;
    }
    found.set(file, { file, sha256, how });
    if (!MODULE.test(file)) return;
    for (const imported of localImports(file, readFileSync(file, "utf8"))) {
      visit(imported, how === "executed" ? "executed" : "imported");
    }
  };
  visit(runbook.file, "runbook");
  for (const declared of runbook.executes ?? [])
    visit(path.resolve(path.dirname(runbook.file), declared), "executed");
  return [...found.values()];
}

/** The files whose content is no longer what `provenance` recorded (or that are gone). */
export function changedFiles(provenance: readonly ProvenanceFile[]): ProvenanceFile[] {
  return provenance.filter((entry) => hashOf(entry.file) !== entry.sha256);
}
