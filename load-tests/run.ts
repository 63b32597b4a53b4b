import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { comparisonText, REGRESSION_EXIT_CODE } from "./lib/baseline.ts";
import { parseSeededLearners, type SeededLearner } from "./lib/journey.ts";
import {
  getProfile,
  PROFILE_NAMES,
  type Profile,
  ProfileError,
  stagesOf,
  totalSeconds,
} from "./lib/profiles.ts";
import { type LoadSummary, toText } from "./lib/summary.ts";
import { DEFAULT_TARGET } from "./lib/target.ts";
import { BaselineError, compareWithChosenBaseline, readSummary } from "./runner/baseline.ts";
import { runFallback } from "./runner/fallback.ts";
import { k6Version, runK6 } from "./runner/k6.ts";
import { writeOutputs } from "./runner/outputs.ts";

// `npm run load -- <profile> [--target URL] [--full] [--out DIR] [--tool k6|autocannon]`
// Runs the profile's k6 script when k6 is on PATH, else the same journeys through autocannon, and
// writes the same summary either way, then compares it with the baseline (`--baseline`, default
// the committed load-tests/measured/<profile>.json) measure by measure.
// `npm run load -- compare <summary.json> [--baseline FILE]` compares a summary already written.
// Exit codes: 0 thresholds hold, 99 a threshold failed (as k6), 4 a measure regressed beyond the
// policy's tolerance and --fail-on-regression was given, 2 bad arguments, 3 the target does not
// answer, 1 anything else.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const EXIT = {
  passed: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  regressed: REGRESSION_EXIT_CODE,
  thresholds: 99,
} as const;

const USAGE = `usage: npm run load -- <profile> [--target URL] [--full] [--out DIR] [--tool k6|autocannon] [--learners FILE] [--baseline FILE|none] [--fail-on-regression]
       npm run load -- compare <summary.json> [--baseline FILE] [--fail-on-regression]
  profiles: ${PROFILE_NAMES.join(", ")}
  --target  the app's base URL (default ${DEFAULT_TARGET})
  --full    the documented full-length variant (default: the short one, for CI)
  --out     where the summary goes (default load-tests/results)
  --tool    force a tool (default: k6 when it is on PATH, else autocannon)
  --learners  learners seeded beforehand (npm run db:seed-load-learners -- <peak>); default
            LOAD_LEARNERS, else sign up one per virtual learner (sign-up is rate-limited: fine for smoke only)
  --baseline  the summary to compare with (default load-tests/measured/<profile>.json when committed;
            none: no comparison)
  --fail-on-regression  exit ${EXIT.regressed} when a measure regressed beyond its tolerance (policy/load-baseline.ts)`;

class UsageError extends Error {}

