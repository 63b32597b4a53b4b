/**
 * Deploy a release on this host
 *
 * Purpose: the single-host deployment, the way a VPS deploy works: resolve a git ref to a commit,
 *   unpack that commit into its own release directory, apply its pending migrations (after a
 *   backup), start its app on a port beside the current release, smoke-check it, switch the load
 *   balancer (a private nginx, see _balancer.ts) to it, then drain and stop the release it
 *   replaces and record it as current (releases/current.json, with the previous release for
 *   `rollback`). A release that fails its smoke check is stopped before it gets any traffic: the
 *   run fails with "rolled back: …", which the audit log keeps.
 *   Zero downtime needs the balancer (lbPort=<port> on the first deploy; later deploys find it) and
 *   another port than the current release's. Without a balancer, deploying onto the current
 *   release's port stops that release first (seconds without service).
 * Sent here by: the Deployment Playbook ("Deployment procedures (VPS)"), after a green
 *   pre-deploy-checklist.
 * Preconditions: a git checkout holding the commit, with `npm ci` done (the release links this
 *   checkout's node_modules, see prepare-release); the environment's DATABASE_URL and Redis
 *   reachable; for staging and production SSP_<ENV>_SESSION_SECRET (or SESSION_SECRET) set;
 *   pg_dump installed when migrations are pending.
 * Blast radius: the environment's app on this host (behind the balancer: none; without it, a
 *   restart), and the schema when the release brings migrations (expand-then-contract: the
 *   previous release keeps working beside them; see the database-migrations page). The smoke
 *   check's throwaway smoke-…@example.invalid account is deleted again.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import { portAnswers } from "../lib/net.ts";
import {
  balancerDir,
  balancerPid,
  nginxBinary,
  nginxInstalled,
  readBalancer,
  switchBalancer,
} from "./_balancer.ts";
import { describeMigrations, migrateCli, portParam, smokeCheck, takeBackup } from "./_lib.ts";
import {
  type CurrentFile,
  currentFile,
  describeRelease,
  type Release,
  readCurrent,
  releaseRunning,
  releasesDir,
  restartCurrent,
  type StartedRelease,
  startRelease,
  stopRelease,
  writeCurrent,
} from "./_releases.ts";

interface Resolved {
  commit: string;
  subject: string;
  dir: string;
  current: CurrentFile | null;
  /** The balancer's listen port when nginx is (or will be) in front of the releases; null without. */
  balancer: number | null;
  /** The port the new release listens on (the parameter, or the idle colour). */
  port: number;
}

