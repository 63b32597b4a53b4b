/**
 * Create a streaming replica
 *
 * Purpose: a hot standby of the environment's PostgreSQL on this host: pg_basebackup -R (with a
 *   replication slot, so the primary keeps the WAL the replica still needs) into a new data
 *   directory, started with the installed PostgreSQL server binaries, then checked streaming and
 *   its lag reported. It serves reads and is what failover-to-replica promotes.
 * Sent here by: the Scaling Guide's "Read replicas" (reports, backups off the primary); the
 *   Deployment Playbook's "Disaster recovery" (a warm standby shrinks the data-loss window from the
 *   nightly backup to seconds); after a failover, to give the new primary a standby again.
 * Preconditions: the role in the environment's DATABASE_URL may replicate (REPLICATION or
 *   superuser), the primary allows a replication connection from here (pg_hba.conf) and has a free
 *   WAL sender; the server binaries of the primary's major version installed here; room on this
 *   disk for a copy of the whole cluster.
 * Blast radius: the primary streams a base backup (I/O, one WAL sender) and keeps WAL for the new
 *   slot: a replica that stays down makes the primary's disk fill (troubleshoot-replication-slot).
 *   The password goes through a password file (0600), never argv or the replica's configuration.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";
import { freePort, portAnswers } from "../lib/net.ts";
import { runPgTool } from "../lib/pg-tools.ts";
import { waitFor } from "../lib/process.ts";
import {
  chownTree,
  describeUrl,
  ensureTraversable,
  passfileLine,
  readReplicaRecord,
  replicaRecordFile,
  replicaState,
  replicaUrl,
  runServerProgram,
  serverUser,
  streamState,
  withoutPassword,
  writeReplicaRecord,
} from "./_replica.ts";

interface Preflight {
  dataDir: string;
  binDir: string;
  port: number;
  slot: string;
  major: number;
  primary: string;
}

export default defineRunbook({
  id: "create-replica",
  title: "Create a streaming replica",
  summary:
    "pg_basebackup -R with a replication slot into a new data directory, started with the installed PostgreSQL server, checked streaming, lag reported.",
  guide: "scaling-guide",
  section: "Database",
  params: z.object({
    dataDir: z
      .string()
      .default("")
      .describe(
        "The replica's new data directory, absolute (default: replicas/<env>/data under the runbook data directory)",
      ),
    port: z.coerce
      .number()
      .int()
      .min(1024)
      .max(65_000)
      .optional()
      .describe("The replica's port (default: a free one)"),
    binDir: z
      .string()
      .default("")
      .describe("PostgreSQL server binaries (default: /usr/lib/postgresql/<the primary's major>/bin)"),
    slot: z
      .string()
      .regex(/^[a-z0-9_]{1,63}$/, "a slot name is lower-case letters, digits and _ (at most 63)")
      .default("ssp_replica")
      .describe("The replication slot created on the primary for it"),
  }),
  steps: (step) => [
    step({
      id: "preflight",
      title: "Check the primary, the binaries and the target directory",
      description:
        "The role may replicate, a WAL sender is free, the slot is new, the server binaries match the primary's major version, the data directory is new.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Preflight> {
        const existing = await readReplicaRecord(ctx.env.name);
        if (existing)
          throw new Error(
            `a replica of ${ctx.env.name} is already recorded (${existing.dataDir}, port ${existing.port}) in ${replicaRecordFile(ctx.env.name)}: one per environment on this host. Stop it and move the record away to make a new one`,
          );
        const [p] = await ctx.sql<{
          num: number;
          repl: boolean;
          wal_level: string;
          senders: number;
          used: number;
          slot: boolean;
        }>(
          `SELECT current_setting('server_version_num')::int AS num,
                  (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS repl,
                  current_setting('wal_level') AS wal_level,
                  current_setting('max_wal_senders')::int AS senders,
                  (SELECT count(*)::int FROM pg_stat_replication) AS used,
                  EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1) AS slot`,
          [ctx.params.slot],
        );
        if (!p) throw new Error("PostgreSQL answered no row to a one-row query");
        const major = Math.floor(p.num / 10_000);
        const primary = describeUrl(ctx.env.databaseUrl);
        ctx.log(
          `primary ${primary}: PostgreSQL ${major}, wal_level ${p.wal_level}, WAL senders ${p.used}/${p.senders}`,
        );
        if (!p.repl)
          throw new Error(
            `the role in ${ctx.env.name}'s DATABASE_URL may not replicate: ALTER ROLE … REPLICATION (and allow it in pg_hba.conf)`,
          );
        if (p.wal_level === "minimal")
          throw new Error("wal_level is minimal on the primary: set wal_level = replica and restart it");
        if (p.used >= p.senders)
          throw new Error(`all ${p.senders} WAL senders are in use: raise max_wal_senders on the primary`);
        if (p.slot)
          throw new Error(
            `the replication slot ${ctx.params.slot} already exists on the primary: name another (slot=…), or drop it if nothing uses it (troubleshoot-replication-slot)`,
          );
        const binDir = ctx.params.binDir || `/usr/lib/postgresql/${major}/bin`;
        for (const program of ["pg_ctl", "postgres"])
          if (!existsSync(path.join(binDir, program)))
            throw new Error(
              `${binDir}/${program} is missing: install the PostgreSQL ${major} server (postgresql-${major} on Debian) or pass binDir`,
            );
        const version = await runServerProgram(binDir, "pg_ctl", ["--version"], null);
        const binMajor = Number(/(\d+)(\.\d+)?/.exec(version)?.[1]);
        if (binMajor !== major)
          throw new Error(
            `${binDir} is PostgreSQL ${binMajor}; the primary is ${major}: a replica needs the same major version`,
          );
        const toolVersion = (await ctx.$`pg_basebackup --version`).stdout;
        if (Number(/(\d+)(\.\d+)?/.exec(toolVersion)?.[1]) < major)
          throw new Error(
            `pg_basebackup is older than the primary (${toolVersion.trim()}): install postgresql-client-${major}`,
          );
        const dir = path.resolve(
          ctx.params.dataDir || path.join(dataDir(process.env), "replicas", ctx.env.name, "data"),
        );
        if (!path.isAbsolute(ctx.params.dataDir || dir))
          throw new Error(`dataDir ${ctx.params.dataDir} must be absolute`);
        const entries = await readdir(dir).catch(() => [] as string[]);
        if (entries.length > 0)
          throw new Error(
            `${dir} is not empty: a replica needs a new data directory (choose another dataDir)`,
          );
        const port = ctx.params.port ?? (await freePort());
        if (await portAnswers(port)) throw new Error(`port ${port} is in use: pass another port`);
        serverUser();
        ctx.log(`replica: ${dir}, port ${port}, binaries ${binDir}, slot ${ctx.params.slot}`);
        return { dataDir: dir, binDir, port, slot: ctx.params.slot, major, primary };
      },
    }),
    step({
      id: "base-backup",
      title: "Copy the primary with pg_basebackup -R",
      description:
        "pg_basebackup --write-recovery-conf --create-slot --wal-method=stream into the new data directory; the password through a password file.",
      danger: "change",
      timeoutMs: minutes(120),
      plan(ctx) {
        const p = ctx.result<Preflight>("preflight");
        return [
          `would create slot ${p.slot} on ${p.primary} and run pg_basebackup -R into ${p.dataDir}`,
          `would write the replica's password file beside it (0600) and point primary_conninfo at it`,
        ];
      },
      async run(ctx) {
        const p = ctx.result<Preflight>("preflight");
        const user = serverUser();
        const home = path.dirname(p.dataDir);
        await mkdir(home, { recursive: true, mode: 0o700 });
        if (user) await ensureTraversable(p.dataDir, dataDir(process.env));
        const line = passfileLine(ctx.env.databaseUrl);
        const passfile = line ? path.join(home, "pgpass") : null;
        if (passfile && line) await writeFile(passfile, line, { mode: 0o600 });
        if (user) await chownTree(home, user.uid, user.gid);
        try {
          await runPgTool(
            ctx,
            "pg_basebackup",
            [
              `--pgdata=${p.dataDir}`,
              "--write-recovery-conf",
              "--create-slot",
              `--slot=${p.slot}`,
              "--wal-method=stream",
              "--checkpoint=fast",
              "--no-password",
              "--progress",
            ],
            // libpq reads the password from the file; -R then records passfile=, not the password.
            {
              url: withoutPassword(ctx.env.databaseUrl),
              timeoutMs: minutes(115),
              env: passfile ? { PGPASSFILE: passfile } : {},
            },
          );
        } catch (error) {
          await rm(p.dataDir, { recursive: true, force: true });
          throw error;
        }
        // A primary that keeps its configuration outside its data directory (Debian: /etc/postgresql)
        // gives a copy without it; the replica gets a minimal one of its own.
        if (!existsSync(path.join(p.dataDir, "postgresql.conf")))
          await writeFile(
            path.join(p.dataDir, "postgresql.conf"),
            "# written by create-replica: the primary's configuration lives outside its data directory\n",
          );
        if (!existsSync(path.join(p.dataDir, "pg_hba.conf")))
          await writeFile(
            path.join(p.dataDir, "pg_hba.conf"),
            "# written by create-replica\nhost all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n",
          );
        if (!existsSync(path.join(p.dataDir, "pg_ident.conf")))
          await writeFile(path.join(p.dataDir, "pg_ident.conf"), "");
        const auto = await readFile(path.join(p.dataDir, "postgresql.auto.conf"), "utf8");
        const password = new URL(ctx.env.databaseUrl).password;
        if (password && auto.includes(decodeURIComponent(password)))
          throw new Error(
            "the replica's postgresql.auto.conf holds the password: remove the data directory; nothing was started",
          );
        if (!/primary_conninfo/.test(auto) || !existsSync(path.join(p.dataDir, "standby.signal")))
          throw new Error(
            "pg_basebackup -R wrote no primary_conninfo or standby.signal: the copy would start as a primary",
          );
        if (user) await chownTree(p.dataDir, user.uid, user.gid);
        ctx.log(
          `base backup in ${p.dataDir}; primary_conninfo uses ${passfile ? `passfile ${passfile}` : "no password"}`,
        );
        return { passfile };
      },
    }),
    step({
      id: "start",
      title: "Start the replica and wait for it to stream",
      description:
        "pg_ctl start on 127.0.0.1 with the installed server binaries; waits until the primary's WAL sender streams to it.",
      danger: "change",
      timeoutMs: minutes(3),
      plan(ctx) {
        const p = ctx.result<Preflight>("preflight");
        return [
          `would start ${p.binDir}/postgres on 127.0.0.1:${p.port} for ${p.dataDir} and record it in ${replicaRecordFile(ctx.env.name)}`,
        ];
      },
      async run(ctx) {
        const p = ctx.result<Preflight>("preflight");
        const { passfile } = ctx.result<{ passfile: string | null }>("base-backup");
        const user = serverUser();
        const logFile = path.join(path.dirname(p.dataDir), "server.log");
        await runServerProgram(
          p.binDir,
          "pg_ctl",
          [
            "-D",
            p.dataDir,
            "-w",
            "-t",
            "60",
            "-l",
            logFile,
            "-o",
            `-p ${p.port} -c listen_addresses=127.0.0.1 -k ''`,
            "start",
          ],
          user,
        );
        const file = await writeReplicaRecord({
          v: 1,
          env: ctx.env.name,
          dataDir: p.dataDir,
          port: p.port,
          binDir: p.binDir,
          slot: p.slot,
          primary: p.primary,
          passfile,
          logFile,
          uid: user?.uid ?? null,
          createdAt: new Date().toISOString(),
        });
        ctx.log(`started the replica on 127.0.0.1:${p.port} (log ${logFile}); record ${file}`);
        const url = replicaUrl(ctx.env.databaseUrl, p.port);
        const state = await waitFor(
          async () => {
            const s = await streamState(ctx.env.databaseUrl, p.slot, ctx.signal);
            return s.state === "streaming" ? s : undefined;
          },
          {
            timeoutMs: 60_000,
            intervalMs: 200,
            signal: ctx.signal,
            what: `the primary streaming to slot ${p.slot}`,
          },
        );
        const r = await replicaState(url, ctx.signal);
        if (!r.inRecovery)
          throw new Error("the replica is not in recovery: it started as a primary; stop it");
        ctx.log(`streaming: replica replayed up to ${r.replayLsn}; lag ${state.lagBytes ?? "?"} bytes`);
        return { port: p.port, streaming: true };
      },
    }),
    step({
      id: "lag",
      title: "Report the replica's lag",
      description:
        "From the primary: the WAL sender's state and the bytes and seconds the replica has not replayed yet.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const record = await readReplicaRecord(ctx.env.name);
        if (!record)
          throw new Error(`no replica of ${ctx.env.name} is recorded in ${replicaRecordFile(ctx.env.name)}`);
        let s = await streamState(ctx.env.databaseUrl, record.slot, ctx.signal);
        // A replica that has just connected reports its replay position with its first feedback
        // message; until then the lag is unknown, so wait a little for a figure.
        for (let tries = 0; s.state === "streaming" && s.lagBytes === null && tries < 50; tries += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          s = await streamState(ctx.env.databaseUrl, record.slot, ctx.signal);
        }
        const r = await replicaState(replicaUrl(ctx.env.databaseUrl, record.port), ctx.signal);
        ctx.log(
          `replica 127.0.0.1:${record.port}: ${s.state ?? "NOT streaming"}, ${s.lagBytes ?? "?"} bytes behind, replay lag ${s.replayLagSeconds === null ? "none measured" : `${s.replayLagSeconds.toFixed(3)} s`}; in recovery: ${r.inRecovery}, receiver ${r.receiver ?? "none"}`,
        );
        if (s.state !== "streaming")
          throw new Error(
            `the replica is not streaming (see ${record.logFile}): the primary keeps WAL for slot ${record.slot} meanwhile`,
          );
        return { lagBytes: s.lagBytes, replayLagSeconds: s.replayLagSeconds, port: record.port };
      },
    }),
  ],
});
