/**
 * Release and hotfix: the git operations
 *
 * Purpose: the steps of the release and hotfix procedures that are git operations, each with a
 *   plan: cut the branch (release/X.Y.Z from develop, or hotfix/X.Y.Z from the tag in production),
 *   set the version in package.json (and package-lock.json) and open the changelog section, commit
 *   and push; after the pull request into main is merged, tag main vX.Y.Z and push the tag (which
 *   starts the production pipeline); then merge main back into develop (and, for a hotfix, into
 *   the open release branch) and delete the branch.
 * Sent here by: the CI/CD Workflow guide, "Release process" and "Hotfix procedures". Run the steps
 *   at their moment: cut-branch first; tag once the pull request into main is merged and approved;
 *   merge-back after the deploy.
 * Preconditions: a clean working tree of the repository (the repo parameter), push rights to the
 *   remote. The pull request, the reviews and the deploy approval stay with people (GitHub).
 * Blast radius: the repository's branches and tags on the remote: a new branch, a version commit,
 *   a tag (which deploys to production through deploy-production.yml), a merge into develop.
 *   Never a force push; a step refuses when the branch or tag it would create exists.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";

const params = z.object({
  kind: z
    .enum(["release", "hotfix"])
    .default("release")
    .describe("A release from develop, or a hotfix from the tag in production"),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, "X.Y.Z, e.g. 1.5.0")
    .describe("The version to release: the branch is <kind>/<version>, the tag v<version>"),
  from: z
    .string()
    .regex(/^v\d+\.\d+\.\d+$/, "a tag vX.Y.Z")
    .optional()
    .describe("hotfix: the tag production runs (default: the newest v* tag)"),
  repo: z.string().default(REPO_ROOT).describe("The repository's working tree (default: this checkout)"),
  remote: z
    .string()
    .regex(/^[\w.-]+$/)
    .default("origin")
    .describe("The remote to push to"),
});
type Params = z.infer<typeof params>;
type Ctx = StepContext<Params>;

const branchOf = (p: Params) => `${p.kind}/${p.version}`;
const tagOf = (p: Params) => `v${p.version}`;

async function git(ctx: Ctx, ...args: string[]): Promise<string> {
  const out = await ctx.$`git -C ${ctx.params.repo} ${args}`;
  return out.stdout.trim();
}

/** Exit status 0 → true; 1/128 ("not found") → false. */
async function gitOk(ctx: Ctx, ...args: string[]): Promise<boolean> {
  const out = await ctx.$`git -C ${ctx.params.repo} ${args}`.nothrow().quiet();
  return out.exitCode === 0;
}

async function remoteHas(ctx: Ctx, ref: string): Promise<boolean> {
  const out =
    await ctx.$`git -C ${ctx.params.repo} ls-remote --exit-code ${ctx.params.remote} ${ref}`.nothrow();
  return out.exitCode === 0;
}

async function requireClean(ctx: Ctx): Promise<void> {
  const status = await git(ctx, "status", "--porcelain");
  if (status)
    throw new Error(
      `the working tree of ${ctx.params.repo} has uncommitted changes: commit or stash them first\n${status}`,
    );
}

async function newestTag(ctx: Ctx): Promise<string | null> {
  const tags = await git(ctx, "tag", "--list", "v*", "--sort=-v:refname");
  return tags.split("\n").filter(Boolean)[0] ?? null;
}

/** Where the branch starts: develop for a release, the production tag for a hotfix. */
async function baseOf(ctx: Ctx): Promise<string> {
  if (ctx.params.kind === "release") return `${ctx.params.remote}/develop`;
  const tag = ctx.params.from ?? (await newestTag(ctx));
  if (!tag) throw new Error("no v* tag to branch the hotfix from: name it with from=vX.Y.Z");
  return tag;
}

/** Sets "version" in package.json and package-lock.json, keeping the files' layout (2 spaces). */
async function setVersion(repo: string, version: string): Promise<string[]> {
  const changed: string[] = [];
  for (const name of ["package.json", "package-lock.json"]) {
    const file = path.join(repo, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue; // no lock file: only package.json
    }
    const json = JSON.parse(text) as { version?: string; packages?: Record<string, { version?: string }> };
    json.version = version;
    const root = json.packages?.[""];
    if (root) root.version = version;
    await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
    changed.push(name);
  }
  return changed;
}

