import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { PROFILES, type Profile } from "../load-tests/lib/profiles.ts";
import type { LoadSummary } from "../load-tests/lib/summary.ts";
import { runFallback } from "../load-tests/runner/fallback.ts";
import { hashPassword } from "../practice-app/src/auth/passwords.ts";
import { configSchema } from "../practice-app/src/config/config.ts";
import { gitCommit, machine } from "./lib/bench-env.ts";
import { type CpuSample, startMeasureStack, WARM_UP_LEARNERS, warmUp } from "./lib/measure-stack.ts";

// `node scripts/measure-auth-wave.ts [--learners 400] [--seconds 150] [--revoke-at 40] [--instances 1] [--label auth-wave]`
// The log-in wave an operator causes: --learners learners practise (the breakpoint journey, 1 s
// think time, each from its own client address, every limit on); at --revoke-at seconds every
// session is revoked, as the revoke-all-sessions runbook does, and each learner's next call gets
// 401 and logs in again. Every second it reads the app's /metrics: log-ins served, log-ins refused
// with 503 BUSY (the password-hashing queue full), hashes running and waiting. It reports how many
// log-ins per second the hashing admits, how long until every learner is back, what the refusals
// looked like, and what practice latency did meanwhile. Writes load-tests/measured/<label>.json,
// which the Scaling Guide renders. Sign-ups cost the same hash: a sign-up wave is this wave.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    learners: { type: "string", default: "400" },
    seconds: { type: "string", default: "150" },
    "revoke-at": { type: "string", default: "40" },
    instances: { type: "string", default: "1" },
    label: { type: "string", default: "auth-wave" },
    note: { type: "string", default: "" },
  },
});

function fail(message: string): never {
  console.error(`measure-auth-wave: ${message}`);
  process.exit(2);
}

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

const learnerCount = wholeNumber("learners", args.learners, 1, 5_000);
const seconds = wholeNumber("seconds", args.seconds, 30, 3_600);
const revokeAt = wholeNumber("revoke-at", args["revoke-at"], 15, seconds - 15);
const instances = wholeNumber("instances", args.instances, 1, 4);
const label = args.label;
if (!/^[a-z0-9-]{1,60}$/.test(label))
  fail(`--label "${label}" must be lower-case letters, digits and dashes`);

/** One second of the wave, from the app's counters (summed over instances). */
interface WaveSample {
  t: number;
  /** Log-ins served (200) so far. */
  logIns: number;
  /** Log-ins refused with 503 BUSY so far. */
  busy: number;
  /** Calls refused with 401 (a revoked session) so far. */
  unauthorized: number;
  hashing: { running: number; waiting: number };
  cpu: CpuSample;
}

async function counters(bases: readonly string[]): Promise<Omit<WaveSample, "t" | "cpu" | "hashing">> {
  const totals = { logIns: 0, busy: 0, unauthorized: 0 };
  for (const base of bases) {
    let text = "";
    try {
      text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      continue; // an instance too busy to answer: the next sample catches up
    }
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0);
    totals.logIns += sum(
      /^trpc_request_duration_seconds_count\{procedure="accounts\.logIn",type="mutation",status="ok"\} (\S+)$/gm,
    );
    totals.busy += sum(/^trpc_errors_total\{procedure="accounts\.logIn",code="BUSY"\} (\S+)$/gm);
    totals.unauthorized += sum(/^trpc_errors_total\{procedure="[^"]+",code="UNAUTHORIZED"\} (\S+)$/gm);
  }
  return totals;
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null);
};

const p95s = (points: readonly { p95: number | null }[]) =>
  points.flatMap((p) => (p.p95 === null ? [] : [p.p95]));

/** Seconds one password hash takes at the app's default cost, on an idle hashing thread (median of 3). */
async function hashSeconds(): Promise<number> {
  const logN = configSchema.shape.SCRYPT_LOG_N.parse(undefined);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await hashPassword("a password to time", logN);
    times.push((performance.now() - started) / 1000);
  }
  return Math.round((times.sort((a, b) => a - b)[1] ?? 0) * 100) / 100;
}

