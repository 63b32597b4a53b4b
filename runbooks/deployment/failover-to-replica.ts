/**
 * Fail over to the replica
 *
 * Purpose: make the streaming replica create-replica set up the primary: check its lag, fence the
 *   old primary (it refuses writes from then on and its sessions are ended), wait until the
 *   replica has replayed everything the old primary wrote, pg_promote(), point the app at the new
 *   primary (the environment's DATABASE_URL setting, then each instance restarted on it), and
 *   verify a write through the app lands on the new primary.
 * Sent here by: the primary's host or disk failing, or degrading past repair (Deployment Playbook,
 *   "Disaster recovery"); a planned move of the primary (maintenance of its host).
 * Preconditions: a replica recorded by create-replica on this host; the environment's
 *   DATABASE_URL setting is a file: secret reference (SSP_<ENV>_DATABASE_URL=file:/path) or, for
 *   dev, the stack file npm start wrote, so the runbook can repoint it; run on the host of the
 *   instances (add-instance's pool) when they run here.
 * Blast radius: writes fail from the fence until the instances run on the new primary (seconds);
 *   the old primary stays read-only (ALTER SYSTEM) until an operator rebuilds it as a replica.
 *   With oldPrimary=lost, whatever the replica had not received is lost (its lag, shown first).
 */
import { randomBytes } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { environmentVariables } from "../engine/environments.ts";
import { devStackFile } from "../engine/paths.ts";
import { readStateFile, writeStateFile } from "../engine/state-files.ts";
import { expectOk, trpc } from "../lib/app-api.ts";
import { withDatabase } from "../lib/backups.ts";
import { waitFor } from "../lib/process.ts";
import { applyPool, upstreamPorts } from "./_balancer.ts";
import type { Ctx } from "./_lib.ts";
import { answersThroughBalancer, currentPool, memberRunning, startMember, stopMember } from "./_pool.ts";
import {
  readReplicaRecord,
  replicaRecordFile,
  replicaState,
  replicaUrl,
  streamState,
  writeReplicaRecord,
} from "./_replica.ts";

interface Check {
  port: number;
  lagBytes: number | null;
  config: { kind: "file" | "dev-stack"; path: string; variable: string };
}

