import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Learner, signUp } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Learner control through the real app: drill selection (category, form, level, weak spots),
// recognition rounds (pick the mood, pick the form) and the verb reference.

let t: TestApp;
let db: pg.Pool;
let learner: Learner;

interface DrillItem {
  reason: string;
  mode: string;
  item: { id: string; verb: string; category: { id: string }; difficulty: number };
  choices: string[] | null;
}
interface Options {
  categories: Array<{ id: string; label: string; items: number }>;
  forms: Array<{ id: string; label: string; items: number }>;
  levels: Array<{ level: number; items: number }>;
  weakSpots: Array<{ category: { id: string }; form: { id: string }; accuracy: number }>;
}

beforeAll(async () => {
  t = await startTestApp();
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
  learner = await signUp(t.api, "drills");
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

async function row(id: string) {
  const { rows } = await db.query(
    "SELECT category, mood, tense, difficulty, expected, accepted FROM exercises WHERE id = $1",
    [id],
  );
  return rows[0] as {
    category: string;
    mood: string;
    tense: string;
    difficulty: number;
    expected: string;
    accepted: string[];
  };
}

const reviewCount = async () =>
  (await db.query("SELECT count(*)::int AS n FROM reviews WHERE learner_id = $1", [learner.id])).rows[0].n;

describe("drill selection", () => {
  it("lists what the bank offers, and serves only items of the chosen category, form and level", async () => {
    const options = await learner.api.ok(learner.api.query<Options>("drills.options"));
    const { rows } = await db.query("SELECT count(*)::int AS n FROM exercises WHERE active");
    expect(options.categories.reduce((sum, c) => sum + c.items, 0)).toBe(rows[0].n);
    expect(options.forms.map((f) => f.id)).toContain("subjunctive:present");
    expect(options.forms.find((f) => f.id === "subjunctive:present")?.label).toBe("present subjunctive");
    expect(options.levels.map((l) => l.level)).toEqual([1, 2, 3]);
    expect(options.weakSpots).toEqual([]);

    // Selections the bank can serve: taken from one of its items.
    const { rows: sample } = await db.query(
      "SELECT category, tense, difficulty FROM exercises WHERE active AND mood = 'subjunctive' ORDER BY id DESC LIMIT 1",
    );
    const { category, tense, difficulty } = sample[0];
    for (const selection of [
      { category },
      { form: `subjunctive:${tense}`, level: difficulty },
      { category, form: `subjunctive:${tense}`, level: difficulty },
    ]) {
      const next = await learner.api.ok(learner.api.query<DrillItem>("drills.next", selection));
      const stored = await row(next.item.id);
      if (selection.category) expect(stored.category).toBe(selection.category);
      if (selection.form) expect(`${stored.mood}:${stored.tense}`).toBe(selection.form);
      if (selection.level) expect(stored.difficulty).toBe(selection.level);
      expect(next).toMatchObject({ reason: "new", mode: "type", choices: null });
    }
    const none = await learner.api.query("drills.next", { category: "no-such-category" });
    expect(none.status).toBe(404);
    expect(none.body.error?.message).toMatch(/No exercise matches/);
    const bad = await learner.api.query("drills.next", { form: "subjunctive present" });
    expect(bad.status).toBe(400);
  });

  it("finds the learner's weak spots from their answers and drills them", async () => {
    const noneYet = await learner.api.query("drills.next", { weakSpots: true });
    expect(noneYet.status).toBe(404);
    expect(noneYet.body.error?.message).toMatch(/no weak spots yet/);
    const first = await learner.api.ok(
      learner.api.query<DrillItem>("drills.next", { form: "subjunctive:present", level: 1 }),
    );
    await learner.api.ok(
      learner.api.mutation("exercises.submit", { exerciseId: first.item.id, answer: "xyz" }),
    );
    const stored = await row(first.item.id);
    const options = await learner.api.ok(learner.api.query<Options>("drills.options"));
    expect(options.weakSpots).toEqual([
      expect.objectContaining({
        category: expect.objectContaining({ id: stored.category }),
        form: expect.objectContaining({ id: "subjunctive:present" }),
        accuracy: 0,
      }),
    ]);
    const weak = await learner.api.ok(learner.api.query<DrillItem>("drills.next", { weakSpots: true }));
    const picked = await row(weak.item.id);
    expect([picked.category, picked.mood, picked.tense]).toEqual([stored.category, "subjunctive", "present"]);
  });
});

describe("recognition", () => {
  it("asks for the mood, grades it with the explanation, and schedules nothing", async () => {
    const reviews = await reviewCount();
    const next = await learner.api.ok(learner.api.query<DrillItem>("drills.next", { mode: "mood" }));
    expect(next).toMatchObject({
      mode: "mood",
      reason: "recognition",
      choices: ["subjunctive", "indicative"],
    });
    const stored = await row(next.item.id);
    const right = await learner.api.ok(
      learner.api.mutation<{ correct: boolean; explanation: string; expected: string }>("drills.answer", {
        exerciseId: next.item.id,
        mode: "mood",
        choice: stored.mood,
      }),
    );
    expect(right.correct).toBe(true);
    expect(right.expected).toBe(stored.expected);
    expect(right.explanation.length).toBeGreaterThan(10);
    const wrong = await learner.api.ok(
      learner.api.mutation<{ correct: boolean; message: string }>("drills.answer", {
        exerciseId: next.item.id,
        mode: "mood",
        choice: stored.mood === "subjunctive" ? "indicative" : "subjunctive",
      }),
    );
    expect(wrong.correct).toBe(false);
    expect(wrong.message).toMatch(new RegExp(`takes the ${stored.mood}`));
    expect(await reviewCount()).toBe(reviews);
  });

  it("never asks for the mood where both moods are right, and takes either if asked", async () => {
    // Every quizás / tal vez item accepts the indicative too (llueva or llueve), so none is served.
    const none = await learner.api.query("drills.next", { mode: "mood", category: "probability" });
    expect(none.status).toBe(404);
    expect(none.body.error?.message).toMatch(/No exercise matches/);
    const typed = await learner.api.ok(
      learner.api.query<DrillItem>("drills.next", { mode: "type", category: "probability" }),
    );
    expect(typed.item.category.id).toBe("probability");
    for (const choice of ["indicative", "subjunctive"]) {
      const answer = await learner.api.ok(
        learner.api.mutation<{ correct: boolean; message: string }>("drills.answer", {
          exerciseId: "qui-001",
          mode: "mood",
          choice,
        }),
      );
      expect(answer.correct, choice).toBe(true);
      expect(answer.message, choice).toMatch(/^Yes: both moods are right here\. .*more doubtful/);
    }
  });

  it("offers four different forms of the verb, one of them right, and moves to another item", async () => {
    const next = await learner.api.ok(
      learner.api.query<DrillItem>("drills.next", { mode: "choice", form: "subjunctive:present" }),
    );
    const stored = await row(next.item.id);
    expect(next.choices).toHaveLength(4);
    expect(new Set(next.choices).size).toBe(4);
    expect(next.choices?.filter((c) => stored.accepted.includes(c))).toEqual([stored.expected]);
    const wrongChoice = next.choices?.find((c) => c !== stored.expected) ?? "";
    const graded = await learner.api.ok(
      learner.api.mutation<{ correct: boolean }>("drills.answer", {
        exerciseId: next.item.id,
        mode: "choice",
        choice: wrongChoice,
      }),
    );
    expect(graded.correct).toBe(false);
    const after = await learner.api.ok(
      learner.api.query<DrillItem>("drills.next", {
        mode: "choice",
        form: "subjunctive:present",
        previousId: next.item.id,
      }),
    );
    expect(after.item.id).not.toBe(next.item.id);
  });
});

describe("verb reference", () => {
  it("gives every tense with the irregular parts, the model and its other verbs", async () => {
    const tener = await learner.api.ok(
      learner.api.query<{
        model: { id: string; regular: boolean };
        tenses: Array<{
          name: string;
          rows: Array<{ irregular: boolean; forms: Array<Array<{ text: string }>> }>;
        }>;
        sameModel: { count: number; verbs: string[] };
      }>("verbs.get", { infinitive: "tener" }),
    );
    expect(tener.model).toEqual(expect.objectContaining({ id: "tener", regular: false }));
    const present = tener.tenses.find((t) => t.name === "present subjunctive");
    expect(present?.rows[0]?.irregular).toBe(true);
    expect(present?.rows[0]?.forms[0]?.map((s) => s.text).join("")).toBe("tenga");
    expect(tener.sameModel.verbs).toContain("mantener");
    const unknown = await learner.api.query("verbs.get", { infinitive: "blorpar" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toMatch(/not a verb the app knows/);
    const found = await learner.api.ok(
      learner.api.query<{ verbs: string[] }>("verbs.search", { prefix: "ped", limit: 3 }),
    );
    expect(found.verbs).toContain("pedir");
    expect((await t.api.query("verbs.get", { infinitive: "tener" })).status).toBe(401);
  });
});
