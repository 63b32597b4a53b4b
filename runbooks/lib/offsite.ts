import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StepContext } from "../engine/context.ts";
import { dataDir } from "../engine/paths.ts";
import { type BackupManifest, backupsDir, readManifest, sha256File } from "./backups.ts";

// The off-site copy of the backups (copy-backup-offsite) and the record of where each backup lives
// (read by dr-drill). The copy is made with rsync to a target that is either a local path (another
// file system: a mounted disk, an NFS share) or `host:path` over ssh, into `<target>/<env>/`, with
// the same file names as the backup directory: `<id>.dump` and `<id>.json`. The archives are
// encrypted (age) before they leave; the key never goes with them.

export type OffsiteContext = Pick<StepContext, "env" | "$" | "log" | "warn" | "signal" | "artifactsDir">;

export interface OffsiteTarget {
  /** As the operator wrote it, e.g. /mnt/offsite or backup-host:/srv/ssp-backups. */
  text: string;
  /** ssh host (user@host allowed) or null for a local path. */
  host: string | null;
  /** The directory on that host (or here) that holds one folder per environment. */
  root: string;
}

/** RUNBOOK_OFFSITE_TARGET: the default target when the runbook's parameter is empty. */
export const OFFSITE_TARGET_VARIABLE = "RUNBOOK_OFFSITE_TARGET";

/**
 * Parses a target: an absolute local path, or `host:/abs/path` (ssh). Throws naming the problem:
 * relative paths (relative to what, at 3 a.m.?), option-like words, shell metacharacters in a
 * remote path (the remote side runs them through a shell).
 */
export function parseOffsiteTarget(text: string): OffsiteTarget {
  const t = text.trim();
  if (!t)
    throw new Error(
      `no off-site target: pass --param target=<path or host:path>, or set ${OFFSITE_TARGET_VARIABLE}`,
    );
  if (t.startsWith("-"))
    throw new Error(`off-site target "${t}" starts with "-": it would read as an option`);
  const remote = /^([A-Za-z0-9_.@-]+):(.*)$/.exec(t);
  if (remote && !t.startsWith("/")) {
    const [, host = "", dir = ""] = remote;
    if (!dir.startsWith("/"))
      throw new Error(`off-site target "${t}": the path on ${host} must be absolute (host:/srv/backups)`);
    if (!/^[\w./@+-]+$/.test(dir))
      throw new Error(
        `off-site target "${t}": the remote path may hold only letters, digits and . / _ @ + - (the remote shell reads it)`,
      );
    return { text: t, host, root: path.posix.normalize(dir) };
  }
  if (!path.isAbsolute(t)) throw new Error(`off-site target "${t}" must be an absolute path or host:/path`);
  return { text: t, host: null, root: path.resolve(t) };
}

/** Refuses a local target that is the backup directory itself or inside it (not off-site at all). */
export function checkTargetApart(target: OffsiteTarget, env: string): void {
  if (target.host) return;
  const local = path.resolve(backupsDir(env), "..");
  const rel = path.relative(local, target.root);
  const relBack = path.relative(target.root, local);
  if (
    rel === "" ||
    (!rel.startsWith("..") && !path.isAbsolute(rel)) ||
    (!relBack.startsWith("..") && !path.isAbsolute(relBack))
  )
    throw new Error(
      `off-site target ${target.root} overlaps the backup directory ${local}: a copy there is lost with the disk it copies. Choose a path on another file system or host`,
    );
}

/** True when a local target is on the same file system as the backup directory (one disk loses both). */
export async function sameFileSystem(target: OffsiteTarget, env: string): Promise<boolean> {
  if (target.host) return false;
  const device = async (p: string): Promise<number | null> => {
    for (let dir = p; ; dir = path.dirname(dir)) {
      const info = await stat(dir).catch(() => null);
      if (info) return info.dev;
      if (dir === path.dirname(dir)) return null;
    }
  };
  const [a, b] = await Promise.all([device(target.root), device(backupsDir(env))]);
  return a !== null && a === b;
}

/** `<root>/<env>` on the target, as rsync writes it (host:dir for a remote one). */
export function envDir(target: OffsiteTarget, env: string): string {
  return path.posix.join(target.root, env);
}

function rsyncPath(target: OffsiteTarget, dir: string): string {
  return target.host ? `${target.host}:${dir}` : dir;
}

/** ssh options for a job that runs unattended: no password prompt, a connect timeout. */
const SSH = "ssh -o BatchMode=yes -o ConnectTimeout=15";

/**
 * The manifests of the backups on the target (newest first), fetched with rsync into a temporary
 * folder (the same command for a local and a remote target). An absent folder is an empty list.
 */
