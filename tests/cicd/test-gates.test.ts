import { glob } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_LIST, GATES, type GateId, testFileInGate } from "../../policy/gates.ts";
import { TEST_FILES } from "../../vitest.config.ts";

// Every test file belongs to exactly one quality gate: a file in no gate would run in `npm test`
// but never in CI (which runs the gates), and a file in two would run twice.

const ROOT = path.resolve(import.meta.dirname, "../..");

async function testFiles(): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of TEST_FILES) {
    for await (const file of glob(pattern, { cwd: ROOT, exclude: (name) => name === "node_modules" }))
      files.add(file.split(path.sep).join("/"));
  }
  return [...files].sort();
}

describe("test files and gates", () => {
  it("finds the test files the way Vitest's config includes them", async () => {
    const files = await testFiles();
    expect(files).toContain("practice-app/src/domain/scheduling.test.ts");
    expect(files).toContain("tests/cicd/test-gates.test.ts");
    expect(files.length).toBeGreaterThan(40);
  });

  it("every test file matches exactly one gate's filters", async () => {
    const problems: string[] = [];
    for (const file of await testFiles()) {
      const gates = GATE_LIST.filter((g) => testFileInGate(g, file)).map((g) => g.id);
      if (gates.length === 0)
        problems.push(`${file} is in no gate: add a filter for it to a gate's tests in policy/gates.ts`);
      if (gates.length > 1) problems.push(`${file} is in ${gates.join(" and ")}: it would run twice in CI`);
    }
    expect(problems).toEqual([]);
  });

  it.each([
    ["a file under a filter's folder is in the gate", "tests/console/http.test.ts", "console", true],
    ["a console unit test is in the console gate", "console/sessions.test.ts", "console", true],
    ["a file whose name only starts like the folder is not", "tests/e2e/console.test.ts", "console", false],
    ["the engine's tests are unit tests", "runbooks/engine/cli.test.ts", "unit", true],
    ["runbook tests against a stack are not unit tests", "tests/runbooks/backup.test.ts", "unit", false],
    ["a new top-level folder is in no gate", "tools/new.test.ts", "unit", false],
  ] satisfies Array<[string, string, GateId, boolean]>)("%s", (_rule, file, gateId, expected) => {
    expect(testFileInGate({ id: gateId, ...GATES[gateId] }, file)).toBe(expected);
  });

  it("each test gate's command runs exactly its filters", () => {
    for (const gate of GATE_LIST.filter((g) => g.tests))
      expect(gate.command, gate.id).toEqual(["npm", "test", "--", ...(gate.tests ?? [])]);
  });
});
