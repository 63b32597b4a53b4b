import { readFile } from "node:fs/promises";
import { loadRunbooks, sourceHash } from "../runbooks/engine/catalog.ts";
import type { Runbook } from "../runbooks/engine/define.ts";
import { type ProvenanceFile, provenanceOf } from "../runbooks/engine/provenance.ts";
import { changedFilesRefusal } from "../runbooks/engine/run.ts";
import type { Refusal } from "./guard.ts";

// The runbooks the console may run: loaded once at start, each with the hash of its file. A file
// changed on disk since then is refused until the operator reloads, so what runs is always what
// the console loaded, and (through the page's hash) what the page showed.

interface Loaded {
  runbook: Runbook;
  hash: string;
  /** Every file the runbook imports or its steps execute, with its hash (provenance.ts). */
  provenance: ProvenanceFile[];
}

// A module is imported once per process (Reload re-imports runbook files only; the modules they
// import stay as first loaded), so an imported file is checked against the hash it had then.
const importedOnce = new Map<string, string>();

export class RunbookRegistry {
  private loaded = new Map<string, Loaded>();
  private generation = 0;
  private readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async load(dir: string): Promise<RunbookRegistry> {
    const registry = new RunbookRegistry(dir);
    await registry.reload();
    return registry;
  }

  /** Re-reads every runbook file (a fresh import of each); returns the ids whose file changed. */
  async reload(): Promise<string[]> {
    this.generation += 1;
    const fresh = new Map<string, Loaded>();
    const runbooks = await loadRunbooks(
      this.dir,
      this.generation === 1 ? undefined : String(this.generation),
    );
    for (const [id, runbook] of runbooks) {
      const provenance = provenanceOf(runbook).map((entry) => {
        if (entry.how !== "imported") return entry;
        if (!importedOnce.has(entry.file)) importedOnce.set(entry.file, entry.sha256);
        return { ...entry, sha256: importedOnce.get(entry.file) ?? entry.sha256 };
      });
      fresh.set(id, { runbook, hash: sourceHash(await readFile(runbook.file, "utf8")), provenance });
    }
    const changed = [...fresh]
      .filter(([id, entry]) => this.loaded.get(id)?.hash !== entry.hash)
      .map(([id]) => id);
    this.loaded = fresh;
    return this.generation === 1 ? [] : changed;
  }

  /** The loaded runbook (as loaded, whatever is on disk now). */
  get(id: string): Runbook | undefined {
    return this.loaded.get(id)?.runbook;
  }

  /** The hashes a run of this runbook is checked against before each step. */
  provenance(id: string): ProvenanceFile[] | undefined {
    return this.loaded.get(id)?.provenance;
  }

  ids(): string[] {
    return [...this.loaded.keys()];
  }

  /** The runbook to run, or the refusal: unknown, changed on disk, or not the code the page showed. */
  async resolve(id: string, pageHash: string | undefined): Promise<Runbook | Refusal> {
    const entry = this.loaded.get(id);
    if (!entry) return { status: 404, rule: "unknown-runbook", error: `unknown runbook "${id}"` };
    if ((await diskHash(entry)) !== entry.hash) {
      return {
        status: 409,
        rule: "changed-file",
        error: `${entry.runbook.file} changed since the console loaded it; press "Reload runbooks" (or restart the console) before running it`,
      };
    }
    const changed = changedFilesRefusal(entry.provenance, `since the console loaded runbook "${id}"`);
    if (changed) return { status: 409, rule: "changed-file", error: changed };
    if (pageHash !== undefined && pageHash !== entry.hash) {
      return {
        status: 409,
        rule: "page-version",
        error: `this page shows another version of runbook "${id}" than the console runs; rebuild the handbook (npm run build) and reload the page`,
      };
    }
    return entry.runbook;
  }

  /** Files changed on disk since the last load. */
  async changedOnDisk(): Promise<string[]> {
    const changed: string[] = [];
    for (const [id, entry] of this.loaded) {
      if (
        (await diskHash(entry)) !== entry.hash ||
        changedFilesRefusal(entry.provenance, "since the console loaded it") !== null
      )
        changed.push(id);
    }
    return changed;
  }
}

/** The hash of the runbook's file as it is now (of nothing when it is gone: never a loaded file's). */
async function diskHash(entry: Loaded): Promise<string> {
  return sourceHash(await readFile(entry.runbook.file, "utf8").catch(() => ""));
}
