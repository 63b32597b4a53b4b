import type { Queryable } from "../pool.ts";
import type { NextPick } from "./cards.ts";

// What a learner chose to drill: a filter over the active exercise bank. Every part is optional;
// weak spots are (category, mood, tense) triples worked out from the learner's own reviews.

export interface DrillFilter {
  category: string | null;
  mood: string | null;
  tense: string | null;
  difficulty: number | null;
  weakSpots: ReadonlyArray<{ category: string; mood: string; tense: string }> | null;
}

const MATCHES = `($2::text IS NULL OR e.category = $2) AND ($3::text IS NULL OR e.mood = $3)
  AND ($4::text IS NULL OR e.tense = $4) AND ($5::int IS NULL OR e.difficulty = $5)
  AND ($6::jsonb IS NULL OR (e.category, e.mood, e.tense) IN
    (SELECT w.category, w.mood, w.tense FROM jsonb_to_recordset($6::jsonb) AS w(category text, mood text, tense text)))`;

function values(learnerId: string, filter: DrillFilter): unknown[] {
  return [
    learnerId,
    filter.category,
    filter.mood,
    filter.tense,
    filter.difficulty,
    filter.weakSpots ? JSON.stringify(filter.weakSpots) : null,
  ];
}

/** For typing: like pickNext (due, else new, else ahead), within the filter. */
export async function pickDrill(
  db: Queryable,
  learnerId: string,
  filter: DrillFilter,
): Promise<NextPick | null> {
  const result = await db.query<NextPick>(
    `(SELECT c.exercise_id AS "exerciseId", 'due' AS reason FROM cards c JOIN exercises e ON e.id = c.exercise_id
        WHERE c.learner_id = $1 AND c.due <= now() AND e.active AND ${MATCHES} ORDER BY c.due LIMIT 1)
     UNION ALL
     (SELECT e.id, 'new' FROM exercises e
        WHERE e.active AND ${MATCHES}
          AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.learner_id = $1 AND c.exercise_id = e.id)
        ORDER BY e.difficulty, e.position, e.id LIMIT 1)
     UNION ALL
     (SELECT c.exercise_id, 'ahead' FROM cards c JOIN exercises e ON e.id = c.exercise_id
        WHERE c.learner_id = $1 AND e.active AND ${MATCHES} ORDER BY c.due LIMIT 1)
     LIMIT 1`,
    values(learnerId, filter),
  );
  return result.rows[0] ?? null;
}

/**
 * For recognition, which does not schedule: any matching item, at random, other than the one just
 * shown (when there is another), and none of `exclude`.
 */
export async function pickRecognition(
  db: Queryable,
  learnerId: string,
  filter: DrillFilter,
  previousId: string | null,
  exclude: readonly string[] = [],
): Promise<string | null> {
  const result = await db.query<{ id: string }>(
    `SELECT e.id FROM exercises e WHERE e.active AND ${MATCHES} AND $1::text IS NOT NULL
       AND NOT (e.id = ANY($8::text[]))
     ORDER BY (e.id = $7) ASC, random() LIMIT 1`,
    [...values(learnerId, filter), previousId, exclude],
  );
  return result.rows[0]?.id ?? null;
}

export interface DrillOptionRow {
  category: string;
  mood: string;
  tense: string;
  difficulty: number;
  items: number;
}

/** What the active bank offers to drill: item counts by category, form and level. */
export async function drillOptions(db: Queryable): Promise<DrillOptionRow[]> {
  const result = await db.query<DrillOptionRow>(
    `SELECT category, mood, tense, difficulty::int AS difficulty, count(*)::int AS items
     FROM exercises WHERE active GROUP BY category, mood, tense, difficulty ORDER BY category, mood, tense, difficulty`,
  );
  return result.rows;
}
