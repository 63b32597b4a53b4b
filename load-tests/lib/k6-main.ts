import { check, fail, sleep } from "k6";
import http from "k6/http";
import { Rate } from "k6/metrics";
import type { Options } from "k6/options";
import {
  newVuState,
  nextRequest,
  parseSeededLearners,
  peakVus,
  recordResponse,
  SEED_HINT,
  SETUP_CONCURRENCY,
  type SeededLearner,
  seededVuState,
  signUpRequest,
  type VuState,
} from "./journey.ts";
import { buildOptions } from "./options.ts";
import { getProfile, type ProfileName, stagesOf, type Variant } from "./profiles.ts";
import { type K6SummaryData, normalizeK6, toJUnit, toText } from "./summary.ts";
import { DEFAULT_TARGET } from "./target.ts";

// The k6 side of every profile: options, setup, one learner iteration, and handleSummary. Each
// entry script (load-tests/<profile>.ts) only names its profile. Environment (k6 -e):
//   TARGET   the app's base URL (default http://127.0.0.1:3000)
//   FULL     "1" for the documented full variant (default: the short one)
//   OUT_DIR  where handleSummary writes (default load-tests/results)
//   LEARNERS a learners file from `npm run db:seed-load-learners` (default: sign up in setup)

const TARGET = (__ENV.TARGET ?? DEFAULT_TARGET).replace(/\/+$/, "");
const VARIANT: Variant = __ENV.FULL === "1" || __ENV.FULL === "true" ? "full" : "short";
const OUT_DIR = (__ENV.OUT_DIR ?? "load-tests/results").replace(/\/+$/, "");

// k6 provides console; its type definitions do not declare it (and Node's are excluded here).
declare const console: { warn(message: string): void };

const answersRight = new Rate("answers_right");

// Read in the init context (k6's open() works only there); checked against the peak in setup.
const SEEDED: SeededLearner[] | null = __ENV.LEARNERS
  ? parseSeededLearners(open(__ENV.LEARNERS), __ENV.LEARNERS, 0)
  : null;

export function k6Options(profile: ProfileName): Options {
  const peak = peakVus(stagesOf(getProfile(profile), VARIANT));
  // Setup signs up one learner per VU, SETUP_CONCURRENCY at a time, over half a second of a core each.
  return { ...buildOptions(getProfile(profile), VARIANT), setupTimeout: `${60 + Math.ceil(peak * 0.5)}s` };
}

interface SetupData {
  runId: string;
  startedAt: string;
  /** Session tokens of the learners signed up in setup, by VU number - 1 (null: sign up in the run). */
  tokens: (string | null)[];
}

export function k6Setup(profile: ProfileName): () => SetupData {
  return () => {
    const res = http.get(`${TARGET}/healthz`, { tags: { procedure: "healthz", kind: "setup" } });
    if (res.status !== 200)
      fail(
        `the target ${TARGET} does not answer GET /healthz with 200 (got ${res.status}); start the app or pass -e TARGET=<url>`,
      );
    const runId = Date.now().toString(36);
    const peak = peakVus(stagesOf(getProfile(profile), VARIANT));
    if (SEEDED) {
      if (SEEDED.length < peak)
        fail(
          `${__ENV.LEARNERS} has ${SEEDED.length} learners; this profile needs ${peak}: run npm run db:seed-load-learners -- ${peak}`,
        );
      return {
        runId,
        startedAt: new Date().toISOString(),
        tokens: SEEDED.slice(0, peak).map((l) => l.token),
      };
    }
    const learners = Array.from({ length: peak }, (_, i) => newVuState(i + 1, runId));
    for (let i = 0; i < learners.length; i += SETUP_CONCURRENCY) {
      const chunk = learners.slice(i, i + SETUP_CONCURRENCY);
      const requests = chunk.map((learner) => signUpRequest(learner));
      const responses = http.batch(
        requests.map((r) => ({
          method: r.method,
          url: `${TARGET}${r.path}`,
          body: r.body,
          params: { headers: r.headers, tags: { procedure: r.procedure, kind: r.kind } },
        })),
      );
      if (responses.some((r) => r.status === 429)) console.warn(`setup: ${SEED_HINT}`);
      chunk.forEach((learner, j) => {
        const response = responses[j];
        const request = requests[j];
        if (response && request)
          recordResponse(
            learner,
            request,
            response.status,
            typeof response.body === "string" ? response.body : null,
          );
      });
    }
    return { runId, startedAt: new Date().toISOString(), tokens: learners.map((l) => l.token) };
  };
}

// One learner per VU; k6 gives every VU its own copy of this module.
let learner: VuState | null = null;

export function k6Iteration(profile: ProfileName): (data: SetupData) => void {
  const think = getProfile(profile).thinkTimeS;
  return (data) => iteration(data, think);
}

function iteration(data: SetupData, think: number): void {
  if (!learner) {
    const seeded = SEEDED?.[__VU - 1];
    learner = seeded ? seededVuState(__VU, data.runId, seeded) : newVuState(__VU, data.runId);
    const token = data.tokens[__VU - 1] ?? null;
    if (token) {
      learner.token = token;
      learner.signedUp = true;
    }
  }
  for (;;) {
    const request = nextRequest(learner, Math.random);
    if (!request) return;
    const params = { headers: request.headers, tags: { procedure: request.procedure, kind: request.kind } };
    const res =
      request.method === "GET"
        ? http.get(`${TARGET}${request.path}`, params)
        : http.post(`${TARGET}${request.path}`, request.body, params);
    const rightBefore = learner.answers.right;
    const wrongBefore = learner.answers.wrong;
    const outcome = recordResponse(
      learner,
      request,
      res.status,
      typeof res.body === "string" ? res.body : null,
    );
    check(res, Object.fromEntries(outcome.checks.map((c) => [c.name, () => c.ok])), {
      procedure: request.procedure,
    });
    if (learner.answers.right + learner.answers.wrong > rightBefore + wrongBefore)
      answersRight.add(learner.answers.right > rightBefore);
    sleep(think * (0.5 + Math.random()));
  }
}

export function k6HandleSummary(profile: ProfileName) {
  return (data: K6SummaryData & { setup_data?: SetupData }): Record<string, string> => {
    const summary = normalizeK6(data, {
      profile,
      variant: VARIANT,
      target: TARGET,
      startedAt: data.setup_data?.startedAt ?? new Date().toISOString(),
      toolVersion: __ENV.K6_VERSION ?? null,
    });
    return {
      stdout: toText(summary),
      [`${OUT_DIR}/${profile}-summary.json`]: `${JSON.stringify(summary, null, 2)}\n`,
      [`${OUT_DIR}/${profile}-junit.xml`]: toJUnit(summary),
      [`${OUT_DIR}/${profile}-summary.txt`]: toText(summary),
    };
  };
}
