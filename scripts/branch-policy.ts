import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The Git Flow rules of the CI/CD guide ("Branch strategy", "Hotfix procedures") as a gate
// (`npm run gates -- branch`): branch names, what may merge into main, and for hotfix/X.Y.Z the
// version in package.json and no migration since the tag it fixes. In CI it reads GitHub's
// variables (GITHUB_HEAD_REF/GITHUB_BASE_REF on a pull request, GITHUB_REF_NAME on a push);
// locally it checks the branch you are on. Prints what it checked; exits 1 on a broken rule.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SEMVER = /^\d+\.\d+\.\d+$/;

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The rule a branch name breaks, or null. Names outside the scheme are allowed: they get CI only. */
export function nameProblem(branch: string): string | null {
  for (const kind of ["release", "hotfix"]) {
    if (branch.startsWith(`${kind}/`) && !SEMVER.test(branch.slice(kind.length + 1)))
      return `${branch}: a ${kind} branch is named ${kind}/X.Y.Z (the version it will be tagged with)`;
  }
  if (branch.startsWith("feature/") && !/^feature\/\d+-[a-z0-9]+(-[a-z0-9]+)*$/.test(branch))
    return `${branch}: a feature branch is named feature/<issue>-<kebab-case-words>, e.g. feature/142-subjunctive-after-ojala`;
  return null;
}

/** The rule a pull request breaks, or null. */
export function mergeProblem(head: string, base: string): string | null {
  if (base === "main" && !/^(release|hotfix)\//.test(head))
    return `only release/* and hotfix/* branches merge into main, not ${head}: open the pull request into develop`;
  return null;
}

/** A hotfix's own rules: the version it sets and no migration since the newest release tag. */
function hotfixProblems(branch: string, log: (line: string) => void): string[] {
  const version = branch.slice("hotfix/".length);
  const problems: string[] = [];
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  if (pkg.version !== version)
    problems.push(
      `package.json says ${pkg.version}, the branch says ${version}: npm version ${version} --no-git-tag-version`,
    );
  let tag = "";
  try {
    tag = git(["describe", "--tags", "--abbrev=0", "--match", "v*", "HEAD"]);
  } catch {
    problems.push(
      "no v* tag below this branch: cut a hotfix from the tag in production (git switch -c hotfix/X.Y.Z vX.Y.Z)",
    );
    return problems;
  }
  const added = git([
    "diff",
    "--name-only",
    "--diff-filter=A",
    tag,
    "HEAD",
    "--",
    "practice-app/migrations/",
  ]);
  if (added)
    problems.push(
      `a hotfix carries no migration, and this one adds ${added.split("\n").join(", ")} since ${tag}: ship it in a regular release (Hotfix procedures)`,
    );
  log(`hotfix ${version} from ${tag}: ${added ? "adds migrations" : "no migration added"}`);
  return problems;
}

/** Checks the branch CI runs on (GITHUB_* from `env`, else git); 0 when the rules hold, 1 when not. */
export function main(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
): number {
  const pullRequest = Boolean(env.GITHUB_HEAD_REF);
  const head = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || git(["rev-parse", "--abbrev-ref", "HEAD"]);
  const problems: string[] = [];
  const name = nameProblem(head);
  if (name) problems.push(name);
  if (pullRequest && env.GITHUB_BASE_REF) {
    const merge = mergeProblem(head, env.GITHUB_BASE_REF);
    if (merge) problems.push(merge);
    log(`pull request ${head} → ${env.GITHUB_BASE_REF}`);
  } else log(`branch ${head}`);
  if (head.startsWith("hotfix/") && !name) problems.push(...hotfixProblems(head, log));
  const deploys = /^(develop|release\/|hotfix\/)/.test(head)
    ? "deploys to staging once CI passes"
    : head === "main"
      ? "deploys to production on a v* tag, after approval"
      : "CI only, no deploy";
  if (problems.length === 0) {
    log(`✔ branch rules hold (${deploys})`);
    return 0;
  }
  for (const p of problems) log(`✘ ${p}`);
  return 1;
}

if (import.meta.main) process.exitCode = main();
