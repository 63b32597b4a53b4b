/**
 * Copy backups off-site
 *
 * Purpose: copy the verified (encrypted) backups to a second place with rsync (a path on another
 *   file system, or host:path over ssh), check every copy there against its manifest's sha256,
 *   apply the retention policy there too (the same as prune-backups), and record where each backup
 *   lives (<backups>/<env>.locations.json), which dr-drill reads to recover from the off-site copy.
 * Sent here by: the nightly schedule, after backup-now, verify-backup and prune-backups; the
 *   Deployment Playbook's "Keep a copy somewhere else"; a copy found corrupt.
 * Preconditions: rsync here (and on the host, for host:path), ssh keys for an unattended login to
 *   that host; the target on storage that does not share a disk with the backup directory.
 * Blast radius: writes and deletes backup files under <target>/<env>/ only. The local backups, the
 *   database and the app are not touched. The archives are age-encrypted; the key is never copied.
 */
import path from "node:path";
import { z } from "zod";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { defineRunbook, minutes } from "../engine/define.ts";
import { type BackupManifest, backupsDir, listBackups, retention, sha256File } from "../lib/backups.ts";
import { mib } from "../lib/format.ts";
import {
  type BackupLocations,
  checkTargetApart,
  deleteOffsite,
  envDir,
  listOffsite,
  OFFSITE_TARGET_VARIABLE,
  offsiteSha256,
  readLocations,
  resolveTarget,
  rsyncToOffsite,
  sameFileSystem,
  writeLocations,
} from "../lib/offsite.ts";

interface Inventory {
  target: string;
  dir: string;
  /** Local verified backups the policy keeps off-site and the target lacks (or holds corrupt). */
  copy: Array<{ id: string; file: string; sizeBytes: number; repair: boolean }>;
  /** Off-site backups the policy does not keep. */
  remove: Array<{ id: string; createdAt: string; sizeBytes: number }>;
  /** Off-site copies whose sha256 differs from their manifest and that no local copy can replace. */
  corruptUnrepairable: string[];
}

