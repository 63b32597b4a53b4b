import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Which way imports may point (shared/ARCHITECTURE.md, README "Layout"): every relative import of
// every source file is resolved to a repository path and checked against the rules below.
// `node scripts/import-rules.ts` prints each violation and exits 1; the test runs the same check.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

/** An import: the repository path it names, and whether it only reads the file's text (`?raw`). */
export interface Arrow {
  to: string;
  raw: boolean;
}

export interface Rule {
  id: string;
  /** Why the arrow must not exist, as the violation reads. */
  says: string;
  breaks(from: string, arrow: Arrow): boolean;
}

const under = (dir: string) => (file: string) => file === dir || file.startsWith(`${dir}/`);
// The site's own config files at the root (Astro's, Expressive Code's) are part of the site.
const isSite = (file: string) =>
  under("src")(file) || file === "astro.config.mjs" || file === "ec.config.mjs";
const isConsole = under("console");
const isRunbooks = under("runbooks");
const isEngine = under("runbooks/engine");
const isLoadTests = under("load-tests");
const isPolicy = under("policy");
const isApp = under("practice-app");
const isTooling = (file: string) => under("scripts")(file) || under("tests")(file);
const isTest = (file: string) => file.endsWith(".test.ts") || under("tests")(file);

/**
 * The app's fact modules: declarations with no I/O and no side effects (the config schema, the
 * error-code table, the metric declarations, the Redis key table, the exit codes). The handbook
 * renders these facts from the code (<EnvTable/>, <ErrorCodes/>, <Metrics/>, <RedisKeys/>,
 * <ExitCodes/>) instead of typing them; importing the module is the only way to see a zod
 * default or a prom-client label set exactly as the app does. Nothing else of the app.
 */
export const APP_FACT_MODULES = [
  "practice-app/src/config/config.ts",
  "practice-app/src/api/errors.ts",
  "practice-app/src/metrics.ts",
  "practice-app/src/cache/keys.ts",
  "practice-app/src/exit-codes.ts",
] as const;

/**
 * The lib/ modules the runbook engine uses: the lock's liveness check (process.ts), and the
 * error-budget gate's incident folders and Prometheus client (incidents.ts, prometheus-api.ts).
 * Nothing else of lib/, no area and no load-tests/: the console reaches everything the engine
 * imports, and it knows no runbook's tools.
 */
export const ENGINE_LIB_MODULES = [
  "runbooks/lib/process.ts",
  "runbooks/lib/incidents.ts",
  "runbooks/lib/prometheus-api.ts",
] as const;

/** What the site may import besides itself: the console's contract, the catalog, the policy, load-test and benchmark summaries it charts, and the app's fact modules. */
const SITE_MAY_IMPORT = [
  (to: string) => (APP_FACT_MODULES as readonly string[]).includes(to),
  (to: string) => to === "console/protocol.ts",
  (to: string) => to === "runbooks/engine/catalog.ts",
  isPolicy,
  (to: string) =>
    to === "load-tests/lib/summary.ts" ||
    // The baseline verdicts (pure): the page shows the runner's flags, exit code and verdicts from them.
    to === "load-tests/lib/baseline.ts" ||
    under("load-tests/measured")(to),
  // The committed benchmark results (bench:app, bench:site): data the benchmark wrote, rendered by
  // <Figure/> and <BenchmarkTable/> instead of figures typed by hand (issues 13 and 21).
  (to: string) => under("bench/results")(to) && to.endsWith(".json"),
];

