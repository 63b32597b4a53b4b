import { describe, expect, it } from "vitest";
import { GATE_IDS } from "../../policy/gates.ts";
import { main as branchPolicy, mergeProblem, nameProblem } from "../../scripts/branch-policy.ts";
import { main as runGates } from "../../scripts/run-gates.ts";

// `npm run gates` (scripts/run-gates.ts) and the branch gate (scripts/branch-policy.ts), called
// through their `main` with the environment CI would give them; the gates run-gates starts are
// real processes.

/** CI sets GITHUB_*; these runs must see only what each case gives them. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GITHUB_")));
  return { ...clean, ...env };
}

async function gates(args: string[], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await runGates(args, cleanEnv(env), {
    log: (l) => lines.push(l),
    error: (l) => lines.push(l),
  });
  return { code, out: lines.join("\n") };
}

function branch(env: Record<string, string>) {
  const lines: string[] = [];
  const code = branchPolicy(cleanEnv(env), (l) => lines.push(l));
  return { code, out: lines.join("\n") };
}

describe("npm run gates", () => {
  it("refuses an unknown gate before running anything, naming the known ones", async () => {
    const { code, out } = await gates(["branch", "nope"]);
    expect(code).toBe(2);
    expect(out).toContain(`unknown gate(s): nope. Gates: ${GATE_IDS.join(", ")}`);
    expect(out).not.toContain("■ branch");
  });

  it("runs the named gates and ends with a pass/fail table", async () => {
    const { code, out } = await gates(["branch"], { GITHUB_REF_NAME: "develop" });
    expect(code).toBe(0);
    expect(out).toContain("■ branch: node scripts/branch-policy.ts");
    expect(out).toMatch(
      /quality gates:\n {2}branch {2}pass {4}\s*[\d.]+ s {2}Branch strategy\n1 passed, 0 failed/,
    );
  });

  it("fails when a named gate fails, and says which", async () => {
    const { code, out } = await gates(["branch"], { GITHUB_REF_NAME: "release/next" });
    expect(code).toBe(1);
    expect(out).toMatch(/ {2}branch {2}FAIL .* \(exit 1\)\n0 passed, 1 failed/);
  });
});

describe("branch rules (Git Flow)", () => {
  it("names", () => {
    expect(nameProblem("develop")).toBeNull();
    expect(nameProblem("feature/142-subjunctive-after-ojala")).toBeNull();
    expect(nameProblem("release/1.5.0")).toBeNull();
    expect(nameProblem("hotfix/1.4.1")).toBeNull();
    expect(nameProblem("some-experiment")).toBeNull(); // allowed: CI only, no deploy
    expect(nameProblem("release/1.5")).toBe(
      "release/1.5: a release branch is named release/X.Y.Z (the version it will be tagged with)",
    );
    expect(nameProblem("hotfix/urgent")).toMatch(/^hotfix\/urgent: a hotfix branch is named hotfix\/X\.Y\.Z/);
    expect(nameProblem("feature/Fix_Stuff")).toMatch(/feature\/<issue>-<kebab-case-words>/);
  });

  it("merges into main only from release/* and hotfix/*", () => {
    expect(mergeProblem("release/1.5.0", "main")).toBeNull();
    expect(mergeProblem("hotfix/1.4.1", "main")).toBeNull();
    expect(mergeProblem("feature/142-x", "develop")).toBeNull();
    expect(mergeProblem("main", "develop")).toBeNull();
    expect(mergeProblem("feature/142-x", "main")).toBe(
      "only release/* and hotfix/* branches merge into main, not feature/142-x: open the pull request into develop",
    );
  });

  it("a pull request into main from a feature branch fails the gate", () => {
    const { code, out } = branch({
      GITHUB_HEAD_REF: "feature/142-subjunctive-after-ojala",
      GITHUB_BASE_REF: "main",
    });
    expect(code).toBe(1);
    expect(out).toContain("pull request feature/142-subjunctive-after-ojala → main");
    expect(out).toContain("✘ only release/* and hotfix/* branches merge into main");
  });

  it("a hotfix whose package.json version differs from its name fails the gate", () => {
    const { code, out } = branch({ GITHUB_REF_NAME: "hotfix/9.9.9" });
    expect(code).toBe(1);
    expect(out).toMatch(
      /✘ package\.json says \d+\.\d+\.\d+, the branch says 9\.9\.9: npm version 9\.9\.9 --no-git-tag-version/,
    );
  });
});
