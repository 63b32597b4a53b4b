import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import {
  newVuState,
  nextRequest,
  type PlannedRequest,
  peakVus,
  recordResponse,
  SEED_HINT,
  SETUP_CONCURRENCY,
  type SeededLearner,
  seededVuState,
  signUpRequest,
  type VuState,
} from "../lib/journey.ts";
import { type Profile, stagesOf, totalSeconds, type Variant, vusAt } from "../lib/profiles.ts";
import type { LoadSummary } from "../lib/summary.ts";
import { evaluateThreshold, sloThresholds } from "../lib/thresholds.ts";
import { Recorder } from "./recorder.ts";

// The fallback when k6 is not installed: the same profile's journeys through autocannon. A
// virtual user is an autocannon connection whose request sequence carries one learner (the
// journey state machine in lib/journey.ts); connectionRate paces it like the k6 script's think
// time. autocannon cannot add or remove connections in a running instance, so the VU curve is
// built from layers: when the stages ask for more VUs, a new instance with the extra connections
// starts; when they ask for fewer, the newest instances stop (as k6 stops VUs on a ramp-down).
// Learners live in a pool, so a connection that restarts picks up a learner with its session.

const TICK_S = 5;
const PROGRESS_EVERY_S = 5;
/** Upper bound of a connection's request sequence; a wrap resets its context (see claim()). */
const MAX_SEQUENCE = 2_000;
/** A learner whose connection sent nothing for this long is free again (its connection is gone). */
const LEASE_MS = 15_000;

class LearnerPool {
  private readonly learners: VuState[] = [];
  private readonly lastUsed = new Map<VuState, number>();
  readonly inFlight = new Map<VuState, PlannedRequest>();
  private readonly runId: string;
  constructor(runId: string) {
    this.runId = runId;
  }
  claim(): VuState {
    const now = performance.now();
    const free = (l: VuState) =>
      !this.inFlight.has(l) && now - (this.lastUsed.get(l) ?? Number.NEGATIVE_INFINITY) > LEASE_MS;
    let learner = this.learners.find(free);
    if (!learner) {
      learner = newVuState(this.learners.length + 1, this.runId);
      this.learners.push(learner);
    }
    this.touch(learner);
    return learner;
  }
  touch(learner: VuState): void {
    this.lastUsed.set(learner, performance.now());
  }
  /** The connections of a stopped layer are gone: their learners are free at once. */
  release(learners: Iterable<VuState>): void {
    for (const learner of learners) {
      const request = this.inFlight.get(learner);
      // A sign-up cut off may have created the account: the next one uses a new address.
      if (request?.procedure === "accounts.signUp") learner.attempt += 1;
      this.inFlight.delete(learner);
      this.lastUsed.delete(learner);
    }
  }
  /** Takes learners seeded beforehand (npm run db:seed-load-learners), sessions open: no sign-ups. */
  adopt(seeded: readonly SeededLearner[], log: (line: string) => void): void {
    seeded.forEach((learner, i) => {
      this.learners.push(seededVuState(i + 1, this.runId, learner));
    });
    log(`setup: ${seeded.length} seeded learners, sessions already open (no sign-ups)`);
  }

