/**
 * Roll back to the previous release on this host
 *
 * Purpose: put the release that served before the current one back: start it (from its release
 *   directory, on its port), smoke-check it, switch the load balancer back to it (when nginx is in
 *   front: no request fails), drain and stop the current one, and record the switch in
 *   releases/current.json. The audit log records the run as the rollback runbook. The database is left as it is: migrations are expand-only, so the
 *   previous release runs beside the newer schema (undo a migration itself with migrate-database
 *   action=rollback, only if the migration is the problem).
 * Sent here by: the Deployment Playbook ("Rollback procedures"); post-deploy-verify failing after
 *   a deploy; the error-rate alert right after a release.
 * Preconditions: a previous release recorded in releases/current.json (written by deploy) and its
 *   directory still on disk; the environment's settings as for deploy (SSP_<ENV>_SESSION_SECRET).
 * Blast radius: the environment's app on this host restarts on the previous code (seconds without
 *   service when both use the same port). "change", not "destructive": nothing is deleted, no
 *   data or schema changes, and deploying the rolled-back commit again undoes it. The smoke check's
 *   throwaway smoke-…@example.invalid account is deleted again.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { portAnswers } from "../lib/net.ts";
import { balancerPid, readBalancer, switchBalancer } from "./_balancer.ts";
import { smokeCheck } from "./_lib.ts";
import {
  type CurrentFile,
  currentFile,
  describeRelease,
  type Release,
  readCurrent,
  releaseRunning,
  restartCurrent,
  type StartedRelease,
  startRelease,
  stopRelease,
  writeCurrent,
} from "./_releases.ts";

interface ReadCurrent {
  current: CurrentFile;
  previous: Release;
  /** The load balancer's listen port when nginx is in front of the releases. */
  balancerPort: number | null;
}

