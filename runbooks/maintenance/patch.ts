/**
 * Patch dependencies on a branch
 *
 * Purpose: the dependency update of the security update process, as one run: report the outdated
 *   and vulnerable packages (from the lock file, an `npm audit --json` report and an
 *   `npm outdated --json` report), with the patch window policy gives each advisory and when it is
 *   due; then, in a git worktree of its own (the operator's checkout is not touched), make a branch,
 *   install the fixes, commit package.json and package-lock.json, and run the gates there. It never
 *   pushes or merges: the branch goes through a pull request, CI, staging and production like any
 *   change.
 * Sent here by: dependency-report (Wednesdays) finding advisories or outdated packages; a published
 *   advisory for a package the app uses (critical: patch within the day).
 * Preconditions: a git repository (repo) with package.json and package-lock.json, committed; the
 *   npm registry (or a mirror: registry) for the install; the reports as files when this machine may
 *   not ask the registry's advisory feed (CI can produce them).
 * Blast radius: a new local branch and a worktree folder under the runbook's artifacts. A major
 *   version fix is reported, never applied: it is a change to plan.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import {
  chooseUpdates,
  lockedVersions,
  type Outdated,
  parseAudit,
  parseOutdated,
  patchWindow,
  type Update,
  type Vulnerable,
} from "./_patch.ts";

/** A command as words, run without a shell: no pipes, redirections or variables to misread. */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~]/;

const params = z.object({
  repo: z.string().min(1).default(REPO_ROOT).describe("The git repository to patch (default: this checkout)"),
  auditReport: z
    .string()
    .min(1)
    .optional()
    .describe("An `npm audit --json` report (a file); without it npm audit asks the registry now"),
  outdatedReport: z
    .string()
    .min(1)
    .optional()
    .describe("An `npm outdated --json` report (a file); without it npm outdated asks the registry now"),
  scope: z
    .enum(["security", "all"])
    .default("security")
    .describe(
      "security: the fixes npm audit names (within the major version); all: also every outdated package within its range",
    ),
  registry: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("npm registry for the reports and the install (a mirror) instead of npm's configured one"),
  branch: z
    .string()
    .regex(/^[\w][\w./-]{0,99}$/, "a branch name: letters, digits, _ . / -")
    .refine(
      (b) => !b.includes("..") && !b.endsWith(".lock") && !b.endsWith("/"),
      "not a valid git branch name",
    )
    .optional()
    .describe("The branch to create (default patch/<date>)"),
  gateCommand: z
    .string()
    .min(1)
    .default("npm run gates")
    .refine((c) => !SHELL_SYNTAX.test(c), "words only: no quotes, pipes, redirections or $ (use a script)")
    .describe("The gates, run in the worktree after the update (default: every gate, as CI runs them)"),
  gateTimeoutMinutes: z.number().int().min(1).max(120).default(30).describe("How long the gates may run"),
  seenAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      "When the advisories were published or reported (ISO 8601): the patch windows count from it (default: now)",
    ),
});
type Params = z.infer<typeof params>;
type Ctx = StepContext<Params>;

interface Inventory {
  repo: string;
  head: string;
  branch: string;
  worktree: string;
  updates: Update[];
}

const today = () => new Date().toISOString().slice(0, 10);
const registryArgs = (ctx: Ctx) => (ctx.params.registry ? ["--registry", ctx.params.registry] : []);

async function git(ctx: Ctx, repo: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await ctx.$`git -C ${repo} ${args}`.nothrow().quiet();
  return { ok: r.exitCode === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** A report from its file, or from npm in the repository (which asks the registry). */
async function report(ctx: Ctx, repo: string, kind: "audit" | "outdated"): Promise<unknown> {
  const file = kind === "audit" ? ctx.params.auditReport : ctx.params.outdatedReport;
  if (file) {
    const text = await readFile(path.resolve(file), "utf8").catch((error: Error) => {
      throw new Error(`cannot read the ${kind} report ${file}: ${error.message}`);
    });
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${file} is not JSON: give the output of \`npm ${kind} --json\``);
    }
  }
  // npm exits 1 when it finds something (audit: advisories, outdated: outdated packages): expected.
  const r = await ctx.$`npm --prefix ${repo} ${kind} --json --loglevel silent ${registryArgs(ctx)}`
    .nothrow()
    .quiet()
    .timeout(120_000);
  try {
    const json = JSON.parse(r.stdout || "{}") as Record<string, unknown>;
    if ("error" in json || (kind === "audit" && !("vulnerabilities" in json))) throw new Error("no report");
    return json;
  } catch {
    throw new Error(
      `npm ${kind} gave no report (exit ${r.exitCode}): offline or the registry has no advisory feed; pass ${kind}Report=<file> made where it can (\`npm ${kind} --json > ${kind}.json\`)`,
    );
  }
}

