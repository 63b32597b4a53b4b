import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { failedStepError } from "../support/runbooks.ts";

// The release runbook's git operations on a throwaway repository (a bare "origin" and a clone in
// a temporary directory), never on this one: cut a release, merge it as the pull request would,
// tag, merge back; then a hotfix from the tag.

let dir: string;
let work: string;
let origin: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

async function run(step: string, params: Record<string, unknown>) {
  const events: RunEvent[] = [];
  const result = await runRunbook(await findRunbook("release"), {
    env: "dev",
    step,
    params: { repo: work, ...params },
    confirm: true,
    emit: (e) => events.push(e),
    dataDir: path.join(dir, "data"),
    processEnv: { ...process.env, RUNBOOK_DATA_DIR: path.join(dir, "data") },
  });
  const output = events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line);
  return { result, events, output };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-release-"));
  origin = path.join(dir, "origin.git");
  work = path.join(dir, "work");
  git(dir, "init", "-q", "--bare", "-b", "main", origin);
  git(dir, "clone", "-q", origin, work);
  git(work, "config", "user.email", "release-test@example.com");
  git(work, "config", "user.name", "Release Test");
  git(work, "switch", "-q", "-c", "main");
  await writeFile(
    path.join(work, "package.json"),
    `${JSON.stringify({ name: "app", version: "1.4.0" }, null, 2)}\n`,
  );
  await writeFile(path.join(work, "CHANGELOG.md"), "# Changelog\n\n## [1.4.0] - 2026-11-01\n\n- First\n");
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", "Release 1.4.0");
  git(work, "tag", "-a", "v1.4.0", "-m", "v1.4.0");
  git(work, "push", "-q", "origin", "main", "v1.4.0");
  git(work, "switch", "-q", "-c", "develop");
  await writeFile(path.join(work, "feature.txt"), "new\n");
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", "Subjunctive after ojalá");
  git(work, "push", "-q", "-u", "origin", "develop");
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("release", () => {
  it("cuts release/1.5.0 from develop, tags main once merged, merges back and deletes the branch", async () => {
    const cut = await run("cut-branch", { version: "1.5.0" });
    expect(cut.result.status, failedStepError(cut.events)).toBe("ok");
    expect(git(origin, "log", "-1", "--format=%s", "release/1.5.0")).toBe("Release 1.5.0");
    expect(git(origin, "rev-parse", "release/1.5.0^")).toBe(git(origin, "rev-parse", "develop"));
    const pkg = JSON.parse(git(origin, "show", "release/1.5.0:package.json")) as { version: string };
    expect(pkg.version).toBe("1.5.0");
    expect(git(origin, "show", "release/1.5.0:CHANGELOG.md")).toMatch(
      /## \[1\.5\.0\] - \d{4}-\d\d-\d\d\n\n- Subjunctive after ojalá\n/,
    );

    // Not merged yet: the tag step refuses.
    const early = await run("tag", { version: "1.5.0" });
    expect(early.result.status).toBe("failed");
    expect(failedStepError(early.events)).toContain("is not merged into main yet");

    // The pull request release/1.5.0 → main, merged with a merge commit (what GitHub does).
    git(work, "switch", "-q", "main");
    git(work, "merge", "-q", "--no-ff", "-m", "Merge release/1.5.0", "origin/release/1.5.0");
    git(work, "push", "-q", "origin", "main");

    const tag = await run("tag", { version: "1.5.0" });
    expect(tag.result.status, failedStepError(tag.events)).toBe("ok");
    expect(git(origin, "rev-parse", "v1.5.0^{commit}")).toBe(git(origin, "rev-parse", "main"));
    expect(git(origin, "cat-file", "-t", "v1.5.0")).toBe("tag");

    const back = await run("merge-back", { version: "1.5.0" });
    expect(back.result.status, failedStepError(back.events)).toBe("ok");
    expect(git(origin, "merge-base", "--is-ancestor", "v1.5.0", "develop")).toBe("");
    expect(git(origin, "branch", "--list", "release/1.5.0")).toBe("");
  });

  it("cuts a hotfix from the production tag, not from develop, and plans before it acts", async () => {
    await writeFile(path.join(work, "feature.txt"), "unreleased work\n");
    git(work, "switch", "-q", "develop");
    git(work, "commit", "-q", "-am", "Unreleased work");
    git(work, "push", "-q", "origin", "develop");

    const planned = await runRunbook(await findRunbook("release"), {
      env: "dev",
      plan: true,
      params: { repo: work, kind: "hotfix", version: "1.5.1" },
      confirm: true,
      emit: () => undefined,
      dataDir: path.join(dir, "data"),
    });
    expect(planned.status).toBe("ok");
    expect(git(origin, "branch", "--list", "hotfix/1.5.1")).toBe("");

    const cut = await run("cut-branch", { kind: "hotfix", version: "1.5.1" });
    expect(cut.result.status, failedStepError(cut.events)).toBe("ok");
    expect(cut.output.join("\n")).toContain("pushed hotfix/1.5.1 (from v1.5.0)");
    expect(git(origin, "rev-parse", "hotfix/1.5.1^")).toBe(git(origin, "rev-parse", "v1.5.0^{commit}"));
    expect(git(origin, "show", "hotfix/1.5.1:feature.txt")).toBe("new");
    const pkg = JSON.parse(await readFile(path.join(work, "package.json"), "utf8")) as { version: string };
    expect(pkg.version).toBe("1.5.1");

    const again = await run("cut-branch", { kind: "hotfix", version: "1.5.1" });
    expect(failedStepError(again.events)).toContain("hotfix/1.5.1 already exists on origin");
  });
});
