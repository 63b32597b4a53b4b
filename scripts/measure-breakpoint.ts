import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PROFILES, type Profile } from "../load-tests/lib/profiles.ts";
import type { LoadSummary } from "../load-tests/lib/summary.ts";
import { runFallback } from "../load-tests/runner/fallback.ts";
import { gitCommit, machine } from "./lib/bench-env.ts";
import {
  type AppSample,
  type CpuSample,
  printProfile,
  startMeasureStack,
  WARM_UP_LEARNERS,
  warmUp,
} from "./lib/measure-stack.ts";

// `node scripts/measure-breakpoint.ts [--peak 1500] [--minutes 8] [--instances 1|2] [--pgbouncer] [--profile] [--label name]`
// The breakpoint measured the way the Scaling Guide reports it: learners created beforehand (their
// sessions open, as real learners' are), each arriving from its own client address through the
// benchmark-only proxy (load-tests/runner/client-proxy.ts) with the app's limits on, the app as
// its own process(es) (NODE_ENV=production, TRUST_PROXY=true) on a scratch database, the load
// ramping linearly to --peak and stopping when a threshold fails (the breakpoint profile). While it
// runs, every 5 s: the CPU of the app, PostgreSQL, Redis, the proxy and the generator, and the
// app's own pool and event-loop figures; at the end, what broke first with those figures at that
// moment. Writes the run's summary plus all of that to load-tests/measured/<label>.json, which the
// Scaling Guide renders.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    peak: { type: "string", default: "1500" },
    minutes: { type: "string", default: "8" },
    instances: { type: "string", default: "1" },
    pgbouncer: { type: "boolean", default: false },
    // The first instance under node --cpu-prof: where its CPU went over the whole run, by group.
    profile: { type: "boolean", default: false },
    label: { type: "string" },
    note: { type: "string", default: "" },
  },
});
const peak = wholeNumber("peak", args.peak, 1, 5_000);
const minutes = wholeNumber("minutes", args.minutes, 1, 120);
const instances = wholeNumber("instances", args.instances, 1, 4);
const label =
  args.label ??
  [
    "breakpoint",
    ...(instances > 1 ? [`${instances}-instances`] : []),
    ...(args.pgbouncer ? ["pgbouncer"] : []),
  ].join("-");
if (!/^[a-z0-9-]{1,60}$/.test(label))
  fail(`--label "${label}" must be lower-case letters, digits and dashes`);

function fail(message: string): never {
  console.error(`measure-breakpoint: ${message}`);
  process.exit(2);
}

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

interface ResourceSample {
  t: number;
  vus: number;
  /** CPU as a share of one core over the last interval. */
  cpu: CpuSample;
  app: AppSample;
}

async function main(): Promise<void> {
  const commit = gitCommit(ROOT);
  const stack = await startMeasureStack({
    learners: peak + WARM_UP_LEARNERS,
    instances,
    pgbouncer: args.pgbouncer,
    profile: args.profile,
  });
  try {
    const learners = stack.learners.slice(0, peak);
    await warmUp(stack, stack.learners.slice(peak));
    const profile: Profile = {
      ...PROFILES.breakpoint,
      short: [{ durationS: minutes * 60, target: peak }],
    };
    const resources: ResourceSample[] = [];
    const started = performance.now();
    let vus = 0;
    const cpuSince = stack.cpuSampler();
    const sampler = setInterval(() => {
      const cpu = cpuSince();
      const t = Math.round((performance.now() - started) / 1000);
      void stack.appSample().then((app) => resources.push({ t, vus, cpu, app }));
    }, 5_000);
    const measuredAt = new Date().toISOString();
    const machineAtStart = machine();
    let summary: LoadSummary;
    try {
      summary = await runFallback({
        profile,
        variant: "short",
        target: stack.url,
        learners,
        log: (line) => {
          const match = /vus\s+(\d+)/.exec(line);
          if (match) vus = Number(match[1]);
          console.log(line);
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const lastGood = summary.breakpoint?.lastGoodVus ?? null;
    const firstBad = summary.breakpoint?.firstBad ?? null;
    const atBreak = firstBad
      ? (resources.filter((r) => r.t <= firstBad.t + 5).at(-1) ?? null)
      : (resources.at(-1) ?? null);
    const failed = summary.thresholds
      .filter((t) => !t.ok)
      .map((t) => `${t.metric} ${t.expression} (actual ${t.actual})`);
    const limited = Object.values(summary.statuses ?? {}).reduce(
      (n, byStatus) => n + (byStatus["429"] ?? 0),
      0,
    );
    const bound = !atBreak
      ? "unknown"
      : atBreak.cpu.app >= 0.9 * instances
        ? `the app's CPU (${atBreak.cpu.app} cores for ${instances} instance(s))`
        : atBreak.cpu.app +
              atBreak.cpu.postgres +
              atBreak.cpu.redis +
              atBreak.cpu.proxies +
              atBreak.cpu.generator >=
            1.8
          ? "the machine's two cores, shared by the app, PostgreSQL, the proxy and the generator"
          : atBreak.app.poolWaiting > 0
            ? `the database pool (${atBreak.app.poolWaiting} callers waiting)`
            : "not a single resource: see the samples";
    const cpuProfile = args.profile ? await stack.profile() : null;
    if (cpuProfile)
      printProfile("where the first instance's CPU went (whole run, warm-up included)", cpuProfile);
    const result = {
      ...summary,
      measurement: {
        script: "scripts/measure-breakpoint.ts",
        measuredAt,
        commit,
        machine: machineAtStart,
        note: args.note,
        setup: {
          instances,
          pgbouncer: stack.pgbouncer,
          peakLearners: peak,
          rampMinutes: minutes,
          learnersSeeded: true,
          clientAddresses: "one per learner through the client-address proxy; limits on",
        },
        lastGoodLearners: lastGood,
        brokeAt: firstBad,
        failedThresholds: failed,
        responses429: limited,
        boundBy: bound,
        atBreak,
        resources,
        ...(cpuProfile ? { profile: cpuProfile } : {}),
      },
    };
    const out = path.join(ROOT, "load-tests", "measured", `${label}.json`);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `\nbreakpoint (${instances} instance(s), ramp to ${peak} over ${minutes} min): ${
        firstBad
          ? `held up to ${lastGood} learners; at ${firstBad.vus} p95 ${firstBad.p95} ms, errors ${(firstBad.errorRate * 100).toFixed(2)}%`
          : `held to the peak of ${peak} learners`
      }; 429s: ${limited}; bound by ${bound}`,
    );
    if (atBreak) console.log(`at the break: ${JSON.stringify(atBreak)}`);
    console.log(`written to ${path.relative(ROOT, out)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`measure-breakpoint failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
