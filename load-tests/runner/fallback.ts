import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import {
  newVuState,
  nextRequest,
  type PlannedRequest,
  recordResponse,
  type VuState,
} from "../lib/journey.ts";
import { type Profile, type Stage, stagesOf, type Variant, vusAt } from "../lib/profiles.ts";
import type { LoadSummary } from "../lib/summary.ts";
import { evaluateThreshold, sloThresholds } from "../lib/thresholds.ts";
import { Recorder } from "./recorder.ts";

// The fallback when k6 is not installed: the same profile's journeys through autocannon. A
// virtual user is an autocannon connection whose request sequence carries one learner (the
// journey state machine in lib/journey.ts); connectionRate paces it like the k6 script's think
// time. Ramps are run as short segments with the interpolated number of connections; learners
// live in a pool across segments, so a learner signs up once per run, as in k6.

const RAMP_SEGMENT_S = 5;
const HOLD_SEGMENT_S = 60;
const PROGRESS_EVERY_S = 5;

export interface Segment {
  startS: number;
  durationS: number;
  vus: number;
}

/** Stages → segments: ramps in 5 s steps at the midpoint's VU count, holds in ≤ 60 s pieces. */
export function segmentsOf(stages: readonly Stage[]): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  let from = 0;
  for (const stage of stages) {
    const step = from === stage.target ? HOLD_SEGMENT_S : RAMP_SEGMENT_S;
    for (let offset = 0; offset < stage.durationS; offset += step) {
      const durationS = Math.min(step, stage.durationS - offset);
      segments.push({
        startS: start + offset,
        durationS,
        vus: vusAt(stages, start + offset + durationS / 2),
      });
    }
    start += stage.durationS;
    from = stage.target;
  }
  return segments;
}

class LearnerPool {
  private readonly learners: VuState[] = [];
  private readonly busy = new Set<VuState>();
  private readonly runId: string;
  constructor(runId: string) {
    this.runId = runId;
  }
  claim(): VuState {
    let learner = this.learners.find((l) => !this.busy.has(l));
    if (!learner) {
      learner = newVuState(this.learners.length + 1, this.runId);
      this.learners.push(learner);
    }
    this.busy.add(learner);
    return learner;
  }
  releaseAll(inFlight: Map<VuState, PlannedRequest>): void {
    // A sign-up cut off at a segment boundary may have created the account: use a new address.
    for (const [learner, request] of inFlight)
      if (request.procedure === "accounts.signUp") learner.attempt += 1;
    inFlight.clear();
    this.busy.clear();
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
  log: (line: string) => void;
  /** Called with the summary so far every few seconds (progress). */
  signal?: AbortSignal;
}

export async function runFallback(options: FallbackOptions): Promise<LoadSummary> {
  const { profile, variant, log } = options;
  const target = new URL(options.target);
  const basePath = target.pathname.replace(/\/+$/, "");
  const runId = randomBytes(4).toString("hex");
  const recorder = new Recorder();
  const pool = new LearnerPool(runId);
  const inFlight = new Map<VuState, PlannedRequest>();
  const startedAt = new Date().toISOString();
  const thresholds = Object.entries(sloThresholds(profile.abortOnFail));
  const rate = Math.max(1, Math.round(1 / profile.thinkTimeS));
  let currentVus = 0;
  let aborted: string | null = null;

  // onResponse (per request) runs synchronously just before autocannon's "response" event with
  // the response time, on the same client: this slot pairs them.
  let pending: {
    learner: VuState;
    request: PlannedRequest;
    failed: boolean;
    checks: { ok: boolean }[];
  } | null = null;

  const step = {
    setupRequest(req: autocannon.Request, context: Context): autocannon.Request {
      context.learner ??= pool.claim();
      const learner = context.learner;
      let request = nextRequest(learner, Math.random);
      if (!request) {
        recorder.iterations += 1;
        request = nextRequest(learner, Math.random);
      }
      // A plan always has at least a next; only a learner without a session and nothing to do is empty.
      if (!request) request = nextRequest(learner, Math.random) as PlannedRequest;
      context.request = request;
      inFlight.set(learner, request);
      return {
        ...req,
        method: request.method,
        path: `${basePath}${request.path}`,
        headers: request.headers,
        ...(request.body === null ? { body: undefined } : { body: request.body }),
      };
    },
    onResponse(status: number, body: string, context: Context): void {
      const { learner, request } = context;
      if (!learner || !request) return;
      inFlight.delete(learner);
      const outcome = recordResponse(learner, request, status, body);
      pending = { learner, request, failed: outcome.failed, checks: outcome.checks };
    },
  };

  const progress = setInterval(() => {
    const p95 = recorder.practiceP95();
    const errorShare = recorder.requests === 0 ? 0 : recorder.errors / recorder.requests;
    log(
      `[${recorder.elapsedS().toFixed(0).padStart(5)} s] vus ${String(currentVus).padStart(4)}  requests ${String(recorder.requests).padStart(7)}  p95 (practice) ${p95 === null ? "-" : `${p95.toFixed(1)} ms`}  errors ${(errorShare * 100).toFixed(2)}%`,
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
    for (const segment of segmentsOf(stagesOf(profile, variant))) {
      if (aborted || options.signal?.aborted) break;
      currentVus = segment.vus;
      recorder.tick(currentVus);
      if (segment.vus === 0) {
        await sleep(segment.durationS * 1000);
        continue;
      }
      // Long enough that no connection wraps around (which would reset its context) in a segment.
      const length = Math.ceil(segment.durationS * rate * 1.5) + 10;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: target.origin,
            connections: segment.vus,
            duration: segment.durationS,
            connectionRate: rate,
            timeout: 60,
            requests: Array.from({ length }, () => step),
          },
          (error, done) => (error ? reject(error) : resolve(done)),
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
            currentVus,
          );
        });
        const stop = () => instance.stop();
        options.signal?.addEventListener("abort", stop, { once: true });
        const watch = setInterval(() => {
          if (aborted) instance.stop();
        }, 500);
        instance.on("done", () => {
          clearInterval(watch);
          options.signal?.removeEventListener("abort", stop);
        });
      });
      recorder.lostRequests(result.errors, currentVus);
      pool.releaseAll(inFlight);
    }
  } finally {
    clearInterval(progress);
  }
  if (aborted) log(`stopped early: ${aborted} (abortOnFail)`);
  recorder.answers = pool.answers();
  return recorder.summary(
    { profile: profile.name, variant, target: options.target, startedAt, toolVersion: autocannonVersion() },
    profile.abortOnFail,
  );
}

function autocannonVersion(): string | null {
  return "9";
}
