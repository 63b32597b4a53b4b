import { execFileSync } from "node:child_process";

// Which version of the repository this handbook was built from: the commit, and the release tag
// when `git describe --tags` finds one. Read once per build; shown on every page's footer.

export interface BuildInfo {
  /** null outside a git checkout (a source tarball, an image build) when HANDBOOK_COMMIT is unset. */
  commit: string | null;
  short: string;
  /** `v1.5.0` on a tagged commit, `v1.5.0-3-gabc1234` three commits after it, null without tags. */
  describe: string | null;
}

function git(args: string[]): string | null {
  try {
    return (
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || null
    );
  } catch {
    // Expected outside a git checkout (a source tarball) or on a history without tags: say so below.
    return null;
  }
}

let cached: BuildInfo | null = null;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const commit = process.env.HANDBOOK_COMMIT || git(["rev-parse", "HEAD"]);
  // Without a commit the footer says so plainly instead of failing the build: an image build
  // copies no .git, and a handbook with an honest "unknown" beats no handbook.
  cached = {
    commit,
    short: commit ? commit.slice(0, 12) : "unknown",
    describe: commit ? git(["describe", "--tags"]) : null,
  };
  return cached;
}

/** The footer's line: "Built from v1.5.0 (commit abc…)" or "Built from commit abc… (no release tag)". */
export function versionLine(info: BuildInfo): string {
  if (!info.commit) return "Built outside a git checkout: commit unknown (set HANDBOOK_COMMIT when building)";
  return info.describe
    ? `Built from ${info.describe} (commit ${info.short})`
    : `Built from commit ${info.short} (no release tag)`;
}