export default defineRunbook({
  id: "deploy",
  title: "Deploy a release on this host",
  summary:
    "Unpacks a commit into its release directory, migrates, starts its app beside the current one, smoke-checks it, switches nginx to it, drains the old one and records it as current.",
  guide: "deployment-playbook",
  section: "Deployment procedures (VPS)",
  params: z.object({
    ref: z.string().min(1).default("HEAD").describe("The git ref (branch, tag or commit) to deploy"),
    port: portParam()
      .optional()
      .describe(
        "Port the release's app listens on (127.0.0.1 unless HOST is set); default 3000, behind the balancer the colour not serving (blue 3000, green 3001)",
      ),
    lbPort: portParam()
      .optional()
      .describe(
        "Put nginx in front on this port (first deploy); later deploys find the running balancer themselves",
      ),
  }),
  steps: (step) => [
    step({
      id: "resolve",
      title: "Resolve the ref and read the current release",
      description: "git rev-parse of the ref; current.json; the port is free or the current release's.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<Resolved> {
        const out =
          await ctx.$`git -C ${REPO_ROOT} rev-parse --verify --quiet ${`${ctx.params.ref}^{commit}`}`.nothrow();
        if (out.exitCode !== 0)
          throw new Error(
            `"${ctx.params.ref}" is not a commit in ${REPO_ROOT}: git fetch, or check the spelling`,
          );
        const commit = out.stdout.trim();
        const subject = (
          await ctx.$`git -C ${REPO_ROOT} log -1 --format=${"%s (%an, %cr)"} ${commit}`
        ).stdout.trim();
        ctx.log(`${ctx.params.ref} = ${commit.slice(0, 12)} ${subject}`);
        const current = await readCurrent(ctx.env.name);
        ctx.log(
          current ? `current release: ${describeRelease(current)}` : "no current release on this host yet",
        );
        const balancer = await balancerFor(ctx.params.lbPort);
        const port = ctx.params.port ?? idleColour(balancer, current);
        if (ctx.params.port === undefined)
          ctx.log(`port ${port} (not given: ${balancer ? "the idle colour" : "the default"})`);
        const takesCurrentPort = current !== null && releaseRunning(current) && current.port === port;
        if (!takesCurrentPort && (await portAnswers(port))) {
          throw new Error(
            `port ${port} is in use by something that is not the current release: stop it, or deploy with port=<a free port>`,
          );
        }
        // The release links this checkout's node_modules: its lockfile must be the same.
        const releaseLock = (
          await ctx.$`git -C ${REPO_ROOT} rev-parse ${`${commit}:package-lock.json`}`.nothrow()
        ).stdout.trim();
        const hereLock = (await ctx.$`git -C ${REPO_ROOT} hash-object package-lock.json`).stdout.trim();
        if (releaseLock !== hereLock) {
          const message = `the commit's package-lock.json differs from this checkout's, so this checkout's node_modules may not fit it`;
          if (ctx.env.name !== "dev")
            throw new Error(
              `${message}: check out ${commit.slice(0, 12)} here and run npm ci, then deploy again`,
            );
          ctx.warn(`${message} (allowed in dev)`);
        }
        if (balancer !== null) {
          ctx.log(
            `load balancer: nginx on 127.0.0.1:${balancer}${balancerPid() ? "" : " (starts at the switch)"}`,
          );
          if (current && releaseRunning(current) && current.port === port)
            throw new Error(
              `behind the load balancer the new release starts beside the current one, so it needs another port than ${current.port}: deploy with port=<a free port>`,
            );
        }
        return { commit, subject, dir: path.join(releasesDir(), commit), current, balancer, port };
      },
    }),
    step({
      id: "prepare-release",
      title: "Unpack the release",
      description:
        "git archive of the commit into releases/<commit>, node_modules linked from this checkout.",
      danger: "change",
      timeoutMs: minutes(3),
      plan(ctx) {
        const { dir } = ctx.result<Resolved>("resolve");
        return existsSync(dir)
          ? [`would reuse ${dir} (already unpacked)`]
          : [`would unpack the commit into ${dir} and link node_modules from ${REPO_ROOT}`];
      },
      async run(ctx) {
        const { commit, dir } = ctx.result<Resolved>("resolve");
        const marker = path.join(dir, "RELEASE.json");
        if (existsSync(marker)) {
          const recorded = JSON.parse(readFileSync(marker, "utf8")) as { commit: string };
          if (recorded.commit !== commit)
            throw new Error(`${dir} holds commit ${recorded.commit}, not ${commit}: remove it by hand`);
          ctx.log(`reusing ${dir} (unpacked before)`);
          return { dir, reused: true };
        }
        // Unpacked beside the target and renamed at the end: a half-written release never looks
        // like a release. git archive, not a worktree: the release is plain files, and the
        // checkout's .git gains no worktree entries to prune.
        const partial = `${dir}.partial`;
        await rm(partial, { recursive: true, force: true });
        await mkdir(partial, { recursive: true });
        const started = Date.now();
        await ctx.$`git -C ${REPO_ROOT} archive --format=tar ${commit} | tar -x -C ${partial}`;
        // Not `npm ci`: this host has no registry access (and a release must not depend on it at
        // 3 a.m.). The commit's lockfile was checked against this checkout's in `resolve`, so its
        // node_modules fit; a link costs no disk and no time. A deploy from another commit's
        // lockfile needs a checkout of that commit with npm ci done.
        await symlink(path.join(REPO_ROOT, "node_modules"), path.join(partial, "node_modules"), "dir");
        await writeFile(
          path.join(partial, "RELEASE.json"),
          `${JSON.stringify({ commit, ref: ctx.params.ref, unpackedAt: new Date().toISOString() }, null, 2)}\n`,
        );
        await rename(partial, dir);
        ctx.log(
          `unpacked ${commit.slice(0, 12)} into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        return { dir, reused: false };
      },
    }),
    step({
      id: "migrate",
      title: "Apply the release's migrations",
      description: "The release's migrate CLI: status; if anything is pending, a backup, then up.",
      danger: "change",
      timeoutMs: minutes(15),
      async plan(ctx) {
        const { commit } = ctx.result<Resolved>("resolve");
        const pending = await pendingMigrations(ctx, commit);
        if (pending === null)
          return ["would apply the release's pending migrations (after a pg_dump backup), if any"];
        if (pending.length === 0) return ["no pending migrations in this release: nothing to migrate"];
        return [
          `would back up (pg_dump), then apply ${pending.length} pending migration(s): ${pending.map((m) => m.name).join(", ")}`,
          ...pending.flatMap((m) => (m.contract ? [contractWarning(m.name, m.contract)] : [])),
        ];
      },
      async run(ctx) {
        const { dir, commit } = ctx.result<Resolved>("resolve");
        const cli = path.join(dir, "practice-app/src/db/migrate-cli.ts");
        const before = await migrateCli(ctx, ["status"], cli);
        ctx.log(`before: ${describeMigrations(before)}`);
        for (const m of (await pendingMigrations(ctx, commit)) ?? [])
          if (m.contract) ctx.warn(contractWarning(m.name, m.contract));
        if (before.unknown.length > 0)
          ctx.log(
            `the database has ${before.unknown.length} migration(s) this release does not know (${before.unknown.join(", ")}): fine, migrations are expand-only`,
          );
        if (before.pending.length === 0) {
          ctx.log("nothing to migrate");
          return { applied: [] as string[], backup: null };
        }
        const backup = await takeBackup(ctx, "the deploy's migrations");
        const after = await migrateCli(ctx, ["up"], cli);
        if (after.pending.length > 0)
          throw new Error(`still pending after up: ${after.pending.join(", ")}; read the output above`);
        ctx.log(`applied ${before.pending.length}: ${before.pending.join(", ")}`);
        return { applied: before.pending, backup: backup?.id ?? null };
      },
    }),
    step({
      id: "start",
      title: "Start the release's app",
      description: "Starts the release on the port (stopping the current release first if it has that port).",
      danger: "change",
      timeoutMs: minutes(2),
      plan(ctx) {
        const { current, port } = ctx.result<Resolved>("resolve");
        const lines = [`would start the release's app on port ${port} and wait for /readyz 200`];
        if (current && releaseRunning(current) && current.port === port)
          lines.unshift(
            `would first stop the current release (${describeRelease(current)}): downtime until ready`,
          );
        return lines;
      },
      async run(ctx): Promise<StartedRelease> {
        const { commit, dir, current, port } = ctx.result<Resolved>("resolve");
        let stoppedCurrent = false;
        if (current && releaseRunning(current) && current.port === port) {
          ctx.warn(
            `port ${port} is the current release's: stopping it first (no service until the new one is ready)`,
          );
          await stopRelease(ctx, current);
          stoppedCurrent = true;
        }
        try {
          const started = await startRelease(ctx, {
            commit,
            dir,
            port: port,
          });
          return { ...started, startedAt: new Date().toISOString(), stoppedCurrent };
        } catch (error) {
          if (stoppedCurrent && current)
            await restartCurrent(ctx, current, NEW_RELEASE_FAILED, DEPLOY_ADVICE);
          throw error;
        }
      },
    }),
    step({
      id: "smoke-check",
      title: "Smoke-check the new release",
      description:
        "Its /readyz, system.ping, and a sign-up + exercises.next round trip (a throwaway account, deleted again).",
      danger: "change",
      timeoutMs: seconds(60),
      plan: () => [
        "would check /readyz, system.ping and a sign-up + exercises.next round trip on the new release",
      ],
      async run(ctx) {
        const started = ctx.result<StartedRelease>("start");
        try {
          return await smokeCheck(ctx, started.url);
        } catch (error) {
          // A release that fails its smoke check never becomes current: stop it and put the
          // current one back if it was stopped for the port.
          ctx.warn(`smoke check failed: rolling back (stopping the new release; traffic stays where it was)`);
          const { commit, dir, current, port } = ctx.result<Resolved>("resolve");
          await stopRelease(ctx, releaseOf(ctx.params.ref, commit, dir, port, started));
          if (started.stoppedCurrent && current)
            await restartCurrent(ctx, current, NEW_RELEASE_FAILED, DEPLOY_ADVICE);
          // "rolled back" first: the audit log keeps this message as the step's error.
          throw new Error(
            `rolled back: the new release failed its smoke check (${error instanceof Error ? error.message : String(error)}) and was stopped before it got traffic; ${
              current ? `the current release is ${describeRelease(current)}` : "nothing runs now"
            }. Its log: ${started.logFile}`,
          );
        }
      },
    }),
    step({
      id: "switch",
      title: "Switch the load balancer to the new release",
      description:
        "Rewrites nginx's upstream to the new release and reloads (graceful); without a balancer, nothing to do.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const { balancer, port } = ctx.result<Resolved>("resolve");
        return balancer === null
          ? ["no load balancer: the new release serves on its own port"]
          : [
              `would send 127.0.0.1:${balancer} to the new release on port ${port} (nginx reload; old workers finish their requests)`,
            ];
      },
      async run(ctx) {
        const { balancer, current, commit, dir, port } = ctx.result<Resolved>("resolve");
        if (balancer === null) {
          ctx.log("no load balancer on this host (deploy with lbPort=<port> to put nginx in front)");
          return { switched: false };
        }
        try {
          return {
            switched: true,
            ...(await switchBalancer(ctx, {
              listenPort: balancer,
              appPort: port,
            })),
          };
        } catch (error) {
          ctx.warn(
            "the switch failed: rolling back (traffic back to the current release, the new one stopped)",
          );
          const started = ctx.result<StartedRelease>("start");
          if (current && releaseRunning(current)) {
            try {
              await switchBalancer(ctx, { listenPort: balancer, appPort: current.port });
            } catch (again) {
              // upstream.conf names the current release again either way, so no later reload
              // sends traffic to the stopped one; nginx itself needs a look.
              ctx.warn(
                `switching back failed too (${again instanceof Error ? again.message : String(again)}): upstream.conf names port ${current.port} again; read nginx's error.log`,
              );
            }
          }
          await stopRelease(ctx, releaseOf(ctx.params.ref, commit, dir, port, started));
          throw new Error(
            `rolled back: the load balancer did not switch to the new release (${error instanceof Error ? error.message : String(error)}); nginx's log: ${path.join(balancerDir(), "error.log")}`,
          );
        }
      },
    }),
    step({
      id: "record",
      title: "Drain the replaced release and record",
      description:
        "Stops the replaced release if it still runs (SIGTERM: it drains), and writes releases/current.json.",
      danger: "change",
      timeoutMs: seconds(45),
      plan: () => [`would stop the replaced release (if running) and record the new one in ${currentFile()}`],
      async run(ctx) {
        const { commit, dir, current, port } = ctx.result<Resolved>("resolve");
        const started = ctx.result<StartedRelease>("start");
        const release = releaseOf(ctx.params.ref, commit, dir, port, started);
        // After the switch: nginx no longer sends it anything, and SIGTERM lets it finish what it holds.
        if (current && releaseRunning(current)) await stopRelease(ctx, current);
        const previous: Release | null = current ? { ...stripChain(current), pid: null } : null;
        const older = current
          ? [current.previous, ...current.older].filter((r): r is Release => r !== null).slice(0, 8)
          : [];
        await writeCurrent({ ...release, env: ctx.env.name, previous, older });
        ctx.log(`current: ${describeRelease(release)}`);
        ctx.log(
          previous
            ? `previous (rollback target): ${describeRelease(previous)}`
            : "previous: none (first release)",
        );
        ctx.log(`recorded in ${currentFile()}; next: post-deploy-verify`);
        return {
          commit,
          port: release.port,
          pid: release.pid,
          url: started.url,
          previous: previous?.commit ?? null,
        };
      },
    }),
  ],
});