export async function listOffsite(ctx: OffsiteContext, target: OffsiteTarget): Promise<BackupManifest[]> {
  const dir = envDir(target, ctx.env.name);
  if (!target.host) {
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [] as string[];
      throw error;
    });
    const out: BackupManifest[] = [];
    for (const name of names.filter((n) => n.endsWith(".json")))
      out.push(await readManifest(path.join(dir, name), `move it out of ${dir} on the target`));
    return sortNewest(out);
  }
  await mkdir(ctx.artifactsDir, { recursive: true });
  const work = await mkdtemp(path.join(ctx.artifactsDir, "offsite-list-"));
  try {
    try {
      await ctx.$`rsync -e ${SSH} --timeout=60 -r --include=*.json --exclude=* ${`${rsyncPath(target, dir)}/`} ${`${work}/`}`;
    } catch (error) {
      // rsync 23: "change_dir … failed: No such file or directory": nothing copied there yet.
      const stderr = String((error as { stderr?: string }).stderr ?? "");
      if (!/No such file or directory/.test(stderr)) throw error;
    }
    const out: BackupManifest[] = [];
    for (const name of (await readdir(work)).filter((n) => n.endsWith(".json")))
      out.push(await readManifest(path.join(work, name), `move ${name} out of ${dir} on ${target.host}`));
    return sortNewest(out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function sortNewest(list: BackupManifest[]): BackupManifest[] {
  return list.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** The sha256 of a file on the target (sha256sum over ssh for a remote one); null when it is missing. */
export async function offsiteSha256(
  ctx: OffsiteContext,
  target: OffsiteTarget,
  file: string,
): Promise<string | null> {
  const full = path.posix.join(envDir(target, ctx.env.name), file);
  if (!target.host) return sha256File(full, ctx.signal).catch(() => null);
  const out =
    await ctx.$`${SSH.split(" ")} ${target.host} ${`test -f ${full} && sha256sum ${full} || echo missing`}`;
  const word = out.stdout.trim().split(/\s+/)[0] ?? "";
  return /^[0-9a-f]{64}$/.test(word) ? word : null;
}

/**
 * Copies files of the local backup directory to the target with rsync: 0600 files in a 0700
 * folder, written under a temporary name and renamed when complete (rsync's default), so a broken
 * transfer never leaves a half file under a backup's name.
 */
export async function rsyncToOffsite(
  ctx: OffsiteContext,
  target: OffsiteTarget,
  files: string[],
): Promise<void> {
  if (files.length === 0) return;
  const dir = envDir(target, ctx.env.name);
  if (!target.host) await mkdir(dir, { recursive: true, mode: 0o700 });
  const sources = files.map((f) => path.join(backupsDir(ctx.env.name), f));
  // --mkpath: the env folder on a remote target is created on the first copy. --ignore-times: a
  // copy that rotted keeps its size and time, and rsync's quick check would leave it as it is.
  await ctx.$`rsync -e ${SSH} --timeout=300 --mkpath --ignore-times --times --chmod=D700,F600 ${sources} ${`${rsyncPath(target, dir)}/`}`;
}

/** Copies one backup's files from the target into a local folder (dr-drill recovering from off-site). */
export async function rsyncFromOffsite(
  ctx: OffsiteContext,
  target: OffsiteTarget,
  files: string[],
  into: string,
): Promise<void> {
  const dir = envDir(target, ctx.env.name);
  const sources = files.map((f) => rsyncPath(target, path.posix.join(dir, f)));
  await ctx.$`rsync -e ${SSH} --timeout=300 --times --chmod=D700,F600 ${sources} ${`${into}/`}`;
}

/** Deletes one backup on the target: its manifest first, so a half-deleted backup is never listed. */
export async function deleteOffsite(ctx: OffsiteContext, target: OffsiteTarget, manifest: BackupManifest) {
  const dir = envDir(target, ctx.env.name);
  const files = [`${manifest.id}.json`, manifest.file].map((f) => path.posix.join(dir, f));
  if (!target.host) {
    for (const f of files) await rm(f, { force: true });
    return;
  }
  await ctx.$`${SSH.split(" ")} ${target.host} ${`rm -f -- ${files.join(" ")}`}`;
}

// ---------------------------------------------------------------------------------------------
// Where each backup lives: <backups root>/<env>.locations.json, beside (never inside) the env's
// backup directory, which holds only backups.

export interface BackupLocations {
  v: 1;
  env: string;
  updatedAt: string;
  /** The off-site target the last copy went to. */
  offsite: string;
  backups: Record<
    string,
    {
      createdAt: string;
      sha256: string;
      /** The local path while the local copy exists, else null. */
      local: string | null;
      /** Where the off-site copy is (target:dir/file), null when it has none. */
      offsite: string | null;
      /** When the off-site copy last matched the manifest's sha256. */
      offsiteVerifiedAt: string | null;
    }
  >;
}

export function locationsFile(env: string, processEnv: NodeJS.ProcessEnv = process.env): string {
  const root = processEnv.RUNBOOK_BACKUP_DIR
    ? path.resolve(processEnv.RUNBOOK_BACKUP_DIR)
    : path.join(dataDir(processEnv), "backups");
  return path.join(root, `${env}.locations.json`);
}

export async function readLocations(env: string): Promise<BackupLocations | null> {
  try {
    const parsed = JSON.parse(await readFile(locationsFile(env), "utf8")) as BackupLocations;
    if (parsed.v !== 1)
      throw new Error(
        `${locationsFile(env)} has format version ${String(parsed.v)}; this checkout reads version 1: update the checkout`,
      );
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export async function writeLocations(locations: BackupLocations): Promise<string> {
  const file = locationsFile(locations.env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(3).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(locations, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return file;
}

/** The target to use: the parameter, else RUNBOOK_OFFSITE_TARGET, else the target of the last copy (the record). */
export async function resolveTarget(env: string, param: string): Promise<OffsiteTarget> {
  if (param.trim()) return parseOffsiteTarget(param);
  const fromEnv = process.env[OFFSITE_TARGET_VARIABLE] ?? "";
  if (fromEnv.trim()) return parseOffsiteTarget(fromEnv);
  const record = await readLocations(env);
  return parseOffsiteTarget(record?.offsite ?? "");
}
