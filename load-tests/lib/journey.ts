// A virtual learner's journey over tRPC HTTP, as a pure state machine: `nextRequest` says what the
// learner sends next, `recordResponse` reads the answer and moves the learner on. The k6 scripts
// and the autocannon fallback both drive it, so both send the same journeys. No Node, no k6.
//
// The mix, per iteration (one sitting at the practice page):
// - 3 × (exercises.next, exercises.submit): practice is what learners do; the bank benchmark
//   shows next and submit are the hot paths.
// - progress.summary once: the page shows progress after a round.
// - leaderboard.top in 30% of iterations: learners glance at it now and then.
// - accounts.logOut in 2% of iterations, and a logIn at the start of the next: sessions last
//   30 days, so most sittings reuse one; a log-in costs over half a second of a core (scrypt) by design.
// - learners seeded beforehand (`npm run db:seed-load-learners`, passed with --learners) start
//   with their session: sign-up is rate-limited per address, so hundreds of sign-ups from the one
//   machine running the test would be refused. Without seeded learners (a smoke run, a handful),
//   every learner signs up once, before the measured run starts (the setup phase), with a
//   throwaway address (loadtest-<run>-<vu>-<n>@example.test): real learners arrive with sessions
//   they opened days ago, and a ramp of sign-ups would measure scrypt, not practice. A learner
//   whose setup sign-up failed signs up in its first iteration instead.
// Answers: an item the learner has seen answered (the submit response tells the expected form)
// is answered right 80% of the time; an unseen one gets the infinitive, which is wrong. So early
// in a run most answers are wrong and later more are right, as with a real learner.

export const MIX = {
  rounds: 3,
  leaderboardShare: 0.3,
  logOutShare: 0.02,
  knownRightShare: 0.8,
} as const;

export type Procedure =
  | "accounts.signUp"
  | "accounts.logIn"
  | "accounts.logOut"
  | "exercises.next"
  | "exercises.submit"
  | "progress.summary"
  | "leaderboard.top";

/** practice: the SLO's calls; auth: log-ins and log-outs in the journey; setup: sign-ups before the run. */
export type Kind = "auth" | "practice" | "setup";

export interface PlannedRequest {
  procedure: Procedure;
  kind: Kind;
  method: "GET" | "POST";
  /** Path and query, e.g. /trpc/leaderboard.top?input=… */
  path: string;
  body: string | null;
  headers: Record<string, string>;
}

/** A learner created beforehand by `npm run db:seed-load-learners`, with an open session. */
export interface SeededLearner {
  email: string;
  password: string;
  token: string;
}

export interface VuState {
  vu: number;
  runId: string;
  /** A seeded learner's address; null: the generated throwaway address (emailOf). */
  email: string | null;
  /** Bumped when a sign-up's answer was lost (a cancelled request), so the next one uses a new address. */
  attempt: number;
  password: string;
  token: string | null;
  signedUp: boolean;
  /** The item on screen: id and verb (the infinitive is the wrong guess). */
  current: { id: string; verb: string } | null;
  /** Expected answers the learner has been shown, by exercise id. */
  known: Record<string, string>;
  queue: Procedure[];
  iterations: number;
  answers: { right: number; wrong: number };
}

export function newVuState(vu: number, runId: string): VuState {
  return {
    vu,
    runId,
    email: null,
    attempt: 0,
    password: `load-test-${runId}-${vu}`,
    token: null,
    signedUp: false,
    current: null,
    known: {},
    queue: [],
    iterations: 0,
    answers: { right: 0, wrong: 0 },
  };
}

export function emailOf(state: VuState): string {
  return state.email ?? `loadtest-${state.runId}-${state.vu}-${state.attempt}@example.test`;
}

/** A virtual learner that is a seeded learner: signed up, with its session open. */
export function seededVuState(vu: number, runId: string, seeded: SeededLearner): VuState {
  return {
    ...newVuState(vu, runId),
    email: seeded.email,
    password: seeded.password,
    token: seeded.token,
    signedUp: true,
  };
}

