import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ENVIRONMENTS, resolveEnvironment } from "../runbooks/engine/environments.ts";
import { COMMIT_PATTERN, type ReleaseComparison } from "./protocol.ts";

// Which release each environment runs (its /healthz names version and commit), compared with the
// commit the handbook was built from, counted in this checkout's git history: so a reader knows
// whether the handbook describes what production runs, or something newer or older.

const run = promisify(execFile);

/** How long an environment's /healthz may take before it counts as unreachable. */
const HEALTH_TIMEOUT_MS = 3_000;

export async function compareReleases(
  handbook: string | null,
  processEnv: NodeJS.ProcessEnv,
  repoRoot: string,
): Promise<ReleaseComparison[]> {
  return Promise.all(ENVIRONMENTS.map((name) => compareOne(name, handbook, processEnv, repoRoot)));
}

async function compareOne(
  name: string,
  handbook: string | null,
  processEnv: NodeJS.ProcessEnv,
  repoRoot: string,
): Promise<ReleaseComparison> {
  const unknown = (why: string): ReleaseComparison => ({
    env: name,
    state: "unknown",
    summary: `${name}: unknown, ${why}`,
  });
  let appUrl: string;
  try {
    const env = resolveEnvironment(name, processEnv, { resolveReferences: false });
    // A reference is read only when a runbook runs: the page's question does not resolve secrets.
    if (Object.keys(env.references).some((variable) => variable.endsWith("_APP_URL")))
      return unknown("its app URL is a secret reference");
    appUrl = env.appUrl;
  } catch (error) {
    return unknown(`not configured (${(error as Error).message})`);
  }
  let release: { version?: unknown; commit?: unknown };
  try {
    const response = await fetch(new URL("/healthz", appUrl), {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    if (!response.ok) return unknown(`${appUrl}/healthz answered ${response.status}`);
    release = (await response.json()) as typeof release;
  } catch (error) {
    return unknown(`${appUrl} does not answer (${(error as Error).message})`);
  }
  const version = typeof release.version === "string" ? release.version : "unknown";
  const commit =
    typeof release.commit === "string" && COMMIT_PATTERN.test(release.commit) ? release.commit : null;
  const named = `${name}'s release (${version}${commit ? `, commit ${commit.slice(0, 12)}` : ""})`;
  if (!commit)
    return {
      env: name,
      state: "unknown",
      version,
      summary: `${name}: unknown, it reports no commit (version ${version}): set APP_COMMIT at deploy`,
    };
  if (!handbook)
    return {
      env: name,
      state: "unknown",
      version,
      commit,
      summary: `${named}: the handbook's own commit is unknown`,
    };
  if (commit === handbook)
    return {
      env: name,
      state: "same",
      ahead: 0,
      behind: 0,
      version,
      commit,
      summary: `the handbook is the same as ${named}`,
    };
  let ahead: number;
  let behind: number;
  try {
    const { stdout } = await run("git", ["rev-list", "--left-right", "--count", `${handbook}...${commit}`], {
      cwd: repoRoot,
      timeout: 10_000,
    });
    [ahead, behind] = stdout.trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // A commit this checkout has not fetched (a release built elsewhere): say so, do not guess.
    return {
      env: name,
      state: "unknown",
      version,
      commit,
      summary: `${named}: unknown distance, this checkout does not have both commits (git fetch, then reload)`,
    };
  }
  const plural = (n: number) => `${n} commit${n === 1 ? "" : "s"}`;
  const state = ahead > 0 && behind > 0 ? "diverged" : ahead > 0 ? "ahead" : behind > 0 ? "behind" : "same";
  const summary =
    state === "diverged"
      ? `the handbook is ${plural(ahead)} ahead of and ${plural(behind)} behind ${named}`
      : state === "ahead"
        ? `the handbook is ${plural(ahead)} ahead of ${named}`
        : state === "behind"
          ? `the handbook is ${plural(behind)} behind ${named}`
          : `the handbook is the same as ${named}`;
  return { env: name, state, ahead, behind, version, commit, summary };
}
