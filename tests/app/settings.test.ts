import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Learner, signUp } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The accent-tolerant mode end to end: the setting, and what it changes when an accent slips.
//   wish-044 "Quiero que mi abuelo me ___ a pescar." (enseñar → enseñe; "ensené" is no slip: ñ)
//   emo-001  "Me alegro de que tú ___ aquí." (estar → estés; "estes" is an accent slip)

let t: TestApp;
let db: pg.Pool;

interface Graded {
  outcome: string;
  correct: boolean;
  message: string;
  score: number;
  accentTolerated: boolean;
}

beforeAll(async () => {
  t = await startTestApp();
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

function setting(learner: Learner, input?: { accentTolerant: boolean }) {
  return learner.api.ok(learner.api.mutation<{ accentTolerant: boolean }>("settings.accentTolerance", input));
}

async function card(learner: Learner, exerciseId: string) {
  const { rows } = await db.query(
    "SELECT state, learning_steps AS steps, difficulty FROM cards WHERE learner_id = $1 AND exercise_id = $2",
    [learner.id, exerciseId],
  );
  const review = await db.query(
    "SELECT outcome, rating FROM reviews WHERE learner_id = $1 AND exercise_id = $2",
    [learner.id, exerciseId],
  );
  return { ...rows[0], review: review.rows[0] };
}

describe("settings.accentTolerance", () => {
  it("is off for a new learner, and turns on and off", async () => {
    const learner = await signUp(t.api, "settings");
    expect(await setting(learner)).toEqual({ accentTolerant: false });
    expect(await setting(learner, { accentTolerant: true })).toEqual({ accentTolerant: true });
    expect(await setting(learner)).toEqual({ accentTolerant: true });
    expect(await setting(learner, { accentTolerant: false })).toEqual({ accentTolerant: false });
  });

  it("refuses anonymous calls and bad input", async () => {
    expect((await t.api.mutation("settings.accentTolerance")).status).toBe(401);
    const learner = await signUp(t.api, "settings-bad");
    expect((await learner.api.mutation("settings.accentTolerance", { accentTolerant: "yes" })).status).toBe(
      400,
    );
    expect((await learner.api.mutation("settings.accentTolerance", { other: true })).status).toBe(400);
  });

  it("shows an accent slip either way, but only penalises it when the mode is off", async () => {
    const strict = await signUp(t.api, "strict");
    const tolerant = await signUp(t.api, "tolerant");
    await setting(tolerant, { accentTolerant: true });
    const submit = (learner: Learner) =>
      learner.api.ok(
        learner.api.mutation<Graded>("exercises.submit", { exerciseId: "emo-001", answer: "estes" }),
      );

    const a = await submit(strict);
    const b = await submit(tolerant);
    for (const result of [a, b]) {
      expect(result.outcome).toBe("accent");
      expect(result.correct).toBe(false);
      expect(result.message).toMatch(/accent/);
    }
    expect(a.accentTolerated).toBe(false);
    expect(b.accentTolerated).toBe(true);
    expect(a.score).toBe(0);
    expect(b.score).toBe(1);
    expect((await card(strict, "emo-001")).review).toEqual({ outcome: "accent", rating: 2 });
    expect((await card(tolerant, "emo-001")).review).toEqual({ outcome: "accent", rating: 3 });

    // A missing ñ is a spelling mistake, not an accent slip: the mode does not forgive it.
    const n = await tolerant.api.ok(
      tolerant.api.mutation<Graded>("exercises.submit", { exerciseId: "wish-044", answer: "ensene" }),
    );
    expect(n.outcome).toBe("wrong");
    expect(n.accentTolerated).toBe(false);
  });
});