function parse(argv: string[]) {
  let parsed: ReturnType<typeof parseArgsStrict>;
  try {
    parsed = parseArgsStrict(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (positionals[0] === "compare") {
    if (positionals.length !== 2)
      throw new UsageError("compare takes one summary file: npm run load -- compare <summary.json>");
    if (values.baseline === "none")
      throw new UsageError("compare needs a baseline; --baseline none compares nothing");
    return {
      compare: path.resolve(positionals[1] as string),
      baseline: values.baseline,
      failOnRegression: values["fail-on-regression"],
    };
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? "name a profile" : `one profile at a time, got: ${positionals.join(" ")}`,
    );
  let profile: Profile;
  try {
    profile = getProfile(positionals[0] as string);
  } catch (error) {
    if (error instanceof ProfileError) throw new UsageError(error.message);
    throw error;
  }
  const targetText = values.target ?? process.env.LOAD_TARGET ?? DEFAULT_TARGET;
  let target: URL;
  try {
    target = new URL(targetText);
  } catch {
    throw new UsageError(
      `--target "${targetText}" is not a URL; pass the app's base URL, e.g. ${DEFAULT_TARGET}`,
    );
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new UsageError(`--target "${targetText}" must be an http:// or https:// URL`);
  const learnersFile = values.learners ?? (process.env.LOAD_LEARNERS || undefined);
  const tool = values.tool;
  if (tool !== undefined && tool !== "k6" && tool !== "autocannon")
    throw new UsageError(`--tool "${tool}" is not a tool; use k6 or autocannon`);
  return {
    profile,
    variant: values.full ? ("full" as const) : ("short" as const),
    target: target.toString().replace(/\/+$/, ""),
    outDir: path.resolve(values.out ?? path.join(ROOT, "load-tests", "results")),
    tool,
    learnersFile: learnersFile === undefined ? undefined : path.resolve(learnersFile),
    baseline: values.baseline,
    failOnRegression: values["fail-on-regression"],
  };
}

/**
 * Prints the comparison of `summary` with its baseline and says what it means for the exit code:
 * `regressed` only with --fail-on-regression. A baseline that cannot be read is an error of its own.
 */
async function reportBaseline(
  summary: LoadSummary,
  baseline: string | undefined,
  failOnRegression: boolean,
): Promise<"ok" | "regressed" | "no-baseline"> {
  const comparison = await compareWithChosenBaseline(summary, baseline);
  if (!comparison) {
    console.log(
      baseline === "none"
        ? "load: no baseline comparison (--baseline none)"
        : `load: no committed baseline for ${summary.profile} (load-tests/measured/${summary.profile}.json); nothing to compare with`,
    );
    return "no-baseline";
  }
  console.log(`\n${comparisonText(comparison)}`);
  if (comparison.regressed && !failOnRegression)
    console.log("load: a regression is reported, not enforced (pass --fail-on-regression to fail on it)");
  return comparison.regressed && failOnRegression ? "regressed" : "ok";
}

/** `compare <summary.json>`: the comparison alone, for a summary already written. */
async function compareOnly(args: {
  compare: string;
  baseline: string | undefined;
  failOnRegression: boolean;
}) {
  try {
    const summary = await readSummary(args.compare);
    const verdict = await reportBaseline(summary, args.baseline, args.failOnRegression);
    if (verdict === "no-baseline") return EXIT.usage;
    return verdict === "regressed" ? EXIT.regressed : EXIT.passed;
  } catch (error) {
    if (!(error instanceof BaselineError)) throw error;
    console.error(`load: ${error.message}`);
    return EXIT.usage;
  }
}

function parseArgsStrict(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: "string" },
      full: { type: "boolean", default: false },
      out: { type: "string" },
      tool: { type: "string" },
      learners: { type: "string" },
      baseline: { type: "string" },
      "fail-on-regression": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

async function reachable(target: string): Promise<string | null> {
  try {
    const res = await fetch(`${target}/healthz`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? null : `GET ${target}/healthz answered ${res.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `GET ${target}/healthz failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`load: ${error.message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (!args) {
    console.log(USAGE);
    return EXIT.passed;
  }
  if (args.compare !== undefined) return compareOnly({ ...args, compare: args.compare });
  // A baseline named but unreadable is refused before the run, not after an hour of load.
  if (args.baseline && args.baseline !== "none") {
    try {
      await readSummary(path.resolve(args.baseline));
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      console.error(`load: --baseline: ${error.message}`);
      return EXIT.usage;
    }
  }
  const problem = await reachable(args.target);
  if (problem) {
    console.error(
      `load: the target does not answer: ${problem}. Start the app (npm start) or pass --target <url>.`,
    );
    return EXIT.unreachable;
  }
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  const version = args.tool === "autocannon" ? null : k6Version();
  if (args.tool === "k6" && !version) {
    console.error(
      "load: --tool k6, but k6 is not on PATH; install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or drop --tool",
    );
    return EXIT.usage;
  }
  const stages = stagesOf(args.profile, args.variant);
  const peak = Math.max(...stages.map((s) => s.target));
  let learners: SeededLearner[] | undefined;
  if (args.learnersFile) {
    try {
      learners = parseSeededLearners(await readFile(args.learnersFile, "utf8"), args.learnersFile, peak);
    } catch (error) {
      console.error(`load: --learners: ${(error as Error).message}`);
      return EXIT.usage;
    }
  }
  const log = (line: string) => console.log(line);
  console.log(
    `load: profile ${args.profile.name} (${args.variant}, ${totalSeconds(stages)} s, up to ${peak} virtual learners) against ${args.target}`,
  );
  if (version) {
    console.log(`load: tool k6 ${version} (found on PATH)`);
    const { code, summary } = await runK6({ ...args, version, log, signal: controller.signal });
    if (!summary) {
      console.error(`load: k6 exited with ${code} and wrote no summary; see its output above`);
      return code === EXIT.thresholds ? EXIT.failed : code || EXIT.failed;
    }
    const file = await writeOutputs(summary, args.outDir);
    console.log(`load: summary written to ${path.relative(process.cwd(), file)}`);
    const verdict = await reportBaseline(summary, args.baseline, args.failOnRegression);
    return code === EXIT.passed && verdict === "regressed" ? EXIT.regressed : code;
  }
  console.log(
    args.tool === "autocannon"
      ? "load: tool autocannon (forced with --tool)"
      : "load: tool autocannon (k6 is not on PATH; the same journeys and thresholds run through autocannon)",
  );
  const summary = await runFallback({
    ...args,
    ...(learners ? { learners } : {}),
    log,
    signal: controller.signal,
  });
  const file = await writeOutputs(summary, args.outDir);
  console.log(`\n${toText(summary)}`);
  console.log(`load: summary written to ${path.relative(process.cwd(), file)}`);
  const verdict = await reportBaseline(summary, args.baseline, args.failOnRegression);
  if (!summary.passed) return EXIT.thresholds;
  return verdict === "regressed" ? EXIT.regressed : EXIT.passed;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`load: failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(EXIT.failed);
    },
  );
}
