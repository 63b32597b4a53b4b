import { describe, expect, it } from "vitest";
import { type Arrow, check, checkTree, importsOf, RULES } from "./import-rules.ts";

// The import rules hold on the tree, and each rule catches the arrow it forbids: the rows below
// are the upward arrows the tree had before the architecture issue.

const arrow = (to: string, raw = false): Arrow => ({ to, raw });

describe("import rules", () => {
  it("no file imports against the rules", async () => {
    const violations = await checkTree();
    expect(violations.map((v) => `${v.file} → ${v.imports} (${v.rule})`)).toEqual([]);
  });

  const forbidden: Array<[rule: string, from: string, to: string]> = [
    ["site-down-only", "src/lib/console-links.ts", "console/settings.ts"],
    ["site-down-only", "src/components/GatesTable.astro", "scripts/gates.ts"],
    ["site-down-only", "src/scripts/console-client.ts", "runbooks/engine/audit.ts"],
    ["nothing-imports-the-site", "runbooks/scaling/alert-check.ts", "src/policy/index.ts"],
    ["nothing-imports-the-site", "load-tests/lib/thresholds.ts", "src/policy/index.ts"],
    ["nothing-imports-the-site", "console/server.ts", "src/lib/policy-view.ts"],
    ["console-not-load-tests", "console/server.ts", "load-tests/lib/profiles.ts"],
    // The run diff's load-test verdicts came from load-tests/ before they moved to policy/.
    ["engine-down-only", "runbooks/engine/artifact-diff.ts", "load-tests/lib/baseline.ts"],
    ["engine-down-only", "runbooks/engine/run.ts", "runbooks/backup/restore.ts"],
    ["engine-down-only", "runbooks/engine/budget.ts", "runbooks/lib/backups.ts"],
    ["policy-imports-nothing", "policy/index.ts", "runbooks/engine/define.ts"],
    ["app-imports-nothing", "practice-app/src/db/seed.ts", "policy/index.ts"],
    ["runbooks-not-app-source", "runbooks/backup/restore.ts", "practice-app/src/db/pool.ts"],
    ["load-tests-not-app-source", "load-tests/lib/journey.ts", "practice-app/src/api/app-router.ts"],
    ["nothing-imports-tooling", "scripts/bench-site.ts", "tests/support/browser.ts"],
    ["nothing-imports-tooling", "runbooks/lib/backups.ts", "scripts/gates.ts"],
    ["private-files", "tests/runbooks/deployment.test.ts", "runbooks/deployment/_lib.ts"],
    ["private-files", "runbooks/backup/restore.ts", "runbooks/deployment/_releases.ts"],
  ];
  it.each(forbidden)("%s: %s → %s is refused", (rule, from, to) => {
    expect(check(from, [arrow(to)]).map((v) => v.rule.split(":")[0])).toContain(rule);
  });

  it("every rule has a forbidden arrow above", () => {
    expect(new Set(forbidden.map(([rule]) => rule))).toEqual(new Set(RULES.map((r) => r.id)));
  });

  it.each([
    ["src/components/Runbook.astro", "console/protocol.ts"],
    ["src/lib/runbook-catalog.ts", "runbooks/engine/catalog.ts"],
    ["src/lib/policy-view.ts", "policy/index.ts"],
    ["console/server.ts", "runbooks/engine/run.ts"],
    ["runbooks/engine/artifact-diff.ts", "policy/load-comparison.ts"],
    ["runbooks/engine/lock.ts", "runbooks/lib/process.ts"],
    ["runbooks/engine/run.test.ts", "tests/support/runbooks.ts"],
    ["runbooks/deployment/deploy.ts", "runbooks/deployment/_lib.ts"],
    ["tests/cicd/gates.test.ts", "scripts/run-gates.ts"],
  ])("%s → %s is allowed", (from, to) => {
    expect(check(from, [arrow(to)])).toEqual([]);
  });

  it("a file shown as text (?raw) is not an import of its code", () => {
    expect(check("src/content/docs/cicd-workflow/x.mdx", [arrow(".github/workflows/ci.yml", true)])).toEqual(
      [],
    );
  });

  it("reads import, export-from, side-effect and dynamic imports, and ignores comments and packages", () => {
    const text = [
      'import { a } from "../lib/a.ts";',
      'export { b } from "./b.ts";',
      'import "../styles/c.css";',
      'const d = await import("../../d.ts");',
      'import e from "../x.yml?raw";',
      'import { z } from "zod";',
      '// import { f } from "../f.ts";',
      '/* import { g } from "../g.ts"; */',
    ].join("\n");
    expect(importsOf("src/components/X.astro", text)).toEqual([
      arrow("src/lib/a.ts"),
      arrow("src/components/b.ts"),
      arrow("src/styles/c.css"),
      arrow("d.ts"),
      arrow("src/x.yml", true),
    ]);
  });
});