/** Where the environment's DATABASE_URL comes from, when the runbook can rewrite it. */
function configTarget(ctx: Pick<Ctx, "env">): Check["config"] {
  const variable = environmentVariables(ctx.env.name).databaseUrl;
  const reference = ctx.env.references[variable];
  if (reference?.startsWith("file:")) return { kind: "file", path: reference.slice(5), variable };
  if (ctx.env.name === "dev" && !process.env[variable])
    return { kind: "dev-stack", path: devStackFile(), variable };
  throw new Error(
    `${variable} is ${reference ? `the reference ${reference}` : "set in the shell"}, which this runbook cannot rewrite: keep the URL in a file (0600) and set ${variable}=file:/path/to/it, then run again. Nothing was changed`,
  );
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(3).toString("hex")}.tmp`,
  );
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, file);
}

export default defineRunbook({
  id: "failover-to-replica",
  title: "Fail over to the replica",
  summary:
    "Checks the replica's lag, fences the old primary, waits for the replica to catch up, pg_promote(), repoints DATABASE_URL and restarts the instances on it, verifies a write.",
  guide: "deployment-playbook",
  section: "Disaster recovery",
  // It starts pool members from this checkout's app with node (_pool.ts startMember).
  executes: ["../../practice-app/src/main.ts"],
  params: z.object({
    oldPrimary: z
      .enum(["fence", "lost"])
      .default("fence")
      .describe(
        '"fence": the old primary answers; make it refuse writes and wait for the replica to have everything. "lost": it is gone; promote what the replica has',
      ),
    maxLagBytes: z.coerce
      .number()
      .int()
      .min(0)
      .default(16 * 1024 * 1024)
      .describe("Refuse to fence when the replica is further behind than this (bytes of WAL)"),
    catchUpSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(600)
      .default(60)
      .describe("How long the replica may take to replay the old primary's last write after the fence"),
    readyTimeoutSeconds: z.coerce
      .number()
      .int()
      .min(5)
      .max(150)
      .default(45)
      .describe("How long each restarted instance may take to answer /readyz 200"),
  }),
  steps: (step) => [
    step({
      id: "check",
      title: "Check the replica, its lag and the configuration to repoint",
      description:
        "The recorded replica answers and is in recovery; the old primary streams to it within maxLagBytes; DATABASE_URL can be rewritten.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Check> {
        const record = await readReplicaRecord(ctx.env.name);
        if (!record)
          throw new Error(
            `no replica of ${ctx.env.name} is recorded in ${replicaRecordFile(ctx.env.name)}: run create-replica first`,
          );
        if (record.promotedAt)
          throw new Error(
            `the replica on port ${record.port} was already promoted at ${record.promotedAt}: it is the primary`,
          );
        const config = configTarget(ctx);
        ctx.log(
          `configuration to repoint: ${config.kind === "file" ? `${config.variable}=file:${config.path}` : `the dev stack file ${config.path}`}`,
        );
        const url = replicaUrl(ctx.env.databaseUrl, record.port);
        const r = await replicaState(url, ctx.signal).catch((error: Error) => {
          throw new Error(
            `the replica on 127.0.0.1:${record.port} does not answer (${error.message}): see ${record.logFile}`,
          );
        });
        if (!r.inRecovery)
          throw new Error(`the server on port ${record.port} is not a replica (not in recovery)`);
        ctx.log(
          `replica 127.0.0.1:${record.port}: in recovery, replayed up to ${r.replayLsn}, receiver ${r.receiver ?? "none"}`,
        );
        let lagBytes: number | null = null;
        if (ctx.params.oldPrimary === "fence") {
          const s = await streamState(ctx.env.databaseUrl, record.slot, ctx.signal).catch((error: Error) => {
            throw new Error(
              `the old primary does not answer (${error.message}): if it is gone, run with oldPrimary=lost (what the replica lacks is lost)`,
            );
          });
          lagBytes = s.lagBytes;
          ctx.log(`old primary → replica: ${s.state ?? "NOT streaming"}, ${s.lagBytes ?? "?"} bytes behind`);
          if (s.state !== "streaming")
            throw new Error(
              `the replica is not streaming from the primary (see ${record.logFile}): fix it first`,
            );
          if ((s.lagBytes ?? 0) > ctx.params.maxLagBytes)
            throw new Error(
              `the replica is ${s.lagBytes} bytes behind, more than maxLagBytes=${ctx.params.maxLagBytes}: wait, or raise the limit`,
            );
        } else ctx.warn(`oldPrimary=lost: whatever the old primary wrote after ${r.replayLsn} is lost`);
        const pool = await currentPool();
        ctx.log(
          `instances on this host to restart on the new primary: ${pool.members.map((m) => m.port).join(", ") || "none"}`,
        );
        return { port: record.port, lagBytes, config };
      },
    }),
    step({
      id: "fence",
      title: "Fence the old primary",
      description:
        "ALTER SYSTEM SET default_transaction_read_only = on, reload, end every client session; a new write is refused. Records the old primary's last WAL position.",
      danger: "destructive",
      timeoutMs: seconds(60),
      plan(ctx) {
        if (ctx.params.oldPrimary === "lost") return ["oldPrimary=lost: nothing to fence"];
        return [
          "would ALTER SYSTEM SET default_transaction_read_only = on on the old primary and reload it",
          "would end every client session there (the app's included: its writes fail until it runs on the new primary)",
        ];
      },
      async run(ctx) {
        if (ctx.params.oldPrimary === "lost") {
          ctx.warn(
            "oldPrimary=lost: not fenced. If it comes back, keep it away from the app and rebuild it as a replica",
          );
          return { fenceLsn: null };
        }
        const fenceLsn = await withDatabase(
          ctx.env.databaseUrl,
          async (db) => {
            await db.query("ALTER SYSTEM SET default_transaction_read_only = on");
            await db.query("SELECT pg_reload_conf()");
            const { rows: ended } = await db.query<{ n: number }>(
              `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
            );
            ctx.log(`old primary: read-only from now on; ended ${ended[0]?.n ?? 0} client session(s)`);
            // After the sessions are gone nothing more is written: this is what the replica must have.
            const { rows } = await db.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
            return rows[0]?.lsn ?? null;
          },
          { signal: ctx.signal, applicationName: "runbook failover" },
        );
        // Proof from a new session that a write is refused (the setting reaches new sessions after the reload).
        const refused = await withDatabase(ctx.env.databaseUrl, async (db) => {
          try {
            await db.query("CREATE TEMP TABLE failover_fence_probe (x int)");
            return null;
          } catch (error) {
            return (error as { code?: string }).code ?? "error";
          }
        });
        if (refused !== "25006")
          throw new Error(
            `the old primary still accepted a write after the fence (${refused ?? "CREATE succeeded"}): do not promote; check its configuration`,
          );
        ctx.log(
          `a new write on the old primary is refused (read-only transaction); its last WAL position ${fenceLsn}`,
        );
        return { fenceLsn };
      },
    }),
    step({
      id: "catch-up",
      title: "Wait for the replica to replay the old primary's last write",
      description:
        "Polls the replica until it has replayed up to the fence's WAL position (nothing acknowledged is lost).",
      danger: "read",
      timeoutMs: minutes(11),
      async run(ctx) {
        const { port } = ctx.result<Check>("check");
        const { fenceLsn } = ctx.result<{ fenceLsn: string | null }>("fence");
        const url = replicaUrl(ctx.env.databaseUrl, port);
        if (!fenceLsn) {
          const r = await replicaState(url, ctx.signal);
          ctx.warn(
            `no fence position (old primary lost): promoting what the replica replayed, up to ${r.replayLsn}`,
          );
          return { replayLsn: r.replayLsn };
        }
        const started = Date.now();
        const replayLsn = await waitFor(
          () =>
            withDatabase(url, async (db) => {
              const { rows } = await db.query<{ done: boolean; lsn: string }>(
                "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0 AS done, pg_last_wal_replay_lsn()::text AS lsn",
                [fenceLsn],
              );
              return rows[0]?.done ? rows[0].lsn : undefined;
            }),
          {
            timeoutMs: ctx.params.catchUpSeconds * 1000,
            intervalMs: 100,
            signal: ctx.signal,
            what: `the replica replaying up to ${fenceLsn}`,
          },
        );
        ctx.log(
          `replica replayed up to ${replayLsn} (≥ ${fenceLsn}) in ${((Date.now() - started) / 1000).toFixed(2)} s: nothing written is missing`,
        );
        return { replayLsn };
      },
    }),
    step({
      id: "promote",
      title: "Promote the replica",
      description: "SELECT pg_promote(): the replica leaves recovery and accepts writes; the record says so.",
      danger: "destructive",
      timeoutMs: seconds(90),
      plan(ctx) {
        const { port } = ctx.result<Check>("check");
        return [`would run pg_promote() on 127.0.0.1:${port}: from then on it is the primary`];
      },
      async run(ctx) {
        const { port } = ctx.result<Check>("check");
        const url = replicaUrl(ctx.env.databaseUrl, port);
        await withDatabase(url, async (db) => {
          const { rows } = await db.query<{ ok: boolean }>("SELECT pg_promote(true, 60) AS ok");
          if (!rows[0]?.ok) throw new Error("pg_promote() did not finish within 60 s: see the replica's log");
        });
        const r = await replicaState(url, ctx.signal);
        if (r.inRecovery) throw new Error("the replica is still in recovery after pg_promote()");
        const record = await readReplicaRecord(ctx.env.name);
        if (record) await writeReplicaRecord({ ...record, promotedAt: new Date().toISOString() });
        ctx.log(`promoted: 127.0.0.1:${port} is the primary and accepts writes`);
        return { promoted: true };
      },
    }),
    step({
      id: "repoint",
      title: "Point the app at the new primary",
      description:
        "Rewrites the environment's DATABASE_URL (the file its reference names, or the dev stack file), then restarts each instance on this host on it (rolling-restart's helpers).",
      danger: "change",
      timeoutMs: minutes(15),
      async plan(ctx) {
        const { config, port } = ctx.result<Check>("check");
        const pool = await currentPool();
        return [
          `would write the new primary (127.0.0.1:${port}) into ${config.path}`,
          ...pool.members.map(
            (m) => `would restart the instance on port ${m.port} (pid ${m.pid}) on the new primary`,
          ),
        ];
      },
      async run(ctx) {
        const { config, port } = ctx.result<Check>("check");
        const url = replicaUrl(ctx.env.databaseUrl, port);
        ctx.secret(url);
        if (config.kind === "file") await writeAtomic(config.path, `${url}\n`);
        else {
          const stack = await readStateFile<Record<string, unknown>>("dev-stack", config.path);
          // 0600: the URL may carry the database password.
          await writeStateFile("dev-stack", config.path, { ...stack, databaseUrl: url }, { mode: 0o600 });
        }
        ctx.log(`${config.path} now names the new primary 127.0.0.1:${port}: runs from now on use it`);
        // The instances read DATABASE_URL when they start: each one restarts on the new primary.
        const onNew = { ...ctx, env: { ...ctx.env, databaseUrl: url } };
        const restarted: number[] = [];
        for (const port of (await currentPool()).members.map((m) => m.port)) {
          const pool = await currentPool();
          const old = pool.members.find((m) => m.port === port);
          if (!old) continue;
          const { ports } = await upstreamPorts(pool);
          const others = { ...pool, members: pool.members.filter((m) => m.port !== port) };
          // With another port serving, this one leaves the upstream first, as in rolling-restart.
          if (ports.length >= 2) await applyPool(ctx, others);
          if (memberRunning(old)) await stopMember(ctx, old, 20_000);
          const fresh = await startMember(onNew, port, ctx.params.readyTimeoutSeconds * 1000);
          await applyPool(ctx, { ...others, members: [...others.members, fresh] });
          await answersThroughBalancer(ctx, pool.listenPort, port);
          ctx.log(`port ${port}: pid ${old.pid} → ${fresh.pid}, on the new primary`);
          restarted.push(port);
        }
        if (restarted.length === 0)
          ctx.warn(
            "no instance on this host (add-instance's pool): restart the app where it runs; its DATABASE_URL now names the new primary",
          );
        return { restarted };
      },
    }),
    step({
      id: "verify-write",
      title: "Verify a write through the app lands on the new primary",
      description:
        "Signs up a throwaway account through the app, finds it on the new primary, deletes it there.",
      danger: "change",
      timeoutMs: seconds(45),
      plan: () => [
        "would sign up smoke-<time>@example.invalid through the app, find it on the new primary and delete it",
      ],
      async run(ctx) {
        const { port } = ctx.result<Check>("check");
        const url = replicaUrl(ctx.env.databaseUrl, port);
        const email = `failover-${Date.now()}-${randomBytes(2).toString("hex")}@example.invalid`;
        const password = `failover-${randomBytes(12).toString("hex")}`;
        ctx.secret(password);
        const signUp = await trpc<{ token: string; learner: { id: string } }>(
          ctx,
          ctx.env.appUrl,
          "accounts.signUp",
          {
            mutation: true,
            input: { email, password, displayName: "failover check" },
          },
        );
        const { token } = expectOk(signUp);
        ctx.secret(token);
        const found = await withDatabase(url, async (db) => {
          const { rows } = await db.query<{ id: string }>(
            "DELETE FROM learners WHERE email = $1 RETURNING id::text AS id",
            [email],
          );
          return rows.length;
        });
        if (found !== 1)
          throw new Error(
            `the sign-up through ${ctx.env.appUrl} answered ${signUp.status} but is not on the new primary: the app still writes elsewhere`,
          );
        ctx.log(
          `sign-up through the app (${signUp.ms} ms) is on the new primary 127.0.0.1:${port}; removed again`,
        );
        return { verified: true };
      },
    }),
  ],
});
