import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CodeSnippet,
  checkProse,
  checkSnippets,
  envFamilies,
  type KnownFacts,
  levenshtein,
} from "./hand-typed-facts.ts";
import { checkPages, codeSnippets, proseLines } from "./hand-typed-facts-check.ts";

const facts: KnownFacts = {
  env: new Map([
    ["PG_POOL_MAX", "10"],
    ["PG_STATEMENT_TIMEOUT_MS", "5000"],
    ["REDIS_URL", "empty"],
    ["RATE_LIMIT_LOGIN_PER_IP", "50"],
    ["RATE_LIMIT_API_PER_LEARNER", "300"],
    ["SHUTDOWN_TIMEOUT_MS", "10000"],
  ]),
  metrics: new Set([
    "trpc_errors_total",
    "trpc_request_duration_seconds",
    "redis_up",
    "process_cpu_seconds_total",
  ]),
  errors: new Map([
    ["RATE_LIMITED", 429],
    ["EMAIL_TAKEN", 409],
  ]),
  runbooks: new Map([["alert-check", ["app-metrics", "summary"]]]),
};

const span = (text: string, after = ""): CodeSnippet => ({ kind: "span", lang: "", text, line: 7, after });
const block = (lang: string, text: string): CodeSnippet => ({ kind: "block", lang, text, line: 10 });
const rules = (snippets: CodeSnippet[]) => checkSnippets(snippets, facts).map((f) => f.rule);

describe("hand-typed facts: each row names the rule it checks", () => {
  it.each([
    ["unknown-env: a misspelt variable", [span("PG_POOL_MAXX")], ["unknown-env"]],
    [
      "unknown-env: a renamed variable in a family (RATE_LIMIT_)",
      [span("RATE_LIMIT_LOGIN_PER_USER")],
      ["unknown-env"],
    ],
    ["another system's variable far from every name passes", [span("REDIS_PUBLIC_URL")], []],
    ["a variable of the tests or runbooks passes", [span("TEST_REDIS_URL")], []],
    ["typed-default: NAME=default in a config block", [block("ini", "PG_POOL_MAX=10")], ["typed-default"]],
    ["typed-default: NAME: default in YAML", [block("yaml", "  PG_POOL_MAX: 10")], ["typed-default"]],
    ["a value other than the default is a setting, not a fact", [block("ini", "PG_POOL_MAX=20")], []],
    ["shell blocks are commands: assignments pass", [block("sh", "PG_POOL_MAX=10 npm run app")], []],
    ["typed-default: `NAME` (10) in prose", [span("PG_POOL_MAX", " (10) connections")], ["typed-default"]],
    ["typed-default: `NAME` (5 s) in prose", [span("PG_STATEMENT_TIMEOUT_MS", " (5 s).")], ["typed-default"]],
    [
      "typed-default: `NAME` defaults to N",
      [span("SHUTDOWN_TIMEOUT_MS", " defaults to 10000,")],
      ["typed-default"],
    ],
    ["a name alone is a reference", [span("PG_POOL_MAX", " connections")], []],
    ["unknown-metric: a misspelt metric", [span("trpc_error_total")], ["unknown-metric"]],
    [
      "unknown-metric: an app word with a unit suffix",
      [block("promql", "rate(trpc_calls_total[5m])")],
      ["unknown-metric"],
    ],
    ["a histogram's _bucket series passes", [block("promql", "trpc_request_duration_seconds_bucket")], []],
    ["SQL and Redis INFO names pass", [span("pg_stat_activity"), span("uptime_in_seconds")], []],
    ["unknown-error: a misspelt error code", [span("RATE_LIMITTED")], ["unknown-error"]],
    ["wrong-status: an error code with another status", [block("", "RATE_LIMITED → 503")], ["wrong-status"]],
    ["the right status passes", [block("", "RATE_LIMITED → 429")], []],
    [
      "unknown-step: a step the runbook does not have",
      [block("sh", "npm run runbook -- alert-check --step app-metric")],
      ["unknown-step"],
    ],
    [
      "unknown-step: a runbook that does not exist",
      [span("npm run runbook -- alert-chek")],
      ["unknown-step"],
    ],
    ["a real runbook and step pass", [span("npm run runbook -- alert-check --from summary")], []],
    [
      "the CLI's own commands are not runbook ids",
      [
        block(
          "sh",
          'npm run runbook -- history --runbook alert-check\nnpm run runbook -- disable env:dev --reason "freeze"\nnpm run runbook -- enable alert-check',
        ),
      ],
      [],
    ],
    [
      "unknown-step: a deep link to a missing step",
      [span("?runbook=alert-check&env=dev&step=nope")],
      ["unknown-step"],
    ],
  ])("%s", (_rule, snippets, expected) => {
    expect(rules(snippets)).toEqual(expected);
  });

  it("says where and what to do", () => {
    const [finding] = checkSnippets([span("PG_POOL_MAX", " (10) connections")], facts);
    expect(finding?.line).toBe(7);
    expect(finding?.fix).toContain('<EnvDefault name="PG_POOL_MAX"/>');
  });
});