export default defineRunbook({
  id: "copy-backup-offsite",
  title: "Copy backups off-site",
  summary:
    "rsync of the verified, encrypted backups to a second place, each copy checked by sha256, the retention policy applied there, and a record of where each backup lives.",
  guide: "operational-runbook",
  section: "Backup and restore",
  params: z.object({
    target: z
      .string()
      .default("")
      .describe(
        `Where the copies go: an absolute path on another file system, or host:/path over ssh (default: ${OFFSITE_TARGET_VARIABLE}, else the last target used)`,
      ),
  }),
  steps: (step) => [
    step({
      id: "inventory",
      title: "Compare the backups here and off-site",
      description:
        "Lists the verified local backups and the off-site ones, checks every off-site copy's sha256, and applies the retention policy to what the target will hold.",
      danger: "read",
      timeoutMs: minutes(30),
      async run(ctx): Promise<Inventory> {
        const target = await resolveTarget(ctx.env.name, ctx.params.target);
        checkTargetApart(target, ctx.env.name);
        if (await sameFileSystem(target, ctx.env.name))
          ctx.warn(
            `${target.root} is on the same file system as ${backupsDir(ctx.env.name)}: losing that disk loses both copies. Use another disk, a network share or host:/path`,
          );
        const dir = envDir(target, ctx.env.name);
        const local = await listBackups(ctx.env.name);
        const verified = local.filter((b) => b.verification?.ok);
        const offsite = await listOffsite(ctx, target);
        ctx.log(
          `here: ${local.length} backup(s) in ${backupsDir(ctx.env.name)}, ${verified.length} verified; off-site: ${offsite.length} in ${target.host ? `${target.host}:` : ""}${dir}`,
        );
        for (const b of local.filter((b) => !b.verification?.ok))
          ctx.log(`  ${b.id}: not verified, not copied (run verify-backup first)`);

        // Every copy already there is read again: a copy that rotted on the far disk is found
        // before it is needed, and replaced from here while the local one still exists.
        const corrupt = new Set<string>();
        for (const m of offsite) {
          const sha = await offsiteSha256(ctx, target, m.file);
          if (sha === m.sha256) ctx.log(`  off-site ${m.id}: sha256 matches`);
          else {
            corrupt.add(m.id);
            ctx.warn(
              `  off-site ${m.id}: ${sha === null ? "archive MISSING" : `sha256 MISMATCH (${sha.slice(0, 12)}… ≠ ${m.sha256.slice(0, 12)}…)`}: the copy is CORRUPT`,
            );
          }
        }

        // The policy decides over what the target would hold after the copy, so a backup the
        // policy would delete there at once is never copied.
        const byId = new Map<string, BackupManifest>();
        for (const m of offsite) byId.set(m.id, m);
        for (const m of verified) byId.set(m.id, m);
        const decision = retention([...byId.values()], BACKUP_POLICY);
        const offsiteIds = new Set(offsite.map((m) => m.id));
        const localIds = new Set(verified.map((m) => m.id));
        const copy: Inventory["copy"] = [];
        const corruptUnrepairable: string[] = [];
        for (const { backup, reasons } of decision.keep) {
          const there = offsiteIds.has(backup.id);
          const bad = corrupt.has(backup.id);
          if (there && !bad) continue;
          if (!localIds.has(backup.id)) {
            if (bad) corruptUnrepairable.push(backup.id);
            continue;
          }
          copy.push({ id: backup.id, file: backup.file, sizeBytes: backup.sizeBytes, repair: bad });
          ctx.log(
            `  copy    ${backup.id}  ${bad ? "to replace the corrupt copy; " : ""}${reasons.join(", ")}`,
          );
        }
        const remove = decision.remove
          .filter((b) => offsiteIds.has(b.id))
          .map((b) => ({ id: b.id, createdAt: b.createdAt, sizeBytes: b.sizeBytes }));
        for (const r of remove) ctx.log(`  delete  ${r.id} off-site: the policy keeps it no longer`);
        for (const id of corruptUnrepairable)
          ctx.warn(
            `  ${id}: corrupt off-site and gone here: it cannot be repaired; the next step fails on it`,
          );
        return { target: target.text, dir, copy, remove, corruptUnrepairable };
      },
    }),
    step({
      id: "copy",
      title: "Copy with rsync and check each copy's sha256",
      description:
        "rsync of each archive, then its manifest (0600 files, 0700 folder); the copy's sha256 must equal the manifest's.",
      danger: "change",
      timeoutMs: minutes(120),
      plan(ctx) {
        const { copy, target } = ctx.result<Inventory>("inventory");
        if (copy.length === 0) return [`nothing to copy: ${target} holds every backup the policy keeps`];
        return [
          `would copy ${copy.length} backup(s), ${mib(
            copy.reduce((n, c) => n + c.sizeBytes, 0),
            2,
          )} MiB, to ${target} with rsync:`,
          ...copy.map(
            (c) => `  ${c.id}: ${c.file} and ${c.id}.json${c.repair ? " (replaces a corrupt copy)" : ""}`,
          ),
          "would then check each copy's sha256 against its manifest",
        ];
      },
      async run(ctx) {
        const { copy, corruptUnrepairable } = ctx.result<Inventory>("inventory");
        const target = await resolveTarget(ctx.env.name, ctx.params.target);
        const copied: string[] = [];
        for (const c of copy) {
          const [manifest] = (await listBackups(ctx.env.name)).filter((b) => b.id === c.id);
          if (!manifest) {
            ctx.warn(`  ${c.id}: gone from ${backupsDir(ctx.env.name)} since the inventory, skipped`);
            continue;
          }
          // The local archive first: copying a copy that rotted here would only move the damage.
          const localSha = await sha256File(path.join(backupsDir(ctx.env.name), manifest.file), ctx.signal);
          if (localSha !== manifest.sha256)
            throw new Error(
              `the local archive of ${c.id} no longer matches its manifest (sha256 ${localSha.slice(0, 12)}…): not copied. Run verify-backup on it`,
            );
          // The archive before its manifest: the target never lists a backup whose archive is missing.
          await rsyncToOffsite(ctx, target, [manifest.file]);
          const sha = await offsiteSha256(ctx, target, manifest.file);
          if (sha !== manifest.sha256)
            throw new Error(
              `the off-site copy of ${c.id} has sha256 ${sha ?? "(missing)"}, the manifest says ${manifest.sha256}: the transfer or the target's disk is faulty; nothing was recorded for it`,
            );
          await rsyncToOffsite(ctx, target, [`${manifest.id}.json`]);
          ctx.log(`  copied ${c.id} (${mib(manifest.sizeBytes, 2)} MiB), sha256 matches`);
          copied.push(c.id);
        }
        ctx.log(`copied ${copied.length} backup(s)`);
        if (corruptUnrepairable.length > 0)
          throw new Error(
            `off-site copies ${corruptUnrepairable.join(", ")} are corrupt and have no local copy to replace them: do not count on them; delete them on the target once newer backups are there`,
          );
        return { copied };
      },
    }),
    step({
      id: "retention",
      title: "Apply the retention policy off-site",
      description: `Keeps ${BACKUP_POLICY.keepDaily} daily, ${BACKUP_POLICY.keepWeekly} weekly and ${BACKUP_POLICY.keepMonthly} monthly backups and the newest verified one on the target, as prune-backups does here; deletes the rest there.`,
      danger: "destructive",
      timeoutMs: minutes(10),
      plan(ctx) {
        const { remove, target } = ctx.result<Inventory>("inventory");
        if (remove.length === 0)
          return [`nothing to delete on ${target}: the policy keeps every backup there`];
        return [
          `would delete ${remove.length} backup(s) on ${target}, ${mib(
            remove.reduce((n, r) => n + r.sizeBytes, 0),
            2,
          )} MiB:`,
          ...remove.map((r) => `  ${r.id} (${r.createdAt}): ${r.id}.dump and ${r.id}.json`),
        ];
      },
      async run(ctx) {
        const { remove } = ctx.result<Inventory>("inventory");
        const target = await resolveTarget(ctx.env.name, ctx.params.target);
        const there = await listOffsite(ctx, target);
        const deleted: string[] = [];
        for (const r of remove) {
          const manifest = there.find((m) => m.id === r.id);
          if (!manifest) {
            ctx.log(`  ${r.id}: already gone off-site`);
            continue;
          }
          await deleteOffsite(ctx, target, manifest);
          deleted.push(r.id);
          ctx.log(`  deleted ${r.id} off-site`);
        }
        ctx.log(`deleted ${deleted.length} backup(s) off-site`);
        return { deleted };
      },
    }),
    step({
      id: "record",
      title: "Record where each backup lives",
      description:
        "Checks the off-site copies once more and writes <backups>/<env>.locations.json: per backup, the local file, the off-site copy and when its sha256 last matched.",
      danger: "change",
      timeoutMs: minutes(30),
      plan(ctx) {
        return [`would write the record of local and off-site copies for ${ctx.env.name}`];
      },
      async run(ctx) {
        const target = await resolveTarget(ctx.env.name, ctx.params.target);
        const local = await listBackups(ctx.env.name);
        const offsite = await listOffsite(ctx, target);
        const now = new Date().toISOString();
        const previous = (await readLocations(ctx.env.name))?.backups ?? {};
        const backups: BackupLocations["backups"] = {};
        const dir = envDir(target, ctx.env.name);
        const bad: string[] = [];
        for (const m of offsite) {
          const ok = (await offsiteSha256(ctx, target, m.file)) === m.sha256;
          if (!ok) bad.push(m.id);
          backups[m.id] = {
            createdAt: m.createdAt,
            sha256: m.sha256,
            local: null,
            offsite: `${target.host ? `${target.host}:` : ""}${path.posix.join(dir, m.file)}`,
            offsiteVerifiedAt: ok ? now : (previous[m.id]?.offsiteVerifiedAt ?? null),
          };
        }
        for (const m of local) {
          backups[m.id] = {
            createdAt: m.createdAt,
            sha256: m.sha256,
            offsite: null,
            offsiteVerifiedAt: null,
            ...backups[m.id],
            local: path.join(backupsDir(ctx.env.name), m.file),
          };
        }
        const file = await writeLocations({
          v: 1,
          env: ctx.env.name,
          updatedAt: now,
          offsite: target.text,
          backups,
        });
        const both = Object.values(backups).filter((b) => b.local && b.offsite).length;
        ctx.log(
          `${Object.keys(backups).length} backup(s): ${both} here and off-site, ${local.length - both} here only, ${offsite.length - both} off-site only`,
        );
        ctx.log(`record: ${file}`);
        if (bad.length > 0) throw new Error(`off-site copies ${bad.join(", ")} do not match their manifests`);
        return { record: file, offsite: offsite.length, both };
      },
    }),
  ],
});