function releaseOf(ref: string, commit: string, dir: string, port: number, started: StartedRelease): Release {
  return {
    commit,
    ref,
    dir,
    port,
    pid: started.pid,
    logFile: started.logFile,
    deployedAt: started.startedAt,
    startedAt: started.startedAt,
  };
}

interface PendingMigration {
  name: string;
  /** The contract-like statement in its Up part (DROP COLUMN, RENAME, …), or null. */
  contract: string | null;
}

const CONTRACT =
  /\b(DROP\s+(?:COLUMN|TABLE)|RENAME\s+(?:COLUMN|TO)|SET\s+NOT\s+NULL|ALTER\s+COLUMN\s+\S+\s+(?:SET\s+DATA\s+)?TYPE)\b/i;

/**
 * The commit's migrations the database has not applied, read from git and pgmigrations (so a plan
 * can show them before anything is unpacked), each with the contract-like statement it holds.
 * Null when the database cannot tell (no pgmigrations table yet, or unreachable).
 */
async function pendingMigrations(
  ctx: Parameters<typeof startRelease>[0],
  commit: string,
): Promise<PendingMigration[] | null> {
  let applied: Set<string>;
  try {
    applied = new Set((await ctx.sql<{ name: string }>("SELECT name FROM pgmigrations")).map((r) => r.name));
  } catch {
    return null;
  }
  const listing = await ctx.$`git -C ${REPO_ROOT} ls-tree --name-only ${commit} practice-app/migrations/`;
  const pending: PendingMigration[] = [];
  for (const file of listing.stdout.split("\n").filter((f) => f.endsWith(".sql"))) {
    const name = path.basename(file, ".sql");
    if (applied.has(name)) continue;
    const sql = (await ctx.$`git -C ${REPO_ROOT} show ${`${commit}:${file}`}`).stdout;
    // Only the Up part: a Down part always drops what its Up added.
    const up = sql.split(/^--\s*Down Migration/im)[0] ?? "";
    const withoutComments = up.replace(/--.*$/gm, "");
    pending.push({ name, contract: CONTRACT.exec(withoutComments)?.[1]?.toUpperCase() ?? null });
  }
  return pending.sort((a, b) => a.name.localeCompare(b.name));
}

