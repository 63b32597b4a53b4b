import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GRADUATED_TO_UNLOCK } from "../../practice-app/src/domain/exercises/index.ts";
import { type Learner, signUp } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The curriculum through the real "next" path: a new learner answers the items exercises.next hands
// out, over HTTP, against this run's seeded bank.

let t: TestApp;
let db: pg.Pool;

interface NextItem {
  reason: string;
  item: { id: string; difficulty: number };
}

beforeAll(async () => {
  t = await startTestApp();
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

async function stored(id: string): Promise<{ mood: string; expected: string }> {
  const { rows } = await db.query("SELECT mood, expected FROM exercises WHERE id = $1", [id]);
  return rows[0];
}

/** Takes `count` items from exercises.next, answering each correctly; returns them in order. */
async function firstItems(learner: Learner, count: number) {
  const seen: { id: string; reason: string; difficulty: number; mood: string; expected: string }[] = [];
  for (let i = 0; i < count; i++) {
    const next = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
    const row = await stored(next.item.id);
    seen.push({ id: next.item.id, reason: next.reason, difficulty: next.item.difficulty, ...row });
    await learner.api.ok(
      learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer: row.expected }),
    );
  }
  return seen;
}

describe("a new learner's first session", () => {
  it("mixes indicative contrasts and accented answers into the first 20 new items", async () => {
    const learner = await signUp(t.api, "curriculum");
    const items = await firstItems(learner, 20);
    expect(items.every((item) => item.reason === "new")).toBe(true);
    expect(new Set(items.map((item) => item.id)).size).toBe(20);
    expect(items.every((item) => item.difficulty === 1)).toBe(true);
    expect(items.filter((item) => item.mood === "indicative").length).toBeGreaterThanOrEqual(3);
    expect(items.filter((item) => item.mood !== "subjunctive").length).toBeGreaterThanOrEqual(5);
    expect(items.filter((item) => /[áéíóú]/.test(item.expected)).length).toBeGreaterThanOrEqual(5);
  });

  it("opens level 2 only once enough level-1 cards have graduated", async () => {
    const learner = await signUp(t.api, "unlock");
    const levelOne = await db.query<{ id: string }>(
      "SELECT id FROM exercises WHERE active AND difficulty = 1 ORDER BY position",
    );
    // Every level-1 item seen (in learning, due tomorrow) but none graduated: nothing new to give.
    const ids = levelOne.rows.map((row) => row.id);
    await db.query(
      `INSERT INTO cards (learner_id, exercise_id, due, stability, difficulty, scheduled_days, reps, lapses, state)
       SELECT $1, id, now() + interval '1 day', 1, 5, 0, 1, 0, 1 FROM unnest($2::text[]) AS id`,
      [learner.id, ids],
    );
    const locked = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
    expect(locked.reason).toBe("ahead");
    expect(locked.item.difficulty).toBe(1);

    await db.query("UPDATE cards SET state = 2 WHERE learner_id = $1 AND exercise_id = ANY($2::text[])", [
      learner.id,
      ids.slice(0, GRADUATED_TO_UNLOCK),
    ]);
    const open = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
    expect(open.reason).toBe("new");
    expect(open.item.difficulty).toBe(2);
  });
});