export default defineRunbook({
  id: "patch",
  title: "Patch dependencies on a branch",
  summary:
    "Outdated and vulnerable packages with their patch windows; the fixes installed on a new branch in its own worktree, committed, and the gates run there.",
  guide: "maintenance-guide",
  section: "Dependency updates",
  params,
  steps: (step) => [
    step({
      id: "report",
      title: "Outdated and vulnerable packages, and their patch windows",
      description:
        "Reads the lock file and the audit and outdated reports; lists each advisory with policy's window and due date, and the updates to make.",
      danger: "read",
      timeoutMs: seconds(300),
      async run(ctx): Promise<Inventory> {
        const repo = path.resolve(ctx.params.repo);
        for (const file of ["package.json", "package-lock.json"])
          if (!existsSync(path.join(repo, file)))
            throw new Error(
              `${repo} has no ${file}: give repo=<a checkout with package.json and package-lock.json>`,
            );
        const top = await git(ctx, repo, "rev-parse", "--show-toplevel");
        if (!top.ok) throw new Error(`${repo} is not a git repository: ${top.out}`);
        const dirty = await git(
          ctx,
          repo,
          "status",
          "--porcelain",
          "--",
          "package.json",
          "package-lock.json",
        );
        if (dirty.out)
          throw new Error(
            `package.json or package-lock.json has uncommitted changes in ${repo}: commit or stash them; the branch starts from HEAD`,
          );
        const head = (await git(ctx, repo, "rev-parse", "HEAD")).out;
        const branch = ctx.params.branch ?? `patch/${today()}`;
        if ((await git(ctx, repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`)).ok)
          throw new Error(`branch ${branch} exists in ${repo}: pass branch=<another name>, or delete it`);

        const locked = lockedVersions(
          JSON.parse(await readFile(path.join(repo, "package-lock.json"), "utf8")),
        );
        const vulnerable: Vulnerable[] = parseAudit(await report(ctx, repo, "audit"));
        const outdated: Outdated[] = parseOutdated(await report(ctx, repo, "outdated"));
        const seenAt = ctx.params.seenAt ? new Date(ctx.params.seenAt) : new Date();

        ctx.log(`${repo} at ${head.slice(0, 12)}: ${locked.size} packages in the lock file`);
        ctx.log(`advisories: ${vulnerable.length}; windows counted from ${seenAt.toISOString()}`);
        for (const v of vulnerable) {
          const { window, due } = patchWindow(v.severity, seenAt);
          ctx.log(
            `  ${v.severity.toUpperCase().padEnd(9)} ${v.name}@${locked.get(v.name) ?? "?"}${v.direct ? "" : " (transitive)"} ${v.range}: ${v.title}${v.url ? ` ${v.url}` : ""}`,
          );
          ctx.log(
            `            ${due ? `in production by ${due.toISOString()}` : "with the next routine update"}: ${window.process}`,
          );
        }
        ctx.log(`outdated: ${outdated.length}`);
        for (const o of outdated)
          ctx.log(
            `  ${o.name.padEnd(28)} ${String(o.current ?? locked.get(o.name) ?? "-").padEnd(10)} wanted ${o.wanted.padEnd(10)} latest ${o.latest}`,
          );

        const { updates, majorFixes, noFix } = chooseUpdates(vulnerable, outdated, ctx.params.scope);
        for (const v of majorFixes)
          ctx.warn(
            `${v.name}: the fix is a major version (${v.fix && v.fix !== "in-range" ? `${v.fix.name}@${v.fix.version}` : "?"}): not applied here; plan it as a change (changelog, tests)`,
          );
        for (const v of noFix)
          ctx.warn(
            `${v.name}: no fix published through a release of what depends on it: pin the fixed version with "overrides" in package.json by hand, or mitigate`,
          );
        ctx.log(
          updates.length === 0
            ? "nothing to update within the major versions"
            : `updates (${ctx.params.scope}): ${updates.map((u) => `${u.name}@${u.version}`).join(", ")}`,
        );
        const worktree = path.join(ctx.artifactsDir, "worktrees", branch.replace(/[^\w.-]+/g, "-"));
        if (existsSync(worktree))
          throw new Error(
            `${worktree} exists (an earlier run): remove it with git worktree remove ${worktree}`,
          );
        return { repo, head, branch, worktree, updates };
      },
    }),
    step({
      id: "branch",
      title: "Create the branch in its own worktree",
      description: "git worktree add -b <branch> from HEAD: the operator's checkout stays as it is.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const inv = ctx.result<Inventory>("report");
        return inv.updates.length === 0
          ? ["nothing to update: no branch"]
          : [
              `would create branch ${inv.branch} from ${inv.head.slice(0, 12)} in a worktree at ${inv.worktree}`,
            ];
      },
      async run(ctx) {
        const inv = ctx.result<Inventory>("report");
        if (inv.updates.length === 0) {
          ctx.log("nothing to update: no branch made");
          return { created: false };
        }
        const r = await git(ctx, inv.repo, "worktree", "add", "-b", inv.branch, inv.worktree, inv.head);
        if (!r.ok) throw new Error(`git worktree add failed: ${r.out}`);
        ctx.log(`branch ${inv.branch} at ${inv.head.slice(0, 12)}, worktree ${inv.worktree}`);
        return { created: true };
      },
    }),
    step({
      id: "update",
      title: "Install the updates and commit them",
      description:
        "npm install --save-exact <package>@<version> in the worktree (scripts off), then commits package.json and package-lock.json.",
      danger: "change",
      timeoutMs: minutes(15),
      plan(ctx) {
        const inv = ctx.result<Inventory>("report");
        return inv.updates.map(
          (u) => `would install ${u.name}@${u.version} (${u.why}) and commit on ${inv.branch}`,
        );
      },
      async run(ctx) {
        const inv = ctx.result<Inventory>("report");
        if (inv.updates.length === 0) return { committed: false };
        const specs = inv.updates.map((u) => `${u.name}@${u.version}`);
        // --ignore-scripts: an install script of a package being patched is exactly what not to run.
        const install =
          await ctx.$`npm --prefix ${inv.worktree} install --save-exact --ignore-scripts --no-audit --no-fund ${registryArgs(ctx)} ${specs}`.nothrow();
        if (install.exitCode !== 0)
          throw new Error(
            `npm install ${specs.join(" ")} failed (exit ${install.exitCode}): read the output above; the branch ${inv.branch} has no commit yet`,
          );
        const before = lockedVersions(
          JSON.parse(await readFile(path.join(inv.repo, "package-lock.json"), "utf8")),
        );
        const after = lockedVersions(
          JSON.parse(await readFile(path.join(inv.worktree, "package-lock.json"), "utf8")),
        );
        const changed = [...after].filter(([name, v]) => before.get(name) !== v);
        for (const [name, v] of changed) ctx.log(`  ${name}: ${before.get(name) ?? "new"} → ${v}`);
        for (const u of inv.updates)
          if (after.get(u.name) !== u.version)
            throw new Error(
              `${u.name} is at ${after.get(u.name) ?? "nothing"} after the install, not ${u.version}`,
            );
        const message = [
          `Patch dependencies: ${specs.join(", ")}`,
          "",
          ...inv.updates.map((u) => `- ${u.name}@${u.version}: ${u.why}`),
          "",
          "Made by the patch runbook.",
        ].join("\n");
        const add = await git(ctx, inv.worktree, "add", "package.json", "package-lock.json");
        if (!add.ok) throw new Error(`git add failed: ${add.out}`);
        const commit = await git(ctx, inv.worktree, "commit", "--quiet", "-m", message);
        if (!commit.ok) throw new Error(`git commit failed: ${commit.out}`);
        const sha = (await git(ctx, inv.worktree, "rev-parse", "HEAD")).out;
        ctx.log(
          `committed ${sha.slice(0, 12)} on ${inv.branch}: ${changed.length} lock file entries changed`,
        );
        return { committed: true, commit: sha, changed: changed.length };
      },
    }),
    step({
      id: "gates",
      title: "Run the gates on the branch",
      description: "Runs gateCommand in the worktree; on success prints how to push the branch for review.",
      danger: "change",
      timeoutMs: minutes(120),
      plan(ctx) {
        const inv = ctx.result<Inventory>("report");
        return inv.updates.length === 0
          ? ["nothing to test"]
          : [`would run \`${ctx.params.gateCommand}\` in ${inv.worktree}`];
      },
      async run(ctx) {
        const inv = ctx.result<Inventory>("report");
        if (inv.updates.length === 0) return { gates: "skipped" };
        const words = ctx.params.gateCommand.trim().split(/\s+/);
        const started = Date.now();
        const r = await ctx.$`env -C ${inv.worktree} ${words}`
          .nothrow()
          .timeout(ctx.params.gateTimeoutMinutes * 60_000);
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        if (r.exitCode !== 0)
          throw new Error(
            `the gates failed on ${inv.branch} (\`${ctx.params.gateCommand}\` exited ${r.exitCode ?? r.signal} after ${secs} s): the update is committed there, not merged; fix it on the branch or drop it (git worktree remove ${inv.worktree} && git branch -D ${inv.branch})`,
          );
        ctx.log(`gates passed on ${inv.branch} in ${secs} s`);
        ctx.log(
          `next: git -C ${inv.repo} push -u origin ${inv.branch}, and open a pull request (CI, staging, production)`,
        );
        ctx.log(`then: git -C ${inv.repo} worktree remove ${inv.worktree}`);
        return { gates: "passed", seconds: Number(secs) };
      },
    }),
  ],
});
