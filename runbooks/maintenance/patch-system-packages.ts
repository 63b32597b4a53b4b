/**
 * Patch the servers' packages: OS, PostgreSQL, Redis, nginx
 *
 * Purpose: what the servers run now (PostgreSQL and Redis as they answer, this host's Debian
 *   packages), and the plan to patch each host in the order that is safe for learners, as the
 *   exact commands to type there: nginx (reload, no interruption), the app hosts one at a time
 *   (out of the upstream, patched, rebooted if asked, back), Redis (the app runs degraded for
 *   seconds, then cache-warm), PostgreSQL last (a backup first; seconds of 503), each followed by
 *   the runbook that checks it. The patch windows are policy's.
 * Sent here by: the monthly security audit (OS advisories), an advisory for PostgreSQL, Redis,
 *   nginx or OpenSSL, unattended-upgrades reporting a pending restart (/var/run/reboot-required).
 * Preconditions: none to read; applying the plan needs root (sudo) on each host over SSH, which
 *   runbooks never hold: the operator runs the printed commands.
 * Blast radius: none: this runbook only reads and prints. Running the plan restarts the services
 *   as described above.
 */
import { z } from "zod";
import { SECURITY_PATCH_WINDOWS } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { parseRedisInfo } from "../lib/redis-info.ts";

