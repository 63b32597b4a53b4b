import { describe, expect, it } from "vitest";
import {
  emailOf,
  MIX,
  newVuState,
  nextRequest,
  planIteration,
  recordResponse,
  signUpRequest,
} from "./journey.ts";

const never = () => 0.99;
const always = () => 0;

function ok(data: unknown): string {
  return JSON.stringify({ result: { data } });
}

describe("the learner journey", () => {
  it("plans a sitting: sign-in when needed, three practice rounds, progress, sometimes the leaderboard", () => {
    const learner = newVuState(7, "run1");
    expect(planIteration(learner, never)).toEqual([
      "accounts.signUp",
      ...Array.from({ length: MIX.rounds }, () => ["exercises.next", "exercises.submit"]).flat(),
      "progress.summary",
    ]);
    learner.token = "t";
    expect(planIteration(learner, always)).toEqual([
      ...Array.from({ length: MIX.rounds }, () => ["exercises.next", "exercises.submit"]).flat(),
      "progress.summary",
      "leaderboard.top",
      "accounts.logOut",
    ]);
  });

  it("speaks tRPC over HTTP: queries as GET with ?input=, mutations as POST JSON, the bearer token", () => {
    const learner = newVuState(1, "r");
    const signUp = signUpRequest(learner);
    expect(signUp).toMatchObject({ method: "POST", path: "/trpc/accounts.signUp", kind: "setup" });
    expect(JSON.parse(signUp.body ?? "")).toMatchObject({ email: emailOf(learner) });
    recordResponse(learner, signUp, 200, ok({ token: "tok", learner: { id: "1" } }));
    expect(learner.token).toBe("tok");

    expect(nextRequest(learner, never)).toBeNull(); // the first call plans the iteration
    const next = nextRequest(learner, never);
    expect(next).toMatchObject({ method: "GET", path: "/trpc/exercises.next", kind: "practice" });
    expect(next?.headers.authorization).toBe("Bearer tok");
    recordResponse(
      learner,
      next as NonNullable<typeof next>,
      200,
      ok({ item: { id: "ex-1", verb: "tener" } }),
    );

    const submit = nextRequest(learner, never);
    expect(submit).toMatchObject({ method: "POST", path: "/trpc/exercises.submit" });
    // An unseen item gets the infinitive, which is wrong; the response teaches the expected form.
    expect(JSON.parse(submit?.body ?? "")).toEqual({ exerciseId: "ex-1", answer: "tener" });
    recordResponse(
      learner,
      submit as NonNullable<typeof submit>,
      200,
      ok({ correct: false, expected: "tenga" }),
    );
    expect(learner.known["ex-1"]).toBe("tenga");
    expect(learner.answers).toEqual({ right: 0, wrong: 1 });

    // Seen again: answered right (the random draw is under the known-right share).
    learner.current = { id: "ex-1", verb: "tener" };
    learner.queue = ["exercises.submit"];
    const again = nextRequest(learner, always);
    expect(JSON.parse(again?.body ?? "")).toEqual({ exerciseId: "ex-1", answer: "tenga" });

    learner.queue = ["leaderboard.top"];
    const board = nextRequest(learner, never);
    expect(board?.path).toBe(`/trpc/leaderboard.top?input=${encodeURIComponent('{"limit":10}')}`);
  });

  it("checks every response and logs in again after a 401", () => {
    const learner = newVuState(3, "r");
    learner.token = "old";
    learner.signedUp = true;
    const next = { ...nextRequestOf(learner) };
    const outcome = recordResponse(learner, next, 401, JSON.stringify({ error: { message: "expired" } }));
    expect(outcome.failed).toBe(true);
    expect(outcome.checks).toEqual([
      { name: "exercises.next answers 200", ok: false },
      { name: "exercises.next returns an item", ok: false },
    ]);
    expect(learner.token).toBeNull();
    expect(planIteration(learner, never)[0]).toBe("accounts.logIn");
    // A 200 with the wrong shape fails its check but is not an HTTP failure (as in k6).
    const odd = recordResponse(learner, next, 200, ok({ nothing: true }));
    expect(odd.failed).toBe(false);
    expect(odd.checks.some((c) => !c.ok)).toBe(true);
  });

  it("skips steps that cannot run without a session or an item", () => {
    const learner = newVuState(4, "r");
    learner.queue = ["exercises.submit", "progress.summary"];
    expect(nextRequest(learner, never)).toBeNull();
  });
});

function nextRequestOf(learner: ReturnType<typeof newVuState>) {
  learner.queue = ["exercises.next"];
  const request = nextRequest(learner, never);
  if (!request) throw new Error("expected a request");
  return request;
}
