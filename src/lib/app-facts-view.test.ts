import { describe, expect, it } from "vitest";
import { z } from "zod";
import { METRIC_WATCH_FOR } from "../../practice-app/src/metrics.ts";
import { appMetrics, DEFAULT_METRIC_PREFIXES } from "./app-facts.ts";
import {
  composeImageTag,
  envTable,
  errorTable,
  exitTable,
  fieldFacts,
  formatDefault,
  formatTtl,
  humanDefault,
  metricTable,
  schemaDocComments,
  workflowJobs,
  workflowStepRun,
} from "./app-facts-view.ts";
import { versionLine } from "./build-info.ts";

// biome-ignore lint/suspicious/noExplicitAny: reads zod's runtime definition, as app-facts.ts does
const def = (schema: z.ZodType) => (schema as any)._zod.def;

describe("environment variables from a zod schema", () => {
  it("finds defaults through optional, preprocess and transform wrappers", () => {
    const flag = z.enum(["true", "false"]).transform((v) => v === "true");
    expect(fieldFacts(def(z.coerce.number().default(10)))).toEqual({
      hasDefault: true,
      defaultValue: 10,
      optional: true,
    });
    expect(fieldFacts(def(flag.default(true)))).toMatchObject({ hasDefault: true, defaultValue: true });
    expect(fieldFacts(def(z.preprocess((v) => v, z.string().optional())))).toMatchObject({
      hasDefault: false,
      optional: true,
    });
    expect(fieldFacts(def(z.string()))).toEqual({
      hasDefault: false,
      defaultValue: undefined,
      optional: false,
    });
  });
  it("says required, not set, empty or the value", () => {
    expect(formatDefault({ hasDefault: false, defaultValue: undefined, optional: false })).toBe("required");
    expect(formatDefault({ hasDefault: false, defaultValue: undefined, optional: true })).toBe("not set");
    expect(formatDefault({ hasDefault: true, defaultValue: "", optional: true })).toBe("empty");
    expect(formatDefault({ hasDefault: true, defaultValue: 5000, optional: true })).toBe("5000");
  });
  it("reads the /** */ comment above each property of the schema", () => {
    const docs = schemaDocComments(
      "export const configSchema = z.object({\n  /** Port the server binds. */\n  PORT: x,\n  // not a doc\n  HOST: y,\n  /**\n   * Two\n   * lines.\n   */\n  A: z,\n});",
    );
    expect([...docs]).toEqual([
      ["PORT", "Port the server binds."],
      ["A", "Two lines."],
    ]);
  });
  it("fails on an undocumented variable, naming it and the fix", () => {
    const field = { name: "NEW_VAR", hasDefault: true, defaultValue: 1, optional: true, accepts: "" };
    expect(() => envTable([field], new Map())).toThrow(
      /NEW_VAR has no description; add a \/\*\* … \*\/ comment/,
    );
    expect(envTable([field], new Map([["NEW_VAR", "New."]])).rows).toEqual([["NEW_VAR", "1", "", "New."]]);
  });
  it("writes prose defaults in the unit the name declares", () => {
    expect(humanDefault("SHUTDOWN_TIMEOUT_MS", "10000")).toBe("10 s");
    expect(humanDefault("REDIS_COMMAND_TIMEOUT_MS", "250")).toBe("250 ms");
    expect(humanDefault("SHUTDOWN_DRAIN_DELAY_MS", "0")).toBe("0 ms");
    expect(humanDefault("RATE_LIMIT_LOGIN_WINDOW_S", "900")).toBe("15 min");
    expect(humanDefault("SESSION_TTL_DAYS", "30")).toBe("30 days");
    expect(humanDefault("PG_POOL_MAX", "10")).toBe("10");
  });
});