async function main(): Promise<void> {
  const commit = gitCommit(ROOT);
  const oneHash = await hashSeconds();
  console.log(`setup: one password hash takes ${oneHash} s here (the app's default cost, idle)`);
  const stack = await startMeasureStack({
    learners: learnerCount + WARM_UP_LEARNERS,
    instances,
    pgbouncer: false,
    profile: false,
  });
  try {
    await warmUp(stack, stack.learners.slice(learnerCount));
    const profile: Profile = {
      ...PROFILES.breakpoint,
      abortOnFail: false,
      // Everyone practising within 10 s, then a steady load the wave lands on.
      short: [
        { durationS: 10, target: learnerCount },
        { durationS: seconds - 10, target: learnerCount },
      ],
    };
    const samples: WaveSample[] = [];
    const cpuSince = stack.cpuSampler();
    const started = performance.now();
    let revoked: { sessions: number; atS: number } | null = null;
    const sampler = setInterval(() => {
      const t = Math.round((performance.now() - started) / 1000);
      const cpu = cpuSince();
      void Promise.all([counters(stack.bases), stack.appSample()]).then(([c, app]) =>
        samples.push({ t, ...c, hashing: app.hashing, cpu }),
      );
    }, 1_000);
    const revoker = setTimeout(() => {
      // The revoke-all-sessions runbook's revocation (runbooks/incident/revoke-all-sessions.ts).
      const db = new pg.Client({ connectionString: stack.databaseUrl });
      void db
        .connect()
        .then(() =>
          db.query("UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND expires_at > now()"),
        )
        .then((result) => {
          revoked = { sessions: result.rowCount ?? 0, atS: Math.round((performance.now() - started) / 1000) };
          console.log(`[${String(revoked.atS).padStart(5)} s] revoked ${revoked.sessions} sessions`);
        })
        .finally(() => db.end());
    }, revokeAt * 1000);
    const measuredAt = new Date().toISOString();
    const machineAtStart = machine();
    let summary: LoadSummary;
    try {
      summary = await runFallback({
        profile,
        variant: "short",
        target: stack.url,
        learners: stack.learners.slice(0, learnerCount),
        log: (line) => console.log(line),
      });
    } finally {
      clearInterval(sampler);
      clearTimeout(revoker);
    }
    const at = revoked as { sessions: number; atS: number } | null;
    if (!at) throw new Error("the run ended before the sessions were revoked: give --seconds more room");
    const before = samples.filter((s) => s.t <= at.atS).at(-1);
    const baseLogIns = before?.logIns ?? 0;
    const baseBusy = before?.busy ?? 0;
    // Back: as many log-ins since the revocation as learners practising (each logs in once; the
    // revocation also ended the warm-up learners' sessions, who are not coming back).
    const mustReturn = Math.min(at.sessions, learnerCount);
    const back = samples.find((s) => s.t > at.atS && s.logIns - baseLogIns >= mustReturn);
    const wave = samples.filter((s) => s.t > at.atS && (!back || s.t <= back.t));
    const perSecond = wave.map((s, i) => s.logIns - (i === 0 ? baseLogIns : (wave[i - 1]?.logIns ?? 0)));
    const practiceBefore = summary.series.filter((p) => p.t + summary.bucketS <= at.atS && p.t >= 15);
    const practiceDuring = summary.series.filter((p) => p.t >= at.atS && (!back || p.t <= back.t));
    const last = samples.at(-1);
    const result = {
      ...summary,
      measurement: {
        script: "scripts/measure-auth-wave.ts",
        measuredAt,
        commit,
        machine: machineAtStart,
        note: args.note,
        setup: {
          instances,
          learners: learnerCount,
          revokeAtS: revokeAt,
          seconds,
          clientAddresses: "one per learner through the client-address proxy; limits on",
        },
        wave: {
          hashSeconds: oneHash,
          learners: learnerCount,
          sessionsRevoked: at.sessions,
          revokedAtS: at.atS,
          /** Seconds from the revocation until every learner had logged in again (null: not within the run). */
          allBackAfterS: back ? back.t - at.atS : null,
          logInsServed: (last?.logIns ?? 0) - baseLogIns,
          logInsPerSecondPeak: Math.max(0, ...perSecond),
          logInsPerSecondMean:
            wave.length === 0
              ? null
              : Math.round((((wave.at(-1)?.logIns ?? 0) - baseLogIns) / wave.length) * 10) / 10,
          refusedBusy: (last?.busy ?? 0) - baseBusy,
          unauthorized: last?.unauthorized ?? 0,
          hashingWaitingMax: Math.max(0, ...wave.map((s) => s.hashing.waiting)),
          /** The median of the 5-second buckets' practice p95 before the revocation. */
          practiceP95BeforeMs: percentile(p95s(practiceBefore), 0.5),
          practiceP95DuringWorstMs: Math.max(0, ...p95s(practiceDuring)),
        },
        samples,
      },
    };
    const out = path.join(ROOT, "load-tests", "measured", `${label}.json`);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    const w = result.measurement.wave;
    console.log(
      `\nauth wave (${learnerCount} learners, ${instances} instance(s)): ${w.sessionsRevoked} sessions revoked at ${w.revokedAtS} s (${w.learners} learners practising); ${
        w.allBackAfterS === null
          ? "not every learner was back by the end"
          : `every learner back after ${w.allBackAfterS} s`
      }; log-ins ${w.logInsPerSecondMean}/s on average, ${w.logInsPerSecondPeak}/s at most; ${w.refusedBusy} refused with 503 BUSY (at most ${w.hashingWaitingMax} waiting for a hash); practice p95 ${w.practiceP95BeforeMs} ms before, up to ${w.practiceP95DuringWorstMs} ms during the wave`,
    );
    console.log(`written to ${path.relative(ROOT, out)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`measure-auth-wave failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