/** Reads the file `npm run db:seed-load-learners` writes; throws a message that says how to fix it. */
export function parseSeededLearners(text: string, file: string, needed: number): SeededLearner[] {
  let learners: unknown;
  try {
    learners = (JSON.parse(text) as { learners?: unknown }).learners;
  } catch {
    learners = undefined;
  }
  const valid =
    Array.isArray(learners) &&
    learners.every(
      (l: { email?: unknown; password?: unknown; token?: unknown }) =>
        typeof l?.email === "string" && typeof l.password === "string" && typeof l.token === "string",
    );
  if (!valid) throw new Error(`${file} is not a learners file written by npm run db:seed-load-learners`);
  const list = learners as SeededLearner[];
  if (list.length < needed) {
    throw new Error(
      `${file} has ${list.length} learners; this profile needs ${needed}: run npm run db:seed-load-learners -- ${needed}`,
    );
  }
  return list;
}

/** Said when setup sign-ups are refused by the sign-up rate limit. */
export const SEED_HINT =
  "sign-ups are rate-limited per address (429): seed the learners beforehand with npm run db:seed-load-learners -- <peak learners> and pass --learners <file>";

/** The setup phase's sign-up of one learner (kind "setup": outside the measured run). */
export function signUpRequest(state: VuState): PlannedRequest {
  return fromClient(
    state,
    mutation(
      "accounts.signUp",
      "setup",
      { email: emailOf(state), password: state.password, displayName: `load test ${state.vu}` },
      null,
    ),
  );
}

/** Learners to sign up in the setup phase: one per virtual user at the profile's peak. */
export function peakVus(stages: readonly { target: number }[]): number {
  return Math.max(0, ...stages.map((stage) => stage.target));
}

/** How many setup sign-ups run at once: scrypt runs on 4 libuv threads, more only queue. */
export const SETUP_CONCURRENCY = 4;

/** The procedures of one iteration. */
export function planIteration(state: VuState, random: () => number): Procedure[] {
  const steps: Procedure[] = [];
  if (!state.token) steps.push(state.signedUp ? "accounts.logIn" : "accounts.signUp");
  for (let i = 0; i < MIX.rounds; i++) steps.push("exercises.next", "exercises.submit");
  steps.push("progress.summary");
  if (random() < MIX.leaderboardShare) steps.push("leaderboard.top");
  if (random() < MIX.logOutShare) steps.push("accounts.logOut");
  return steps;
}

const JSON_HEADERS = { "content-type": "application/json" };

