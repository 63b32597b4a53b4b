/**
 * Rotate the database password
 *
 * Purpose: give the app's database role a new password without an edit of DATABASE_URL and without
 *   a failed request: generate it, ALTER ROLE with its SCRAM verifier (the clear password never
 *   leaves this process), write it to the password file the instances read (DATABASE_PASSWORD_FILE,
 *   0600, atomic rename; the app reads the file for each new connection), restart the instances one
 *   at a time so no connection opened with the old password stays, end any other session opened
 *   with it, then prove the app works and the old password is refused.
 * Sent here by: a suspected leak of the password (Incident Response, "Security incidents": rotate
 *   secrets), someone with the password leaving, the quarterly access review.
 * Preconditions: the role is the user of the environment's DATABASE_URL, and the instances behind
 *   this host's nginx (add-instance) read DATABASE_PASSWORD_FILE = the file here (passwordFile, or
 *   SSP_<ENV>_DATABASE_PASSWORD_FILE, or in dev <data dir>/database-password); at least two serving
 *   ports. The file holds the role's current password (checked before anything changes).
 * Blast radius: one instance out of the upstream at a time (as rolling-restart). Every other client
 *   of the role (a psql session, a release deploy started, the operator's own DATABASE_URL with the
 *   old password) is cut off or refused afterwards: that is the point. Nothing is printed: every
 *   password and verifier is masked in output, audit and stored runs.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { readiness } from "../lib/app-api.ts";
import { upstreamPorts } from "./_balancer.ts";
import {
  connectWith,
  newPassword,
  passwordFileOf,
  readPasswordFile,
  roleOf,
  scramVerifier,
  writePasswordFile,
} from "./_db-password.ts";
import type { Ctx } from "./_lib.ts";
import {
  currentPool,
  describeMembers,
  memberRunning,
  RESTART_TIMEOUT_PARAMS,
  restartInTurn,
} from "./_pool.ts";
import { databasePasswordFile, databasePasswordFileVariable } from "./_releases.ts";

/**
 * The old and new password of a run, in this process only: step results are stored (masked), so
 * a value a later step needs cannot travel through them. A resumed run in another process finds
 * nothing here and says what to check by hand.
 */
const passwords = new Map<string, { old: string; next: string }>();

interface Checked {
  role: string;
  file: string;
  order: number[];
}

interface Rotated {
  rotatedAt: string;
}

function passwordsOf(ctx: Pick<Ctx, "env"> & { runId: string }): { old: string; next: string } {
  const known = passwords.get(ctx.runId);
  if (!known)
    throw new Error(
      "this process does not hold the run's passwords (a resumed run): check by hand that the app answers /readyz 200 and that a psql log-in with the old password is refused",
    );
  return known;
}