export const RULES: readonly Rule[] = [
  {
    id: "site-down-only",
    says: "the site imports only console/protocol.ts, the runbook catalog, policy/, load-test and benchmark summaries and the app's fact modules (APP_FACT_MODULES) (a file shown as text, ?raw, is not an import of its code)",
    breaks: (from, { to, raw }) =>
      isSite(from) && !raw && !isSite(to) && !SITE_MAY_IMPORT.some((ok) => ok(to)),
  },
  {
    id: "nothing-imports-the-site",
    says: "src/ is the top layer: runbooks, load tests, the console, the policy and the app never import it",
    breaks: (from, { to }) => !isSite(from) && !isTooling(from) && isSite(to),
  },
  {
    id: "console-not-load-tests",
    says: "the console knows no runbook's tools: artifacts and viewers come from the catalog",
    breaks: (from, { to }) => isConsole(from) && isLoadTests(to),
  },
  {
    id: "engine-down-only",
    says: "the runbook engine imports only itself, policy/ and the lib/ modules ENGINE_LIB_MODULES names: never an area, load-tests/ or a layer above it",
    breaks: (from, { to }) =>
      isEngine(from) &&
      !isTest(from) &&
      !isEngine(to) &&
      !isPolicy(to) &&
      !(ENGINE_LIB_MODULES as readonly string[]).includes(to),
  },
  {
    id: "policy-imports-nothing",
    says: "policy/ is the bottom layer and imports nothing outside itself",
    breaks: (from, { to }) => isPolicy(from) && !isPolicy(to),
  },
  {
    id: "app-imports-nothing",
    says: "the practice app imports nothing of the handbook",
    breaks: (from, { to }) => isApp(from) && !isApp(to),
  },
  {
    id: "runbooks-not-app-source",
    says: "runbooks operate the app over HTTP, PostgreSQL and Redis, never through its source",
    breaks: (from, { to }) => isRunbooks(from) && !isTest(from) && isApp(to),
  },
  {
    id: "load-tests-not-app-source",
    says: "load tests reach the app over HTTP only",
    breaks: (from, { to }) =>
      isLoadTests(from) && !isTest(from) && (isApp(to) || isRunbooks(to) || isConsole(to)),
  },
  {
    id: "nothing-imports-tooling",
    says: "only tests import tests/; only scripts and tests import scripts/ (tools production uses live in scripts/lib)",
    breaks: (from, { to }) =>
      (under("tests")(to) && !isTest(from)) || (under("scripts")(to) && !isTooling(from)),
  },
  {
    id: "private-files",
    says: "a _*.ts file is private to its folder",
    breaks: (from, { to }) =>
      path.posix.basename(to).startsWith("_") && path.posix.dirname(to) !== path.posix.dirname(from),
  },
];

const SOURCE = /\.(ts|mts|js|mjs|astro|mdx)$/;
const SKIP = new Set(["node_modules", "dist", ".git", ".data", ".astro", "test-results", "results"]);

export async function sourceFiles(root = ROOT, dir = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith(".")) continue;
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await sourceFiles(root, rel)));
    else if (SOURCE.test(entry.name)) files.push(rel);
  }
  return files;
}

// import … from "x", export … from "x", import "x", import("x"); comments are removed first.
const SPECIFIERS =
  /\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The repository paths a file imports (relative specifiers only; packages are not arrows). */
export function importsOf(file: string, text: string): Arrow[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const found: Arrow[] = [];
  for (const match of code.matchAll(SPECIFIERS)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? "";
    if (!specifier.startsWith(".")) continue;
    const [target = "", query = ""] = specifier.split("?");
    found.push({
      to: path.posix.normalize(path.posix.join(path.posix.dirname(file), target)),
      raw: query.split("&").includes("raw"),
    });
  }
  return found;
}

export function check(file: string, arrows: readonly Arrow[]): Violation[] {
  const violations: Violation[] = [];
  for (const arrow of arrows)
    for (const rule of RULES)
      if (rule.breaks(file, arrow))
        violations.push({ file, imports: arrow.to, rule: `${rule.id}: ${rule.says}` });
  return violations;
}

export async function checkTree(root = ROOT): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const file of await sourceFiles(root)) {
    violations.push(...check(file, importsOf(file, await readFile(path.join(root, file), "utf8"))));
  }
  return violations;
}

if (import.meta.main) {
  const violations = await checkTree();
  for (const v of violations) console.log(`${v.file} imports ${v.imports}\n  ✘ ${v.rule}`);
  console.log(`${violations.length} import rule violation${violations.length === 1 ? "" : "s"}`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