export default defineRunbook({
  id: "rollback",
  title: "Roll back to the previous release",
  summary:
    "Starts the previous release recorded in current.json, smoke-checks it, switches nginx back to it, drains the current one and records the switch.",
  guide: "deployment-playbook",
  section: "Rollback procedures",
  params: z.object({}),
  steps: (step) => [
    step({
      id: "read-current",
      title: "Current and previous release",
      description: "Reads releases/current.json: the release to leave and the one to go back to.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const current = await readCurrent(ctx.env.name);
        if (!current)
          throw new Error(
            `no releases recorded for ${ctx.env.name} on this host (${currentFile()}): nothing to roll back to`,
          );
        ctx.log(`current:  ${describeRelease(current)}`);
        const previous = current.previous;
        if (!previous) {
          throw new Error(
            `the current release ${current.commit.slice(0, 12)} has no previous release recorded: deploy the ref you want instead (deploy ref=<commit>)`,
          );
        }
        ctx.log(`previous: ${describeRelease(previous)}`);
        if (!existsSync(path.join(previous.dir, "RELEASE.json"))) {
          throw new Error(
            `the previous release's directory ${previous.dir} is gone: deploy ref=${previous.commit} instead (it unpacks it again)`,
          );
        }
        const shared = releaseRunning(current) && current.port === previous.port;
        const balancer = balancerPid() ? await readBalancer() : null;
        if (balancer && shared)
          throw new Error(
            `the previous release used port ${previous.port}, which the current one serves on: behind the load balancer they must run side by side, so deploy ref=${previous.commit} port=<a free port> instead`,
          );
        if (!shared && (await portAnswers(previous.port))) {
          throw new Error(
            `port ${previous.port} is in use by something that is not a release: free it first`,
          );
        }
        if (balancer) ctx.log(`load balancer: nginx on 127.0.0.1:${balancer.listenPort}`);
        return { current, previous, balancerPort: balancer?.listenPort ?? null };
      },
    }),
    step({
      id: "start-previous",
      title: "Start the previous release",
      description: "Starts it on its port (stopping the current release first when they share the port).",
      danger: "change",
      timeoutMs: minutes(2),
      plan(ctx) {
        const { current, previous } = ctx.result<ReadCurrent>("read-current");
        const lines = [
          `would start ${previous.commit.slice(0, 12)} from ${previous.dir} on port ${previous.port}`,
        ];
        if (releaseRunning(current) && current.port === previous.port)
          lines.unshift(
            `would first stop the current release (${describeRelease(current)}): downtime until ready`,
          );
        return lines;
      },
      async run(ctx): Promise<StartedRelease> {
        const { current, previous } = ctx.result<ReadCurrent>("read-current");
        let stoppedCurrent = false;
        if (releaseRunning(current) && current.port === previous.port) {
          ctx.warn(`port ${previous.port} is the current release's: stopping it first`);
          await stopRelease(ctx, current);
          stoppedCurrent = true;
        }
        try {
          const started = await startRelease(ctx, previous);
          return { ...started, startedAt: new Date().toISOString(), stoppedCurrent };
        } catch (error) {
          if (stoppedCurrent)
            await restartCurrent(ctx, current, "the rollback failed", "start a release with deploy");
          throw new Error(
            `the previous release did not start (${error instanceof Error ? error.message : String(error)})${
              stoppedCurrent ? "; the current release was started again" : "; the current release still runs"
            }`,
          );
        }
      },
    }),
    step({
      id: "smoke-check",
      title: "Smoke-check the previous release",
      description:
        "Its /readyz, system.ping, and a sign-up + exercises.next round trip (a throwaway account, deleted again).",
      danger: "change",
      timeoutMs: seconds(60),
      plan: () => ["would check /readyz, system.ping and a sign-up + exercises.next round trip"],
      async run(ctx) {
        const { current, previous } = ctx.result<ReadCurrent>("read-current");
        const started = ctx.result<StartedRelease>("start-previous");
        try {
          return await smokeCheck(ctx, started.url);
        } catch (error) {
          ctx.warn("smoke check failed: stopping the previous release again");
          await stopRelease(ctx, { ...previous, pid: started.pid });
          if (started.stoppedCurrent)
            await restartCurrent(ctx, current, "the rollback failed", "start a release with deploy");
          throw new Error(
            `the previous release failed its smoke check (${error instanceof Error ? error.message : String(error)}); the current release ${current.commit.slice(0, 12)} ${
              started.stoppedCurrent ? "was started again" : "still runs"
            }. Log: ${started.logFile}`,
          );
        }
      },
    }),
    step({
      id: "switch",
      title: "Switch the load balancer back",
      description:
        "Sends nginx's traffic to the previous release (graceful reload); without a balancer, nothing to do.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const { previous, balancerPort } = ctx.result<ReadCurrent>("read-current");
        return balancerPort === null
          ? ["no load balancer: the previous release serves on its own port"]
          : [`would send 127.0.0.1:${balancerPort} to the previous release on port ${previous.port}`];
      },
      async run(ctx) {
        const { current, previous, balancerPort } = ctx.result<ReadCurrent>("read-current");
        if (balancerPort === null) {
          ctx.log("no load balancer on this host");
          return { switched: false };
        }
        try {
          return {
            switched: true,
            ...(await switchBalancer(ctx, { listenPort: balancerPort, appPort: previous.port })),
          };
        } catch (error) {
          const started = ctx.result<StartedRelease>("start-previous");
          await stopRelease(ctx, { ...previous, pid: started.pid });
          throw new Error(
            `the load balancer did not switch back (${error instanceof Error ? error.message : String(error)}); the current release ${current.commit.slice(0, 12)} still serves and the previous one was stopped again`,
          );
        }
      },
    }),
    step({
      id: "record",
      title: "Drain the current release and record the switch",
      description:
        "Stops the release rolled back from (if still running) and rewrites releases/current.json.",
      danger: "change",
      timeoutMs: seconds(45),
      plan: () => [
        `would stop the release rolled back from and record the previous one as current in ${currentFile()}`,
      ],
      async run(ctx) {
        const { current, previous } = ctx.result<ReadCurrent>("read-current");
        const started = ctx.result<StartedRelease>("start-previous");
        // After the switch: nginx no longer sends it anything, and SIGTERM lets it finish what it holds.
        if (releaseRunning(current)) await stopRelease(ctx, current);
        const now: Release = {
          ...previous,
          pid: started.pid,
          logFile: started.logFile,
          startedAt: started.startedAt,
        };
        const { previous: _p, older, rolledBackFrom: _r, env: _e, ...left } = current;
        await writeCurrent({
          ...now,
          env: ctx.env.name,
          previous: older[0] ?? null,
          older: older.slice(1),
          rolledBackFrom: { ...left, pid: null },
        });
        ctx.log(`current: ${describeRelease(now)} (rolled back from ${current.commit.slice(0, 12)})`);
        ctx.log(older[0] ? `previous now: ${describeRelease(older[0])}` : "previous now: none recorded");
        ctx.log("the database was not changed; next: post-deploy-verify");
        return {
          commit: now.commit,
          port: now.port,
          pid: now.pid,
          url: started.url,
          rolledBackFrom: current.commit,
        };
      },
    }),
  ],
});
