import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { catalog } from "./catalog.ts";
import { declaredFiles, type IndirectStart, startedCheckoutFiles } from "./started-files.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

describe("the catalog", () => {
  it("lists each runbook with its parameters and each step's exact source", async () => {
    const entries = await catalog(FIXTURES);
    const demo = entries.find((e) => e.id === "steps-demo");
    const file = await readFile(path.join(FIXTURES, "demo", "steps-demo.ts"), "utf8");
    expect(demo?.steps.map((s) => s.id)).toEqual(["first", "second", "third"]);
    for (const s of demo?.steps ?? []) {
      expect(file).toContain(s.source);
      expect(s.source.trimStart().startsWith("step({")).toBe(true);
      expect(s.source).toContain(`id: "${s.id}"`);
      expect(file.split("\n")[s.line - 1]).toContain("step({");
    }
    expect(demo?.params).toEqual([
      {
        name: "start",
        type: "integer",
        description: "first value",
        default: 1,
        required: false,
        secret: false,
      },
      {
        name: "failWhileExists",
        type: "string",
        description: "fail step two while this file exists",
        default: "",
        required: false,
        secret: false,
      },
      {
        name: "marker",
        type: "string",
        description: "file the change step writes",
        default: "",
        required: false,
        secret: false,
      },
    ]);
    const danger = entries.find((e) => e.id === "danger-demo");
    expect(danger?.params.find((p) => p.name === "token")?.secret).toBe(true);
    expect(danger?.params.find((p) => p.name === "mode")).toMatchObject({
      type: "enum",
      choices: ["soft", "hard"],
    });
  });
});

describe("the CLI's own commands", () => {
  it("refuses a runbook whose id is a command of the CLI, naming the file and the command", async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import("node:fs/promises");
    const os = await import("node:os");
    const { loadRunbooks } = await import("./catalog.ts");
    const { CLI_COMMANDS } = await import("./cli-commands.ts");
    const dir = await mkdtemp(path.join(os.tmpdir(), "reserved-"));
    try {
      await mkdir(path.join(dir, "area"));
      const define = path.join(FIXTURES, "..", "define.ts");
      for (const id of ["diff", "approve", "exercised"]) {
        expect(CLI_COMMANDS).toContain(id);
        await writeFile(
          path.join(dir, "area", `${id}.ts`),
          `import { z } from "zod";\nimport { defineRunbook } from ${JSON.stringify(define)};\nexport default defineRunbook({ id: ${JSON.stringify(id)}, title: "t", summary: "s", guide: "operational-runbook", section: "x", params: z.object({}), steps: (step) => [step({ id: "a", title: "a", description: "a", danger: "read", timeoutMs: 1000, run: async () => 1 })] });\n`,
        );
        await expect(loadRunbooks(dir)).rejects.toThrow(
          new RegExp(`defines runbook "${id}", which is a command of the CLI`),
        );
        await rm(path.join(dir, "area", `${id}.ts`));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A runbook's provenance covers only the files it declares in `executes` beyond its imports: a
// runbook that starts a checkout file without declaring it runs a file nobody hashed.
describe("the files a runbook starts", () => {
  // Helpers that start a checkout file through a parameter (startRelease's `dir`), so the file is
  // not named with REPO_ROOT where they are: the scanner is told.
  const INDIRECT: IndirectStart[] = [
    { module: "runbooks/deployment/_pool.ts", name: "startMember", file: "practice-app/src/main.ts" },
  ];

  it("are each declared in the runbook's `executes`", async () => {
    const { REPO_ROOT } = await import("./paths.ts");
    const { loadRunbooks } = await import("./catalog.ts");
    const problems: string[] = [];
    let starters = 0;
    for (const runbook of (await loadRunbooks(path.join(REPO_ROOT, "runbooks"))).values()) {
      const started = startedCheckoutFiles(runbook.file, REPO_ROOT, INDIRECT);
      if (started.length > 0) starters++;
      const declared = declaredFiles(runbook, REPO_ROOT);
      for (const file of started)
        if (!declared.includes(file))
          problems.push(
            `${runbook.id} starts ${file} but does not declare it: add "${path.relative(path.dirname(runbook.file), path.join(REPO_ROOT, file))}" to its \`executes\``,
          );
    }
    expect(problems).toEqual([]);
    // The scan still finds what it should: load-test, dev-stack, migrate-database, the pool's runbooks…
    expect(starters).toBeGreaterThanOrEqual(10);
  });

  it("the indirect starters still exist", async () => {
    const { REPO_ROOT } = await import("./paths.ts");
    for (const entry of INDIRECT) {
      const source = await readFile(path.join(REPO_ROOT, entry.module), "utf8");
      expect(source, `${entry.module} no longer declares ${entry.name}`).toMatch(
        new RegExp(`export (?:async )?function ${entry.name}\\b`),
      );
    }
  });

  it("follow a helper the runbook uses, and not one it only imports beside it", async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import("node:fs/promises");
    const os = await import("node:os");
    const root = await mkdtemp(path.join(os.tmpdir(), "started-"));
    try {
      await mkdir(path.join(root, "runbooks", "area"), { recursive: true });
      await writeFile(
        path.join(root, "runbooks", "area", "_helpers.ts"),
        [
          'const SEED = path.join(REPO_ROOT, "app", "seed-cli.ts");',
          "export async function seed(ctx) { await ctx.run(SEED); }",
          'export function isApp(cmd) { return cmd.includes("app/main.ts"); }',
          'export function unused() { return path.join(REPO_ROOT, "scripts/other.ts"); }',
          'export function releaseMain(dir) { return path.join(dir, "app/main.ts"); }',
          "export function startIndirect(ctx) { return ctx.start(releaseMain(REPO_ROOT)); }",
        ].join("\n"),
      );
      const runbook = path.join(root, "runbooks", "area", "demo.ts");
      await writeFile(
        runbook,
        [
          'import { isApp, releaseMain, seed, startIndirect } from "./_helpers.ts";',
          'const RUNNER = path.join(REPO_ROOT, "load-tests/run.ts");',
          "export default { steps: [seed, isApp, startIndirect, RUNNER, releaseMain] };",
        ].join("\n"),
      );
      expect(startedCheckoutFiles(runbook, root)).toEqual(["app/seed-cli.ts", "load-tests/run.ts"]);
      expect(
        startedCheckoutFiles(runbook, root, [
          { module: "runbooks/area/_helpers.ts", name: "startIndirect", file: "app/main.ts" },
        ]),
      ).toEqual(["app/main.ts", "app/seed-cli.ts", "load-tests/run.ts"]);
      expect(declaredFiles({ file: runbook, executes: ["../../app/seed-cli.ts"] }, root)).toEqual([
        "app/seed-cli.ts",
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