export default defineRunbook({
  id: "rotate-database-password",
  title: "Rotate the database password",
  summary:
    "New password for the app's role (ALTER ROLE with a SCRAM verifier), written to the app's DATABASE_PASSWORD_FILE, rolling restart, old sessions ended, the app verified and the old password proven refused.",
  guide: "incident-response",
  section: "Security incidents",
  // It restarts the pool's members from this checkout's app with node (_pool.ts).
  executes: ["../../practice-app/src/main.ts"],
  params: z.object({
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The file the instances' DATABASE_PASSWORD_FILE names; default SSP_<ENV>_DATABASE_PASSWORD_FILE, in dev <data dir>/database-password",
      ),
    endOldSessions: z
      .boolean()
      .default(true)
      .describe(
        "After the restart, end every other session of the role opened before the rotation (one opened with a leaked password stays open otherwise)",
      ),
    ...RESTART_TIMEOUT_PARAMS,
  }),
  steps: (step) => [
    step({
      id: "check",
      title: "Check the role, the password file and the instances",
      description:
        "The role of DATABASE_URL; the password file authenticates now; every instance reads that file; two ports serve.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Checked> {
        const { role, bareUrl } = roleOf(ctx.env.databaseUrl);
        const configured = ctx.params.passwordFile ?? databasePasswordFile(ctx.env.name);
        if (!configured)
          throw new Error(
            `no password file: pass passwordFile=<the file the instances' DATABASE_PASSWORD_FILE names> or set ${databasePasswordFileVariable(ctx.env.name)}; instances that take the password from DATABASE_URL cannot be rotated without an edit of it`,
          );
        const file = path.resolve(configured);
        if (!existsSync(file))
          throw new Error(`${file} does not exist: write the role's current password to it (mode 600) first`);
        const info = await stat(file);
        const current = await readPasswordFile(file);
        if (!current) throw new Error(`${file} holds no password (the app would fail to connect): repair it`);
        ctx.secret(current);
        if ((info.mode & 0o077) !== 0)
          ctx.warn(
            `${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}): the new file is written 600`,
          );
        const attempt = await connectWith(bareUrl, current);
        if (!attempt.ok)
          throw new Error(
            `the password in ${file} does not log in as ${role} (${attempt.code}: ${attempt.message}): the file is not the role's current password; nothing was changed`,
          );
        await attempt.client.end();
        ctx.log(`role ${role}: the password in ${file} logs in (last changed ${info.mtime.toISOString()})`);

        const pool = await currentPool();
        await describeMembers(ctx, pool);
        const { ports, release } = await upstreamPorts(pool);
        if (pool.members.length === 0)
          throw new Error(
            "no instance was added with add-instance on this host: nothing reads the file here",
          );
        if (ports.length < 2)
          throw new Error(
            `only port ${ports.join("")} serves: restarting it would leave nothing behind the balancer; add an instance first (add-instance)`,
          );
        for (const m of pool.members) {
          if (!memberRunning(m)) continue;
          const reads = passwordFileOf(m.pid);
          if (reads === undefined) {
            ctx.warn(
              `port ${m.port}: cannot see which password file pid ${m.pid} reads; the restart sets it`,
            );
          } else if (reads !== file) {
            // Between ALTER ROLE and its restart it would fail every new connection.
            throw new Error(
              `port ${m.port} (pid ${m.pid}) reads ${reads ?? "no password file"}, not ${file}: run rolling-restart with ${databasePasswordFileVariable(ctx.env.name)}=${file} first; nothing was changed`,
            );
          }
        }
        if (release !== null)
          ctx.warn(
            `the release on port ${release} is not restarted here: its connections opened with the old password are ended (endOldSessions) and it reconnects with the file's password only if it reads ${file}`,
          );
        ctx.log(`every instance reads ${file}; restart order: ${pool.members.map((m) => m.port).join(", ")}`);
        return { role, file, order: pool.members.map((m) => m.port) };
      },
    }),
    step({
      id: "set-password",
      title: "New password: ALTER ROLE, then the password file",
      description:
        "Generates a password, stores its SCRAM verifier with ALTER ROLE, writes the password to the file (0600, atomic).",
      danger: "change",
      timeoutMs: seconds(30),
      plan(ctx) {
        const { role, file } = ctx.result<Checked>("check");
        return [
          `would generate a 256-bit password and run ALTER ROLE ${role} PASSWORD '<SCRAM verifier>' (computed here; the clear password is never sent)`,
          `would write it to ${file} (600, temp file + rename): new connections of every instance use it at once`,
          "if the file cannot be written, the old password is put back on the role",
        ];
      },
      async run(ctx): Promise<Rotated> {
        const { role, file } = ctx.result<Checked>("check");
        const { bareUrl } = roleOf(ctx.env.databaseUrl);
        // Re-read: the file may have changed since the check.
        const old = await readPasswordFile(file);
        if (!old) throw new Error(`${file} became empty since the check: repair it by hand`);
        ctx.secret(old);
        const next = newPassword();
        ctx.secret(next);
        const attempt = await connectWith(bareUrl, old);
        if (!attempt.ok)
          throw new Error(`${file} no longer logs in as ${role} (${attempt.code}); nothing was changed`);
        const client = attempt.client;
        try {
          const verifier = scramVerifier(next);
          ctx.secret(verifier);
          await client.query(
            `ALTER ROLE ${client.escapeIdentifier(role)} PASSWORD ${client.escapeLiteral(verifier)}`,
          );
          // The server's clock: end-old-sessions compares it with backend_start, also the server's.
          const { rows } = await client.query<{ at: string }>(
            `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`,
          );
          const rotatedAt = rows[0]?.at ?? new Date().toISOString();
          try {
            await writePasswordFile(file, next);
          } catch (error) {
            // The instances still read the old password: the role must keep it, or they lose the database.
            const back = scramVerifier(old);
            ctx.secret(back);
            await client.query(
              `ALTER ROLE ${client.escapeIdentifier(role)} PASSWORD ${client.escapeLiteral(back)}`,
            );
            throw new Error(
              `could not write ${file} (${(error as Error).message}); the role's old password was put back, nothing else changed`,
            );
          }
          passwords.set(ctx.runId, { old, next });
          ctx.log(`role ${role}: new password set at ${rotatedAt} and written to ${file} (600)`);
          return { rotatedAt };
        } finally {
          await client.end();
        }
      },
    }),
    step({
      id: "rolling-restart",
      title: "Restart the instances one at a time",
      description:
        "As rolling-restart: out of the upstream, graceful stop, start, /readyz 200 with the new password, back in.",
      danger: "change",
      timeoutMs: minutes(15),
      async plan(_ctx) {
        const pool = await currentPool();
        return pool.members.map(
          (m) =>
            `port ${m.port}: remove from upstream + reload, SIGTERM pid ${m.pid}, start again, wait ready, add back + reload`,
        );
      },
      async run(ctx) {
        const { order } = ctx.result<Checked>("check");
        const restarted = await restartInTurn(ctx, order, {
          stopTimeoutMs: ctx.params.stopTimeoutSeconds * 1000,
          readyTimeoutMs: ctx.params.readyTimeoutSeconds * 1000,
        });
        return { restarted };
      },
    }),
    step({
      id: "end-old-sessions",
      title: "End the role's sessions opened with the old password",
      description:
        "Terminates every session of the role that started before the rotation (none of the restarted instances' own).",
      danger: "change",
      timeoutMs: seconds(30),
      plan(ctx) {
        const { role } = ctx.result<Checked>("check");
        return ctx.params.endOldSessions
          ? [`would terminate every session of ${role} that started before the new password was set`]
          : ["endOldSessions=false: sessions opened with the old password stay open"];
      },
      async run(ctx) {
        const { role } = ctx.result<Checked>("check");
        const { rotatedAt } = ctx.result<Rotated>("set-password");
        const { next } = passwordsOf(ctx);
        const attempt = await connectWith(roleOf(ctx.env.databaseUrl).bareUrl, next);
        if (!attempt.ok)
          throw new Error(
            `the new password does not log in as ${role} (${attempt.code}: ${attempt.message})`,
          );
        try {
          const { rows } = await attempt.client.query<{
            pid: number;
            application_name: string;
            client_addr: string | null;
            backend_start: string;
          }>(
            `SELECT pid, application_name, client_addr::text, backend_start::text
               FROM pg_stat_activity
              WHERE usename = $1 AND backend_start < $2 AND pid <> pg_backend_pid()`,
            [role, rotatedAt],
          );
          for (const r of rows)
            ctx.log(
              `  pid ${r.pid} ${r.application_name || "(no application_name)"} from ${r.client_addr ?? "local socket"}, since ${r.backend_start}`,
            );
          if (!ctx.params.endOldSessions) {
            if (rows.length > 0)
              ctx.warn(
                `${rows.length} session(s) opened with the old password stay open (endOldSessions=false)`,
              );
            return { ended: 0, left: rows.length };
          }
          let ended = 0;
          for (const r of rows) {
            const { rows: done } = await attempt.client.query<{ ok: boolean }>(
              "SELECT pg_terminate_backend($1) AS ok",
              [r.pid],
            );
            if (done[0]?.ok) ended += 1;
          }
          ctx.log(
            rows.length === 0
              ? "no session of the old password is left: the restart replaced them all"
              : `ended ${ended} of ${rows.length} session(s) opened with the old password`,
          );
          return { ended, left: rows.length - ended };
        } finally {
          await attempt.client.end();
        }
      },
    }),
    step({
      id: "verify",
      title: "Verify: the app works, the old password is refused",
      description:
        "Every instance and the balancer answer /readyz 200; the new password logs in; the old one gets 28P01.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const { role } = ctx.result<Checked>("check");
        const { old, next } = passwordsOf(ctx);
        const { bareUrl } = roleOf(ctx.env.databaseUrl);
        const pool = await currentPool();
        for (const m of pool.members) {
          const r = await readiness(ctx, m.url, 5_000);
          if (r.httpStatus !== 200)
            throw new Error(`port ${m.port}: /readyz ${r.httpStatus} (${r.status}) after the rotation`);
          ctx.log(
            `port ${m.port}: /readyz 200 (PostgreSQL checked with a connection opened since the rotation)`,
          );
        }
        const through = await readiness(ctx, `http://127.0.0.1:${pool.listenPort}`, 5_000);
        if (through.httpStatus !== 200)
          throw new Error(`the balancer's /readyz answered ${through.httpStatus} (${through.status})`);
        ctx.log(`balancer 127.0.0.1:${pool.listenPort}: /readyz 200`);

        const fresh = await connectWith(bareUrl, next);
        if (!fresh.ok) throw new Error(`the new password does not log in as ${role} (${fresh.code})`);
        await fresh.client.end();
        ctx.log(`role ${role}: the new password logs in`);

        const refused = await connectWith(bareUrl, old);
        if (refused.ok) {
          await refused.client.end();
          throw new Error(
            `the OLD password still logs in as ${role}: the server does not check passwords for this address (pg_hba.conf trust?) or ALTER ROLE did not apply; fix pg_hba.conf to scram-sha-256`,
          );
        }
        if (refused.code !== "28P01")
          throw new Error(
            `the old password was refused, but not as a wrong password (${refused.code}: ${refused.message}): check by hand`,
          );
        ctx.log(`role ${role}: the old password is refused (28P01 password authentication failed)`);
        passwords.delete(ctx.runId);
        if (new URL(ctx.env.databaseUrl).password)
          ctx.warn(
            `this environment's DATABASE_URL still carries the old password: give the operators' setting the new one (or a secret reference to ${ctx.result<Checked>("check").file}) before the next runbook`,
          );
        return { instances: pool.members.length, oldPassword: "refused" };
      },
    }),
  ],
});
