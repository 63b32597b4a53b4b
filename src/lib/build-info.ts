import { execFileSync } from "node:child_process";

// Which version of the repository this handbook was built from: the commit, and the release tag
// when `git describe --tags` finds one. Read once per build; shown on every page's footer.

export interface BuildInfo {
  commit: string;
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
  const commit = process.env.HANDBOOK_COMMIT ?? git(["rev-parse", "HEAD"]);
  if (!commit)
    throw new Error(
      "the handbook cannot tell which commit it is built from: `git rev-parse HEAD` failed; build from a git checkout or set HANDBOOK_COMMIT",
    );
  cached = { commit, short: commit.slice(0, 12), describe: git(["describe", "--tags"]) };
  return cached;
}

/** The footer's line: "Built from v1.5.0 (commit abc…)" or "Built from commit abc… (no release tag)". */
export function versionLine(info: BuildInfo): string {
  return info.describe
    ? `Built from ${info.describe} (commit ${info.short})`
    : `Built from commit ${info.short} (no release tag)`;
}
