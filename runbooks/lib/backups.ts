import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { dataDir } from "../engine/paths.ts";

// Where backups live and what their manifests say. Shared by backup-now, verify-backup, restore,
// prune-backups, dr-drill and the morning health check.

export interface TableFingerprint {
  rows: number;
  /** md5 over the table's rows in primary-key order, as PostgreSQL computes it. */
  hash: string;
}

export interface BackupManifest {
  id: string;
  env: string;
  /** File name of the pg_dump custom-format archive, beside the manifest. */
  file: string;
  createdAt: string;
  sizeBytes: number;
  sha256: string;
  serverVersion: string;
  tables: Record<string, TableFingerprint>;
  sequences: Record<string, number>;
  verifiedAt?: string;
  verification?: { ok: boolean; detail: string; restoreSeconds: number };
}

export function backupsDir(env: string, processEnv: NodeJS.ProcessEnv = process.env): string {
  return processEnv.RUNBOOK_BACKUP_DIR
    ? path.join(processEnv.RUNBOOK_BACKUP_DIR, env)
    : path.join(dataDir(processEnv), "backups", env);
}

export async function writeManifest(env: string, manifest: BackupManifest): Promise<string> {
  const dir = backupsDir(env);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${manifest.id}.json`);
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** Every backup of an environment, newest first. */
export async function listBackups(env: string): Promise<BackupManifest[]> {
  const dir = backupsDir(env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const manifests: BackupManifest[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    manifests.push(JSON.parse(await readFile(path.join(dir, name), "utf8")) as BackupManifest);
  }
  return manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function findBackup(env: string, id: string): Promise<BackupManifest> {
  const all = await listBackups(env);
  const found = id === "latest" ? all[0] : all.find((m) => m.id === id);
  if (!found) {
    throw new Error(
      all.length === 0
        ? `there are no backups of "${env}" in ${backupsDir(env)}; run the backup-now runbook first`
        : `no backup "${id}" of "${env}"; newest: ${all
            .slice(0, 5)
            .map((m) => m.id)
            .join(", ")}`,
    );
  }
  return found;
}

export function archivePath(env: string, manifest: BackupManifest): string {
  return path.join(backupsDir(env), manifest.file);
}
