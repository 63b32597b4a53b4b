import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { catalog } from "./catalog.ts";

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