/** user@host or host: what ssh takes, and nothing a shell would read otherwise. */
const HOST = /^([a-z_][a-z0-9_-]{0,31}@)?[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;
const hostParam = (what: string) =>
  z.string().regex(HOST, "a host name or user@host (letters, digits, . and -)").describe(what);

/** Debian's package names for what the stack runs (PostgreSQL 15, as the handbook's servers). */
const PACKAGES = {
  nginx: ["nginx", "nginx-common"],
  redis: ["redis-server", "redis-tools"],
  postgres: ["postgresql-15", "postgresql-client-15"],
} as const;

export default defineRunbook({
  id: "patch-system-packages",
  title: "Patch the servers' packages (plan)",
  summary:
    "What PostgreSQL, Redis and this host run now, and the per-host commands to patch nginx, the app hosts, Redis and PostgreSQL in a safe order, for the operator to run with sudo.",
  guide: "maintenance-guide",
  section: "Security patch management",
  params: z.object({
    nginxHost: hostParam("The nginx host").default("lb"),
    appHosts: z
      .string()
      .default("app1")
      .refine((v) => v.split(",").every((h) => HOST.test(h.trim())), "comma-separated host names")
      .describe("The app hosts, comma-separated; patched one at a time"),
    redisHost: hostParam("The Redis host").default("cache"),
    databaseHost: hostParam("The PostgreSQL host").default("db"),
    reboot: z
      .boolean()
      .default(false)
      .describe("Plan a reboot of the app hosts (a kernel or OpenSSL update)"),
  }),
  steps: (step) => [
    step({
      id: "running-versions",
      title: "What runs now",
      description: "PostgreSQL's and Redis' versions as they answer, and this host's Debian packages.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const [pgRow] = await ctx.sql<{ version: string }>("SELECT version() AS version");
        const postgres = pgRow?.version.split(" on ")[0] ?? "unknown";
        ctx.log(`PostgreSQL: ${postgres}`);
        let redis = "no Redis in this environment";
        if (ctx.env.redisUrl) {
          try {
            redis = `Redis ${parseRedisInfo(await ctx.redis().info("server")).redis_version ?? "unknown"}`;
          } catch (error) {
            // The plan is still worth printing when Redis does not answer: say so, go on.
            redis = `Redis did not answer (${(error as Error).message})`;
          }
        }
        ctx.log(redis);
        const names = Object.values(PACKAGES).flat();
        // dpkg-query's own format syntax, not a template: built so that it reads as such.
        const format = ["$", "{Package} $", "{Version}\\n"].join("");
        const dpkg = await ctx.$`dpkg-query -W -f ${format} ${names}`.nothrow().quiet();
        const installed = dpkg.stdout.trim().split("\n").filter(Boolean);
        ctx.log(
          installed.length > 0
            ? `this host's packages: ${installed.join(", ")}`
            : "this host has none of the server packages (or no dpkg): check each host with the plan's first command",
        );
        return { postgres, redis, installed };
      },
    }),
    step({
      id: "plan",
      title: "The plan: commands per host, in a safe order",
      description:
        "Prints, for each host, the commands to run there with sudo, and the runbook that checks it afterwards.",
      danger: "read",
      timeoutMs: seconds(10),
      run(ctx) {
        const env = ctx.env.name;
        const apps = ctx.params.appHosts.split(",").map((h) => h.trim());
        const ssh = (host: string, command: string) => `ssh ${host} '${command}'`;
        const lines: string[] = [];
        const section = (title: string, commands: string[]) => {
          lines.push(title, ...commands.map((c) => `  ${c}`), "");
        };
        const critical = SECURITY_PATCH_WINDOWS.find((w) => w.severity === "critical");
        const high = SECURITY_PATCH_WINDOWS.find((w) => w.severity === "high");
        lines.push(
          `Patch windows (policy): critical within ${critical?.withinHours?.[1] ?? "?"} h, high within ${(high?.withinHours?.[1] ?? 0) / 24} days; the rest monthly.`,
          "",
        );
        const all = [ctx.params.nginxHost, ...apps, ctx.params.redisHost, ctx.params.databaseHost];
        section(
          "0. On every host, what is pending:",
          all.map((h) => ssh(h, "sudo apt-get update -q && apt list --upgradable 2>/dev/null")),
        );
        section(`1. nginx on ${ctx.params.nginxHost} (no interruption: a reload keeps connections):`, [
          ssh(ctx.params.nginxHost, `sudo apt-get install -y --only-upgrade ${PACKAGES.nginx.join(" ")}`),
          ssh(ctx.params.nginxHost, "sudo nginx -t && sudo systemctl reload nginx"),
          `npm run runbook -- post-deploy-verify --env ${env}`,
        ]);
        section(
          `2. App hosts, one at a time (${apps.join(", ")}): each out of the upstream, patched, back:`,
          apps.flatMap((h) => [
            `# ${h}: take its instances out of nginx (remove-instance on the balancer host), then`,
            ssh(h, "sudo apt-get upgrade -y"),
            ctx.params.reboot
              ? ssh(h, "sudo reboot")
              : ssh(h, "test -f /var/run/reboot-required && cat /var/run/reboot-required"),
            `# back: add-instance on the balancer host; /readyz 200 before the next host`,
          ]),
        );
        section(`3. Redis on ${ctx.params.redisHost} (the app runs degraded for seconds, then reconnects):`, [
          ssh(ctx.params.redisHost, `sudo apt-get install -y --only-upgrade ${PACKAGES.redis.join(" ")}`),
          ssh(ctx.params.redisHost, "sudo systemctl restart redis-server"),
          `npm run runbook -- cache-warm --env ${env}`,
        ]);
        section(
          `4. PostgreSQL on ${ctx.params.databaseHost} (minor release: seconds of 503; a quiet hour, a backup first):`,
          [
            `npm run runbook -- backup-now --env ${env}`,
            ssh(
              ctx.params.databaseHost,
              `sudo apt-get install -y --only-upgrade ${PACKAGES.postgres.join(" ")}`,
            ),
            ssh(ctx.params.databaseHost, "sudo systemctl restart postgresql@15-main"),
            `npm run runbook -- post-deploy-verify --env ${env}`,
          ],
        );
        lines.push(
          "A major PostgreSQL version is not a patch: it is a project of its own (pg_upgrade, a rehearsal).",
        );
        for (const line of lines) ctx.log(line);
        return { hosts: all, steps: 5 };
      },
    }),
  ],
});