/** Adds "## [X.Y.Z] - date" with the commit subjects since the base under the changelog's title. */
async function openChangelog(repo: string, version: string, subjects: string[]): Promise<void> {
  const file = path.join(repo, "CHANGELOG.md");
  const text = await readFile(file, "utf8").catch(() => "# Changelog\n");
  const section = `## [${version}] - ${new Date().toISOString().slice(0, 10)}\n\n${subjects.map((s) => `- ${s}`).join("\n") || "- (describe the changes)"}\n\n`;
  const at = text.search(/^## /m);
  await writeFile(
    file,
    at === -1 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, at)}${section}${text.slice(at)}`,
  );
}

export default defineRunbook({
  id: "release",
  title: "Release and hotfix (git)",
  summary:
    "Cuts release/X.Y.Z or hotfix/X.Y.Z with the version and changelog, tags main vX.Y.Z once merged, merges back into develop.",
  guide: "cicd-workflow",
  section: "Release process",
  params,
  steps: (step) => [
    step({
      id: "status",
      title: "Where the repository stands",
      description:
        "Fetches; shows the branch, a clean tree, the newest tag, and whether the branch and tag exist.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        if (!(await gitOk(ctx, "rev-parse", "--git-dir")))
          throw new Error(`${ctx.params.repo} is not a git repository: pass repo=<the working tree>`);
        await git(ctx, "fetch", "--tags", ctx.params.remote);
        const branch = await git(ctx, "rev-parse", "--abbrev-ref", "HEAD");
        const dirty = (await git(ctx, "status", "--porcelain")) !== "";
        const tag = await newestTag(ctx);
        const pkg = JSON.parse(await readFile(path.join(ctx.params.repo, "package.json"), "utf8")) as {
          version: string;
        };
        ctx.log(
          `on ${branch}${dirty ? " (uncommitted changes: the change steps refuse)" : ", clean"}; package.json ${pkg.version}; newest tag ${tag ?? "(none)"}`,
        );
        const hasBranch = await remoteHas(ctx, `refs/heads/${branchOf(ctx.params)}`);
        const hasTag = await remoteHas(ctx, `refs/tags/${tagOf(ctx.params)}`);
        ctx.log(
          `${branchOf(ctx.params)} on ${ctx.params.remote}: ${hasBranch ? "exists" : "not yet"}; tag ${tagOf(ctx.params)}: ${hasTag ? "exists" : "not yet"}`,
        );
        return { branch, dirty, newestTag: tag, version: pkg.version, hasBranch, hasTag };
      },
    }),
    step({
      id: "cut-branch",
      title: "Cut the branch, set the version, open the changelog",
      description:
        "Creates <kind>/X.Y.Z from develop (release) or the production tag (hotfix), sets the version, adds the changelog section, commits, pushes.",
      danger: "change",
      timeoutMs: minutes(2),
      async plan(ctx) {
        const base = await baseOf(ctx).catch((e: Error) => `(${e.message})`);
        return [
          `would create ${branchOf(ctx.params)} from ${base}`,
          `set version ${ctx.params.version} in package.json (and package-lock.json)`,
          `add "## [${ctx.params.version}]" to CHANGELOG.md with the commit subjects since the last tag`,
          `commit "${ctx.params.kind === "release" ? "Release" : "Hotfix"} ${ctx.params.version}" and push it to ${ctx.params.remote}`,
        ];
      },
      async run(ctx) {
        await requireClean(ctx);
        const branch = branchOf(ctx.params);
        if (await remoteHas(ctx, `refs/heads/${branch}`))
          throw new Error(
            `${branch} already exists on ${ctx.params.remote}: continue on it, or pick another version`,
          );
        const base = await baseOf(ctx);
        await git(ctx, "fetch", "--tags", ctx.params.remote);
        await git(ctx, "switch", "-c", branch, base);
        const last = await newestTag(ctx);
        const subjects = (
          await git(ctx, "log", "--first-parent", "--format=%s", last ? `${last}..HEAD` : "HEAD")
        )
          .split("\n")
          .filter(Boolean);
        const files = await setVersion(ctx.params.repo, ctx.params.version);
        await openChangelog(ctx.params.repo, ctx.params.version, subjects);
        await git(ctx, "add", ...files, "CHANGELOG.md");
        await git(
          ctx,
          "commit",
          "-m",
          `${ctx.params.kind === "release" ? "Release" : "Hotfix"} ${ctx.params.version}`,
        );
        await git(ctx, "push", "-u", ctx.params.remote, branch);
        ctx.log(
          `pushed ${branch} (from ${base}): CI and the staging deploy start; edit CHANGELOG.md on the branch as needed`,
        );
        ctx.log(`next: the pull request ${branch} → main; after it is merged, run the tag step`);
        return { branch, base, commits: subjects.length };
      },
    }),
    step({
      id: "tag",
      title: "Tag main vX.Y.Z (starts the production pipeline)",
      description:
        "Checks the branch is merged into main, tags main's head with an annotated vX.Y.Z and pushes the tag.",
      danger: "change",
      timeoutMs: minutes(1),
      async plan(ctx) {
        return [
          `would check that ${branchOf(ctx.params)} is merged into ${ctx.params.remote}/main`,
          `tag ${ctx.params.remote}/main's head ${tagOf(ctx.params)} (annotated) and push it: deploy-production.yml starts`,
        ];
      },
      async run(ctx) {
        await requireClean(ctx);
        const tag = tagOf(ctx.params);
        await git(ctx, "fetch", "--tags", ctx.params.remote);
        if (await remoteHas(ctx, `refs/tags/${tag}`))
          throw new Error(`${tag} already exists on ${ctx.params.remote}: releases are never re-tagged`);
        const branchRef = `${ctx.params.remote}/${branchOf(ctx.params)}`;
        if (!(await gitOk(ctx, "rev-parse", "--verify", "--quiet", branchRef)))
          throw new Error(`${branchRef} does not exist: cut it first (the cut-branch step)`);
        if (!(await gitOk(ctx, "merge-base", "--is-ancestor", branchRef, `${ctx.params.remote}/main`)))
          throw new Error(
            `${branchOf(ctx.params)} is not merged into main yet: merge its pull request first`,
          );
        await git(ctx, "switch", "main");
        await git(ctx, "merge", "--ff-only", `${ctx.params.remote}/main`);
        await git(ctx, "tag", "-a", tag, "-m", tag);
        await git(ctx, "push", ctx.params.remote, tag);
        const commit = await git(ctx, "rev-parse", `${tag}^{commit}`);
        ctx.log(
          `pushed ${tag} at ${commit.slice(0, 12)}: the production pipeline starts; approve it in GitHub`,
        );
        return { tag, commit };
      },
    }),
    step({
      id: "merge-back",
      title: "Merge main back into develop, delete the branch",
      description:
        "Merges main into develop (and a hotfix into the open release branch) with merge commits, pushes, deletes the branch.",
      danger: "change",
      timeoutMs: minutes(2),
      async plan(ctx) {
        return [
          `would merge ${ctx.params.remote}/main into develop (--no-ff) and push develop`,
          ...(ctx.params.kind === "hotfix" ? ["and into the open release/* branch, if there is one"] : []),
          `then delete ${branchOf(ctx.params)} on ${ctx.params.remote} and here`,
        ];
      },
      async run(ctx) {
        await requireClean(ctx);
        const tag = tagOf(ctx.params);
        await git(ctx, "fetch", "--tags", ctx.params.remote);
        if (!(await remoteHas(ctx, `refs/tags/${tag}`)))
          throw new Error(`${tag} is not pushed yet: run the tag step first`);
        const targets = ["develop"];
        if (ctx.params.kind === "hotfix") {
          const open = (await git(ctx, "branch", "-r", "--list", `${ctx.params.remote}/release/*`))
            .split("\n")
            .map((b) => b.trim().slice(ctx.params.remote.length + 1))
            .filter(Boolean);
          targets.push(...open);
        }
        for (const target of targets) {
          await git(ctx, "switch", target);
          await git(ctx, "merge", "--ff-only", `${ctx.params.remote}/${target}`);
          const merged =
            await ctx.$`git -C ${ctx.params.repo} merge --no-ff -m ${`Merge ${tag} back into ${target}`} ${tag}`.nothrow();
          if (merged.exitCode !== 0) {
            await ctx.$`git -C ${ctx.params.repo} merge --abort`.nothrow();
            throw new Error(
              `merging ${tag} into ${target} conflicts: open a pull request ${tag} → ${target} and resolve it there (nothing was pushed to ${target})`,
            );
          }
          const pushed = await ctx.$`git -C ${ctx.params.repo} push ${ctx.params.remote} ${target}`.nothrow();
          if (pushed.exitCode !== 0)
            throw new Error(
              `${ctx.params.remote} refused the push to ${target} (a protected branch?): open a pull request main → ${target} instead`,
            );
          ctx.log(`merged ${tag} into ${target} and pushed it`);
        }
        const branch = branchOf(ctx.params);
        if (await remoteHas(ctx, `refs/heads/${branch}`))
          await git(ctx, "push", ctx.params.remote, "--delete", branch);
        if (await gitOk(ctx, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`))
          await git(ctx, "branch", "-D", branch);
        ctx.log(`deleted ${branch}`);
        return { mergedInto: targets };
      },
    }),
  ],
});