function contractWarning(name: string, statement: string): string {
  return `${name} contracts the schema (${statement.replace(/\s+/g, " ")}): the release serving now keeps running until the switch, so it must not use what this removes (expand-then-contract, see the database-migrations page)`;
}

/** Blue/green: behind the balancer, the colour the current release does not use; else 3000. */
function idleColour(balancer: number | null, current: CurrentFile | null): number {
  const [blue, green] = [3000, 3001];
  if (balancer === null || !current || !releaseRunning(current)) return blue;
  return current.port === blue ? green : blue;
}

/**
 * The balancer's listen port for this deploy: the running balancer's, or lbPort to start one.
 * Null when the releases serve on their own ports (no nginx in front).
 */
async function balancerFor(lbPort: number | undefined): Promise<number | null> {
  const state = await readBalancer();
  if (balancerPid() && state) {
    if (lbPort !== undefined && lbPort !== state.listenPort)
      throw new Error(
        `the load balancer on this host listens on ${state.listenPort}, not ${lbPort}: leave lbPort out (or stop that nginx first)`,
      );
    return state.listenPort;
  }
  if (lbPort === undefined) return null;
  if (!nginxInstalled())
    throw new Error(`lbPort needs nginx, and there is none at ${nginxBinary()}: apt-get install nginx-light`);
  if (await portAnswers(lbPort))
    throw new Error(`port ${lbPort} is in use, so nginx cannot listen on it: pick another lbPort`);
  return lbPort;
}

const NEW_RELEASE_FAILED = "the new release failed";
const DEPLOY_ADVICE = "run the rollback runbook or start it by hand";

/** The release fields of a current.json entry, without its chain of previous releases. */
function stripChain(current: CurrentFile): Release {
  const { commit, ref, dir, port, pid, logFile, deployedAt, startedAt } = current;
  return { commit, ref, dir, port, pid, logFile, deployedAt, startedAt };
}
