import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

// `npm test`: every check and test of the repository, in order, ending with "N passed, N failed".
// Each static check counts as one; every Vitest test counts as one. Extra arguments go to Vitest
// (e.g. `npm test -- tests/app/api.test.ts`), and then the static checks are skipped.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = path.join(ROOT, "test-results");

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit", env: process.env });
    child.once("error", (error) => {
      console.error(`could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function check(tally: Tally, name: string, command: string, args: string[]): Promise<void> {
  console.log(`\n▶ ${name}: ${command} ${args.join(" ")}`);
  const code = await run(command, args);
  if (code === 0) {
    tally.passed += 1;
    console.log(`✔ ${name}`);
  } else {
    tally.failed += 1;
    tally.failures.push(`${name} (exit ${code})`);
    console.log(`✘ ${name} (exit ${code})`);
  }
}

async function vitest(tally: Tally, extra: string[]): Promise<void> {
  const report = path.join(RESULTS, "vitest.json");
  await rm(report, { force: true });
  console.log("\n▶ vitest: unit, integration and fault tests against PostgreSQL and Redis");
  const code = await run("vitest", [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...extra,
  ]);
  let json: {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{
      name: string;
      status: string;
      message?: string;
      assertionResults: Array<{ fullName: string; status: string }>;
    }>;
  };
  try {
    json = JSON.parse(await readFile(report, "utf8"));
  } catch {
    tally.failed += 1;
    tally.failures.push(`vitest wrote no report (exit ${code}); see its output above`);
    return;
  }
  tally.passed += json.numPassedTests;
  tally.failed += json.numFailedTests;
  tally.skipped += json.numPendingTests + json.numTodoTests;
  for (const file of json.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === "failed")
        tally.failures.push(`${path.relative(ROOT, file.name)} › ${test.fullName}`);
    }
    // A file that fails to load, or whose beforeAll throws, fails without a failed test: count it.
    if (file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")) {
      tally.failed += 1;
      tally.failures.push(
        `${path.relative(ROOT, file.name)} failed to run: ${file.message ?? "see output above"}`,
      );
    }
  }
  if (code !== 0 && tally.failed === 0) {
    tally.failed += 1;
    tally.failures.push(
      `vitest exited ${code} without a failed test (an error outside tests; see output above)`,
    );
  }
}

/** Every check and test, or only Vitest with `extra` as its arguments; 0 when nothing failed. */
export async function main(extra: string[]): Promise<number> {
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const started = Date.now();
  await mkdir(RESULTS, { recursive: true });
  if (extra.length === 0) {
    await check(tally, "lint and format (biome)", "biome", ["check", "."]);
    await check(tally, "type-check (tsc)", "tsc", ["--noEmit", "-p", "."]);
    // The k6 scripts against k6's types, without Node's (they run inside k6).
    await check(tally, "type-check the k6 scripts (tsc)", "tsc", ["--noEmit", "-p", "load-tests"]);
    // The shell blocks the pages mark `verify`, run against a throwaway stack (scripts/README.md).
    await check(tally, "handbook commands (docs:verify)", process.execPath, ["scripts/docs-verify.ts"]);
  }
  // The site tests (links, pages in Chromium, accessibility) read the built handbook in dist/. The
  // build itself fails on a broken internal link or anchor, a guide page without its review
  // frontmatter, or an embed naming a runbook, step or policy value that does not exist.
  if (extra.length === 0 || extra.some((arg) => arg.includes("tests/site"))) {
    await check(tally, "handbook build (astro, links validated)", "astro", ["build"]);
  }
  await vitest(tally, extra);
  console.log(`\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);
  if (tally.failures.length > 0) {
    console.log("failures:");
    for (const failure of tally.failures) console.log(`  ✘ ${failure}`);
  }
  console.log(
    `${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ""}`,
  );
  return tally.failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
