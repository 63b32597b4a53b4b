import type { Queryable } from "../pool.ts";

export interface ExerciseRow {
  id: string;
  category: string;
  difficulty: number;
  sentence: string;
  verb: string;
  person: string;
  mood: "subjunctive" | "indicative" | "infinitive";
  tense: string;
  expected: string;
  accepted: string[];
  explanation: string;
  translation: string;
}

const COLUMNS = `id, category, difficulty, sentence, verb, person, mood, tense, expected, accepted, explanation, translation`;

export async function findExercise(db: Queryable, id: string): Promise<ExerciseRow | null> {
  const result = await db.query<ExerciseRow>({
    name: "find-exercise",
    text: `SELECT ${COLUMNS} FROM exercises WHERE id = $1`,
    values: [id],
  });
  return result.rows[0] ?? null;
}

export async function activeExercises(db: Queryable): Promise<ExerciseRow[]> {
  const result = await db.query<ExerciseRow>(`SELECT ${COLUMNS} FROM exercises WHERE active ORDER BY id`);
  return result.rows;
}

export async function activeBankVersion(db: Queryable): Promise<string | null> {
  const result = await db.query<{ v: string }>("SELECT max(bank_version) AS v FROM exercises WHERE active");
  return result.rows[0]?.v ?? null;
}

/**
 * Makes the table hold exactly this bank: upserts every item, deactivates items that left the bank
 * (they stay, because reviews and cards reference them). Run inside a transaction. `position` is the
 * item's place in the curriculum (domain/exercises/curriculum.ts).
 */
export async function replaceBank(
  db: Queryable,
  version: string,
  items: readonly (ExerciseRow & { position: number })[],
): Promise<{ upserted: number; deactivated: number }> {
  const payload = JSON.stringify(items);
  const upserted = await db.query(
    `INSERT INTO exercises (${COLUMNS}, bank_version, active, position)
     SELECT x.id, x.category, x.difficulty, x.sentence, x.verb, x.person, x.mood, x.tense, x.expected,
            ARRAY(SELECT jsonb_array_elements_text(x.accepted)), x.explanation, x.translation, $2, true,
            -- Curriculum order, computed by the domain: moods, tenses and accents interleaved.
            x.position
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, category text, difficulty smallint, sentence text, verb text,
       person text, mood text, tense text, expected text, accepted jsonb, explanation text, translation text,
       position integer)
     ON CONFLICT (id) DO UPDATE SET category = EXCLUDED.category, difficulty = EXCLUDED.difficulty,
       sentence = EXCLUDED.sentence, verb = EXCLUDED.verb, person = EXCLUDED.person, mood = EXCLUDED.mood,
       tense = EXCLUDED.tense, expected = EXCLUDED.expected, accepted = EXCLUDED.accepted,
       explanation = EXCLUDED.explanation, translation = EXCLUDED.translation,
       bank_version = EXCLUDED.bank_version, active = true, position = EXCLUDED.position`,
    [payload, version],
  );
  const deactivated = await db.query(
    "UPDATE exercises SET active = false WHERE active AND NOT (id = ANY($1::text[]))",
    [items.map((item) => item.id)],
  );
  return { upserted: upserted.rowCount ?? 0, deactivated: deactivated.rowCount ?? 0 };
}