function query(procedure: Procedure, kind: Kind, input: unknown, token: string | null): PlannedRequest {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return {
    procedure,
    kind,
    method: "GET",
    path: `/trpc/${procedure}${search}`,
    body: null,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
}

function mutation(procedure: Procedure, kind: Kind, input: unknown, token: string | null): PlannedRequest {
  return {
    procedure,
    kind,
    method: "POST",
    path: `/trpc/${procedure}`,
    body: input === undefined ? null : JSON.stringify(input),
    headers: token ? { ...JSON_HEADERS, authorization: `Bearer ${token}` } : { ...JSON_HEADERS },
  };
}

/**
 * The learner's next request, or null when the iteration is over (call again for the next one).
 * Steps that cannot run (a submit without an item on screen) are skipped.
 */
export function nextRequest(state: VuState, random: () => number): PlannedRequest | null {
  const request = plannedRequest(state, random);
  return request && fromClient(state, request);
}

/**
 * Each virtual learner has its own client address on the loopback network, as real learners
 * come from their own: 127.<1 + vu / 65536>.<vu / 256 % 256>.<vu % 256>, so a per-address limit
 * (log-in, sign-up) sees one learner per address, never the whole test as one client. Sent as a
 * header only the benchmark proxy believes, and only from the generator's own address (the
 * runner's --client-addresses; the production nginx ignores it and keeps the real address).
 */
export const CLIENT_ADDRESS_HEADER = "x-load-client";

export function clientAddressOf(vu: number): string {
  if (!Number.isInteger(vu) || vu < 1 || vu > 254 * 65_536)
    throw new Error(`virtual learner ${vu} has no loopback address (1 to ${254 * 65_536})`);
  return `127.${1 + Math.floor(vu / 65_536)}.${Math.floor(vu / 256) % 256}.${vu % 256}`;
}

function fromClient(state: VuState, request: PlannedRequest): PlannedRequest {
  return { ...request, headers: { ...request.headers, [CLIENT_ADDRESS_HEADER]: clientAddressOf(state.vu) } };
}

function plannedRequest(state: VuState, random: () => number): PlannedRequest | null {
  for (;;) {
    const procedure = state.queue.shift();
    if (procedure === undefined) {
      state.queue = planIteration(state, random);
      state.iterations += 1;
      return null;
    }
    const token = state.token;
    switch (procedure) {
      case "accounts.signUp":
        return mutation(
          procedure,
          "auth",
          { email: emailOf(state), password: state.password, displayName: `load test ${state.vu}` },
          null,
        );
      case "accounts.logIn":
        return mutation(procedure, "auth", { email: emailOf(state), password: state.password }, null);
      case "accounts.logOut":
        if (!token) continue;
        return mutation(procedure, "auth", undefined, token);
      case "exercises.next":
        if (!token) continue;
        return query(procedure, "practice", undefined, token);
      case "exercises.submit": {
        if (!token || !state.current) continue;
        const known = state.known[state.current.id];
        const right = known !== undefined && random() < MIX.knownRightShare;
        const answer = right ? known : state.current.verb;
        return mutation(procedure, "practice", { exerciseId: state.current.id, answer }, token);
      }
      case "progress.summary":
        if (!token) continue;
        return query(procedure, "practice", undefined, token);
      case "leaderboard.top":
        if (!token) continue;
        return query(procedure, "practice", { limit: 10 }, token);
    }
  }
}

export interface Check {
  name: string;
  ok: boolean;
}

export interface ResponseOutcome {
  /** k6's http_req_failed: a status outside 200–399 (0 for a transport error). */
  failed: boolean;
  checks: Check[];
}

// biome-ignore lint/suspicious/noExplicitAny: tRPC bodies are untyped JSON; each read is checked.
type Json = any;

function parse(body: string | null): Json {
  if (!body) return null;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

/** Reads a response into the learner's state and returns the checks it passed or failed. */
export function recordResponse(
  state: VuState,
  request: PlannedRequest,
  status: number,
  body: string | null,
): ResponseOutcome {
  const json = parse(body);
  const data: Json = json?.result?.data;
  const ok200 = status === 200;
  const checks: Check[] = [{ name: `${request.procedure} answers 200`, ok: ok200 }];
  const shape = (name: string, ok: boolean) => checks.push({ name: `${request.procedure} ${name}`, ok });
  if (status === 401) {
    // The session ended on the server (revoked, expired): log in again next iteration.
    state.token = null;
    state.signedUp = true;
  }
  switch (request.procedure) {
    case "accounts.signUp":
    case "accounts.logIn": {
      const token = ok200 && typeof data?.token === "string" ? (data.token as string) : null;
      shape("returns a session token", token !== null);
      if (token) {
        state.token = token;
        state.signedUp = true;
      } else if (request.procedure === "accounts.signUp" && status === 409) {
        // The address exists (an earlier attempt's answer was lost): log in with it instead.
        state.signedUp = true;
      }
      break;
    }
    case "accounts.logOut":
      state.token = null;
      state.current = null;
      break;
    case "exercises.next": {
      const item = data?.item;
      const ok = ok200 && typeof item?.id === "string" && typeof item?.verb === "string";
      shape("returns an item", ok);
      state.current = ok ? { id: item.id as string, verb: item.verb as string } : null;
      break;
    }
    case "exercises.submit": {
      const ok = ok200 && typeof data?.correct === "boolean";
      shape("returns a verdict", ok);
      if (ok && state.current) {
        if (data.correct) state.answers.right += 1;
        else state.answers.wrong += 1;
        if (typeof data.expected === "string") state.known[state.current.id] = data.expected as string;
      }
      state.current = null;
      break;
    }
    case "progress.summary":
      shape("returns a summary", ok200 && data !== null && typeof data === "object");
      break;
    case "leaderboard.top":
      shape("returns a leaderboard", ok200 && data !== null && typeof data === "object");
      break;
  }
  return { failed: !(status >= 200 && status < 400), checks };
}