  /** Signs up `count` learners before the run, SETUP_CONCURRENCY at a time, as k6's setup() does. */
  async signUp(
    count: number,
    target: URL,
    recorder: Recorder,
    log: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const base = target.toString().replace(/\/+$/, "");
    let next = 0;
    let done = 0;
    let limited = 0;
    const started = performance.now();
    const progress = setInterval(
      () => log(`setup: ${done}/${count} learners signed up`),
      PROGRESS_EVERY_S * 1000,
    );
    const worker = async () => {
      while (next < count && !signal?.aborted) {
        const learner = newVuState(++next, this.runId);
        this.learners.push(learner);
        const request = signUpRequest(learner);
        const t0 = performance.now();
        let status = 0;
        let body: string | null = null;
        try {
          const res = await fetch(`${base}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            signal: AbortSignal.timeout(60_000),
          });
          status = res.status;
          body = await res.text();
        } catch {
          // status 0: a transport error, counted as a failed request.
        }
        const outcome = recordResponse(learner, request, status, body);
        if (status === 429) limited += 1;
        recorder.status(request.procedure, status);
        recorder.setupResponse({
          procedure: request.procedure,
          kind: request.kind,
          ms: performance.now() - t0,
          failed: outcome.failed,
          checks: outcome.checks,
        });
        done += 1;
      }
    };
    try {
      await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
    } finally {
      clearInterval(progress);
    }
    this.learners.sort((a, b) => a.vu - b.vu);
    if (limited > 0) log(`setup: ${limited} sign-up(s) refused; ${SEED_HINT}`);
    log(
      `setup: ${done} learners signed up in ${((performance.now() - started) / 1000).toFixed(1)} s (not part of the measured run)`,
    );
  }

  answers(): { right: number; wrong: number } {
    return this.learners.reduce(
      (sum, l) => ({ right: sum.right + l.answers.right, wrong: sum.wrong + l.answers.wrong }),
      { right: 0, wrong: 0 },
    );
  }
}

interface Context {
  learner?: VuState;
  request?: PlannedRequest;
}

export interface FallbackOptions {
  profile: Profile;
  variant: Variant;
  target: string;
  /** Learners seeded beforehand; absent: sign up one per peak VU in setup. */
  learners?: readonly SeededLearner[];
  log: (line: string) => void;
  /** Called with the summary so far every few seconds (progress). */
  signal?: AbortSignal;
}

interface Layer {
  connections: number;
  instance: autocannon.Instance;
  learners: Set<VuState>;
  done: Promise<void>;
}

export async function runFallback(options: FallbackOptions): Promise<LoadSummary> {
  const { profile, variant, log } = options;
  const target = new URL(options.target);
  const basePath = target.pathname.replace(/\/+$/, "");
  const pool = new LearnerPool(randomBytes(4).toString("hex"));
  const recorder = new Recorder();
  const startedAt = new Date().toISOString();
  const thresholds = Object.entries(sloThresholds(profile.abortOnFail));
  const rate = Math.max(1, Math.round(1 / profile.thinkTimeS));
  const stages = stagesOf(profile, variant);
  const totalS = totalSeconds(stages);
  let activeVus = 0;
  let aborted: string | null = null;
  if (options.learners) pool.adopt(options.learners.slice(0, peakVus(stages)), log);
  else await pool.signUp(peakVus(stages), target, recorder, log, options.signal);
  recorder.startClock();

  // onResponse (per request) runs synchronously just before autocannon's "response" event with
  // the response time, on the same client: this slot pairs them.
  let pending: { request: PlannedRequest; failed: boolean; checks: { ok: boolean }[] } | null = null;

  const stepFor = (layer: { learners: Set<VuState> }) => ({
    setupRequest(req: autocannon.Request, context: Context): autocannon.Request {
      if (!context.learner) {
        context.learner = pool.claim();
        layer.learners.add(context.learner);
      }
      const learner = context.learner;
      pool.touch(learner);
      let request = nextRequest(learner, Math.random);
      if (!request) {
        recorder.iterations += 1;
        request = nextRequest(learner, Math.random);
      }
      // An iteration always plans at least exercises.next; a second null cannot happen.
      if (!request) throw new Error("the journey planned an empty iteration");
      context.request = request;
      pool.inFlight.set(learner, request);
      return {
        ...req,
        method: request.method,
        path: `${basePath}${request.path}`,
        headers: request.headers,
        body: request.body ?? undefined,
      };
    },
    onResponse(status: number, body: string, context: Context): void {
      const { learner, request } = context;
      if (!learner || !request) return;
      pool.inFlight.delete(learner);
      const outcome = recordResponse(learner, request, status, body);
      recorder.status(request.procedure, status);
      pending = { request, failed: outcome.failed, checks: outcome.checks };
    },
  });

  const layers: Layer[] = [];
  const finished: Promise<void>[] = [];
  const startLayer = (connections: number, durationS: number) => {
    const learners = new Set<VuState>();
    const step = stepFor({ learners });
    const length = Math.min(MAX_SEQUENCE, Math.ceil(durationS * rate * 1.5) + 10);
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const instance = autocannon(
      {
        url: target.origin,
        connections,
        duration: Math.max(1, Math.ceil(durationS)),
        connectionRate: rate,
        timeout: 60,
        requests: Array.from({ length }, () => step),
      },
      (error, result) => {
        if (error) log(`autocannon failed: ${error.message}`);
        // Connection errors and timeouts: requests without a response, failed as in k6.
        else recorder.lostRequests(result.errors, activeVus);
        pool.release(learners);
        resolveDone();
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      const sample = pending;
      pending = null;
      if (!sample) return;
      recorder.response(
        {
          procedure: sample.request.procedure,
          kind: sample.request.kind,
          ms: responseTime,
          failed: sample.failed,
          checks: sample.checks,
        },
        activeVus,
      );
    });
    layers.push({ connections, instance, learners, done });
    finished.push(done);
    activeVus += connections;
  };
  const stopNewest = () => {
    const layer = layers.pop();
    if (!layer) return;
    layer.instance.stop();
    // Free its learners now, so a smaller layer started in the same tick takes them over.
    pool.release(layer.learners);
    activeVus -= layer.connections;
  };

  const progress = setInterval(() => {
    const p95 = recorder.practiceP95();
    const errorShare = recorder.requests === 0 ? 0 : recorder.errors / recorder.requests;
    log(
      `[${recorder.elapsedS().toFixed(0).padStart(5)} s] vus ${String(activeVus).padStart(4)}  requests ${String(recorder.measuredRequests).padStart(7)}  p95 (practice) ${p95 === null ? "-" : `${p95.toFixed(1)} ms`}  errors ${(errorShare * 100).toFixed(2)}%`,
    );
    if (profile.abortOnFail && recorder.elapsedS() > 30 && !aborted) {
      for (const [metric, specs] of thresholds)
        for (const spec of specs) {
          const result = evaluateThreshold(metric, spec.expression, recorder.metricData(metric));
          if (!result.ok)
            aborted = `${metric}: ${spec.expression} failed (actual ${result.actual?.toFixed(3)})`;
        }
    }
  }, PROGRESS_EVERY_S * 1000);

  try {
    for (let t = 0; t < totalS; t += TICK_S) {
      if (aborted || options.signal?.aborted) break;
      const desired = vusAt(stages, Math.min(totalS, t + TICK_S / 2));
      // Stop the newest layers; when that overshoots, the next line starts a smaller one.
      while (activeVus > desired && layers.length > 0) stopNewest();
      if (desired > activeVus) startLayer(desired - activeVus, totalS - t);
      recorder.tick(activeVus);
      await sleep(Math.min(TICK_S, totalS - t) * 1000);
    }
  } finally {
    clearInterval(progress);
    while (layers.length > 0) stopNewest();
  }
  // A stopped layer reports (and frees its learners) once its connections are closed.
  await Promise.all(finished);
  if (aborted) log(`stopped early: ${aborted} (abortOnFail)`);
  recorder.answers = pool.answers();
  return recorder.summary(
    { profile: profile.name, variant, target: options.target, startedAt, toolVersion: AUTOCANNON_VERSION },
    profile.abortOnFail,
  );
}

const AUTOCANNON_VERSION: string | null = (() => {
  try {
    return (createRequire(import.meta.url)("autocannon/package.json") as { version: string }).version;
  } catch {
    return null;
  }
})();