describe("other app facts", () => {
  it("maps error codes to the status the given function computes", () => {
    const view = errorTable({ BUSY: "SERVICE_UNAVAILABLE" }, (c) =>
      c === "SERVICE_UNAVAILABLE" ? 503 : 500,
    );
    expect(view.rows).toEqual([["BUSY", "SERVICE_UNAVAILABLE", "503"]]);
  });
  it("sorts exit codes", () => {
    expect(exitTable({ b: { code: 2, meaning: "two" }, a: { code: 0, meaning: "zero" } }).rows).toEqual([
      ["0", "zero"],
      ["2", "two"],
    ]);
  });
  it("lists the app's metrics and counts Node's", () => {
    const view = metricTable(
      [
        { name: "redis_up", type: "gauge", help: "Up.", labels: [] },
        { name: "process_cpu_seconds_total", type: "counter", help: "CPU.", labels: [] },
      ],
      ["process_"],
      { redis_up: "0", process_: "memory growing" },
    );
    expect(view.rows).toEqual([
      ["redis_up", "gauge", "—", "Up.", "0"],
      ["process_*", "—", "—", "Node.js process metrics (prom-client defaults)", "memory growing"],
    ]);
    expect(view.caption).toContain("plus 1 Node.js process metrics");
  });
  it("says what to watch each metric of the app for (the monitoring page's column)", () => {
    const named = [...appMetrics().map((m) => m.name), ...DEFAULT_METRIC_PREFIXES].filter(
      (name) => !DEFAULT_METRIC_PREFIXES.some((p) => name.startsWith(p) && name !== p),
    );
    expect(named.filter((name) => !METRIC_WATCH_FOR[name])).toEqual([]);
    expect(Object.keys(METRIC_WATCH_FOR).filter((name) => !named.includes(name))).toEqual([]);
  });
  it("formats TTLs, fixed or from a variable's default", () => {
    expect(formatTtl({ seconds: 3600 }, () => "")).toBe("1 h");
    expect(formatTtl({ configVariable: "W_S" }, () => "900")).toBe("W_S (default 15 min)");
    expect(formatTtl({ none: "renamed" }, () => "")).toBe("none: renamed");
  });
  it("reads jobs and steps in order from a workflow", () => {
    const jobs = workflowJobs(
      "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - name: Test\n        run: npm test\n  b:\n    needs: a\n    steps:\n      - run: |\n          echo one\n          echo two\n",
      "x.yml",
    );
    expect(jobs.map((j) => [j.id, j.needs, j.steps.map((s) => s.name)])).toEqual([
      ["a", [], ["actions/checkout@v4", "Test"]],
      ["b", ["a"], ["echo one"]],
    ]);
    expect(() => workflowJobs("name: x\n", "x.yml")).toThrow(/x.yml has no jobs/);
  });
  it("reads the command of a workflow step by its id, and names what is missing", () => {
    const yaml =
      "on: push\njobs:\n  a:\n    steps:\n      - id: load\n        name: Load\n        run: npm run load -- smoke --fail-on-regression\n      - id: up\n        uses: actions/upload-artifact@v4\n";
    expect(workflowStepRun(yaml, "x.yml", "a", "load")).toBe("npm run load -- smoke --fail-on-regression");
    expect(() => workflowStepRun(yaml, "x.yml", "a", "nope")).toThrow(/no step with id "nope"/);
    expect(() => workflowStepRun(yaml, "x.yml", "a", "up")).toThrow(
      /no step with id "up" that runs a command/,
    );
    expect(() => workflowStepRun(yaml, "x.yml", "b", "load")).toThrow(/x.yml has no job "b"/);
  });
  it("reads a compose service's image tag", () => {
    expect(composeImageTag("services:\n  postgres:\n    image: postgres:15\n", "postgres")).toBe("15");
    expect(composeImageTag("services: {}\n", "postgres")).toBeUndefined();
  });
  it("names the tag and the commit on the footer", () => {
    expect(versionLine({ commit: "a".repeat(40), short: "aaaaaaaaaaaa", describe: "v1.5.0" })).toBe(
      "Built from v1.5.0 (commit aaaaaaaaaaaa)",
    );
    expect(versionLine({ commit: "b".repeat(40), short: "bbbbbbbbbbbb", describe: null })).toBe(
      "Built from commit bbbbbbbbbbbb (no release tag)",
    );
    expect(versionLine({ commit: null, short: "unknown", describe: null })).toMatch(/commit unknown/);
  });
});
