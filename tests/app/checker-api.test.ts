import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Learner, signUp } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Every case of the answer checker end to end: tRPC over HTTP, this run's PostgreSQL and Redis.
// Items are picked by id (the bank is seeded once for the run), so each case knows its sentence:
//   wish-001 "Quiero que tú ___ más despacio." (hablar, tú → hables)
//   wish-044 "Quiero que mi abuelo me ___ a pescar." (enseñar → enseñe)
//   dou-002  "No creo que Pablo ___ razón." (tener → tenga)
//   hyp-022  "Si yo ___ la verdad, te lo habría dicho." (saber → hubiera sabido)
//   qui-001  "Quizás ___ mañana por la tarde." (llover → llueva, lloverá or llueve: both moods)

let t: TestApp;
let db: pg.Pool;
let learner: Learner;

interface Graded {
  graded: true;
  outcome: string;
  correct: boolean;
  message: string;
  explanation: string;
  expected: string;
  accepted: string[];
  nextReviewAt: string;
  score: number;
  streak: number;
}
interface Ungraded {
  graded: false;
  outcome: string;
  correct: false;
  message: string;
}

beforeAll(async () => {
  t = await startTestApp();
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
  learner = await signUp(t.api, "checker");
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

function submit<T = Graded>(exerciseId: string, answer: string): Promise<T> {
  return learner.api.ok(learner.api.mutation<T>("exercises.submit", { exerciseId, answer }));
}

/** What one submit can change for this learner and item: the card, the reviews, score and streak. */
async function state(exerciseId: string): Promise<unknown> {
  const card = await db.query(
    `SELECT due, stability, difficulty, reps, lapses, state, last_review FROM cards
     WHERE learner_id = $1 AND exercise_id = $2`,
    [learner.id, exerciseId],
  );
  const reviews = await db.query(
    "SELECT count(*)::int AS n FROM reviews WHERE learner_id = $1 AND exercise_id = $2",
    [learner.id, exerciseId],
  );
  const me = await db.query("SELECT score, current_streak, last_practice_on FROM learners WHERE id = $1", [
    learner.id,
  ]);
  return { card: card.rows[0] ?? null, reviews: reviews.rows[0].n, learner: me.rows[0] };
}

describe("exercises.next", () => {
  it("says which person the blank needs", async () => {
    const next = await learner.api.ok(
      learner.api.query<{ item: { id: string; person: { id: string; label: string } } }>("exercises.next"),
    );
    const { rows } = await db.query("SELECT person FROM exercises WHERE id = $1", [next.item.id]);
    const labels: Record<string, string> = {
      "1s": "yo",
      "2s": "tú",
      "3s": "él/ella/usted",
      "1p": "nosotros",
      "2p": "vosotros",
      "3p": "ellos/ellas/ustedes",
    };
    expect(next.item.person).toEqual({ id: rows[0].person, label: labels[rows[0].person] });
  });
});

describe("exercises.submit: what the learner typed", () => {
  it("names the trigger when the indicative is given where the subjunctive is needed", async () => {
    const r = await submit("dou-002", "tiene");
    expect(r).toMatchObject({ graded: true, outcome: "wrong-mood", correct: false });
    expect(r.message).toBe(
      "That is the indicative (tiene: present); after 'no creo que' Spanish needs the subjunctive: tenga.",
    );
  });

  it("recognises the infinitive and the gerund", async () => {
    const infinitive = await submit("wish-001", "hablar");
    expect(infinitive).toMatchObject({ graded: true, outcome: "wrong" });
    expect(infinitive.message).toContain("hablar is the infinitive");
    expect(infinitive.message).toContain("the present subjunctive for tú: hables");
    expect(infinitive.message).not.toContain("not a form");
    const gerund = await submit("wish-001", "hablando");
    expect(gerund.message).toContain("hablando is the gerund");
    expect(gerund.message).not.toContain("not a form");
  });

  it("says that Spanish never uses the conditional after si in an unreal condition", async () => {
    const r = await submit("hyp-022", "habría sabido");
    expect(r).toMatchObject({ graded: true, outcome: "wrong-mood", expected: "hubiera sabido" });
    expect(r.message).toBe(
      "habría sabido is the conditional perfect; after 'si' in an unreal condition Spanish never uses the conditional. Here you need the pluperfect subjunctive: hubiera sabido (or hubiese sabido).",
    );
  });

  it("gives the ñ hint for n", async () => {
    const r = await submit("wish-044", "ensene");
    expect(r).toMatchObject({ graded: true, outcome: "wrong", correct: false, expected: "enseñe" });
    expect(r.message).toContain("ñ, not n");
  });
});

describe("exercises.submit: answers that are not graded", () => {
  it("asks for the verb alone when a pronoun comes with it, and records no review", async () => {
    const before = await state("wish-001");
    const r = await submit<Ungraded>("wish-001", "tú hables");
    expect(r).toEqual({
      graded: false,
      outcome: "extra-words",
      correct: false,
      message: 'Type only the verb, without "tú", and try again.',
    });
    expect(await state("wish-001")).toEqual(before);
  });

  it("leaves an existing card, the score and the streak alone for que + verb", async () => {
    await submit("emo-002", "hablas"); // graded: creates the card and a review
    const before = await state("emo-002");
    expect(before).toMatchObject({ reviews: 1 });
    const r = await submit<Ungraded>("emo-002", "que hable"); // Me sorprende que Juan no ___ …: the right form
    expect(r).toMatchObject({ graded: false, outcome: "extra-words" });
    expect(r.message).toContain('without "que"');
    expect(r).not.toHaveProperty("expected");
    expect(await state("emo-002")).toEqual(before);
  });

  it("names a look-alike letter by code point instead of quoting what looks like the answer", async () => {
    const before = await state("wish-001");
    const r = await submit<Ungraded>("wish-001", "h\u0430bles"); // Cyrillic а
    expect(r).toMatchObject({ graded: false, outcome: "foreign-characters", correct: false });
    expect(r.message).toContain('U+0430 is a Cyrillic letter that looks like the Latin "a"');
    expect(r.message).not.toContain("bles");
    expect(await state("wish-001")).toEqual(before);
  });
});

describe("exercises.submit: the vos form", () => {
  it("is not graded: the learner is asked for the tú form", async () => {
    const before = await state("bel-002");
    const r = await submit<Ungraded>("bel-002", "tenés"); // Pienso que tú ___ razón: tienes
    expect(r).toMatchObject({ graded: false, outcome: "vos-form", correct: false });
    expect(r.message).toContain("asks for the tú form");
    expect(await state("bel-002")).toEqual(before);
  });
});

describe("exercises.submit: text around the answer", () => {
  it("removes a zero-width space, says so, and grades what is left", async () => {
    const r = await submit("wish-001", "hab\u200bles");
    expect(r).toMatchObject({ graded: true, outcome: "correct", correct: true });
    expect(r.message).toContain("invisible character (U+200B, zero-width space), which we removed");
  });

  it("trims before the 60-character cap: a padded right answer is accepted", async () => {
    const padded = `${" ".repeat(40)}enseñe${" ".repeat(40)}`;
    expect(padded.length).toBeGreaterThan(60);
    const r = await submit("wish-044", padded);
    expect(r).toMatchObject({ graded: true, outcome: "correct", correct: true });
    const long = await learner.api.mutation("exercises.submit", {
      exerciseId: "wish-044",
      answer: "e".repeat(61),
    });
    expect(long.status).toBe(400);
  });
});

describe("exercises.submit: quizás and tal vez, where both moods are right", () => {
  it.each([
    ["qui-001", "llueve"],
    ["qui-004", "podemos"],
    ["qui-007", "llegáis"],
    ["qui-008", "ha entendido"],
  ])("%s accepts the indicative %s and says why both moods are right", async (id, answer) => {
    const r = await submit(id, answer);
    expect(r).toMatchObject({ graded: true, outcome: "correct", correct: true });
    expect(r.accepted).toContain(answer);
    expect(r.message).toMatch(/^Correct! \(.+ would also be right\.\) /);
    expect(r.message).toContain(
      "both are right here: the subjunctive sounds more doubtful, the indicative more confident.",
    );
    expect(r.message).not.toContain("needs the subjunctive");
  });

  it("calls another indicative tense a wrong tense, not a wrong mood", async () => {
    const r = await submit("qui-003", "sabían");
    expect(r).toMatchObject({ graded: true, outcome: "wrong-tense", correct: false });
    expect(r.message).toContain(
      "here you need the present subjunctive or present indicative: sepan (or saben)",
    );
    expect(r.message).not.toContain("needs the subjunctive");
  });
});