describe("typed-benchmark: each row names the rule it checks", () => {
  const withFigures: KnownFacts = {
    ...facts,
    benchmarkFigures: new Set(["2,692 req/s", "57.2 ms", "201 MiB"]),
  };
  const prose = (text: string) => checkProse(proseLines(text), withFigures).map((f) => f.found);
  it.each([
    ["a throughput typed by hand (req/s)", "The hot read serves 1,234 req/s here.", ["1,234 req/s"]],
    ["a throughput typed in words", "It serves 200 requests per second.", ["200 requests per second"]],
    ["a figure equal to one in the results files", "p95 stays at 57.2 ms under load.", ["57.2 ms"]],
    ["a results figure in a table row", "| `exercises.next` | 201 MiB |", ["201 MiB"]],
    ["a longer number that only ends like a figure passes", "a timeout of 157.2 ms", []],
    ["a figure rendered by the component passes", 'It serves <Figure of="app.exercises.next.rps" />.', []],
    ["a configured timeout (not a measurement) passes", "Every Redis call has a 250 ms timeout.", []],
    ["code is not prose: a shell block's output passes", "```sh\n$ npm run bench:app\n1,234 req/s\n```", []],
    ["inline code passes", "Run `autocannon -R 500 req/s` to cap it.", []],
    ["frontmatter passes", "---\ndescription: 2,692 req/s\n---\nText.", []],
  ])("%s", (_rule, text, expected) => {
    expect(prose(text)).toEqual(expected);
  });
  it("says where and how to fix it", () => {
    const [finding] = checkProse(proseLines("one\n\nserves 3 req/s"), withFigures);
    expect(finding).toMatchObject({ rule: "typed-benchmark", line: 3 });
    expect(finding?.fix).toContain("<Figure of=");
  });
});

describe("helpers", () => {
  it("measures edit distance and stops past the limit", () => {
    expect(levenshtein("PG_POOL_MAX", "PG_POOL_MAXX")).toBe(1);
    expect(levenshtein("abc", "abcdefgh")).toBe(3);
  });
  it("finds variable families shared by two or more names", () => {
    expect(envFamilies(facts.env.keys())).toEqual(expect.arrayContaining(["PG_", "RATE_LIMIT_"]));
    expect(envFamilies(facts.env.keys())).not.toContain("SHUTDOWN_");
  });
  it("reads code spans and fenced blocks with their lines, skipping frontmatter", () => {
    const snippets = codeSnippets("---\ntitle: `X_Y`\n---\n\nSee `PG_POOL_MAX` (10).\n\n```ini\nA=1\n```\n");
    expect(snippets).toEqual([
      { kind: "span", lang: "", text: "PG_POOL_MAX", line: 5, after: " (10)." },
      { kind: "block", lang: "ini", text: "A=1", line: 7 },
    ]);
  });
});

describe("the build check on pages", () => {
  const fixtures = path.join(import.meta.dirname, "__fixtures__/hand-typed/docs");
  it("fails a page with hand-typed values, naming the page, the line and the fix; passes the clean page", async () => {
    const reports = await checkPages(path.join(import.meta.dirname, "../.."), fixtures, facts);
    expect(reports).toHaveLength(1);
    const [report = ""] = reports;
    expect(report).toContain("src/lib/__fixtures__/hand-typed/docs/guide/bad-page.mdx:5 [typed-default]");
    expect(report).toContain("bad-page.mdx:8 [typed-default] PG_POOL_MAX=10");
    expect(report).toContain("fix:");
    expect(report).not.toContain("good-page.mdx");
  });
});
