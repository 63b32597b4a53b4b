import { GRADUATED_TO_UNLOCK } from "../../domain/exercises/index.ts";
import type { Queryable } from "../pool.ts";

export interface NextPick {
  exerciseId: string;
  /** "due": a review that is due; "new": never seen; "ahead": nothing due or new, earliest card. */
  reason: "due" | "new" | "ahead";
}

/**
 * One round trip: the most overdue card, else the next new item in curriculum order (level, then
 * position) among the levels the learner has unlocked, else the card due soonest. A level opens
 * once GRADUATED_TO_UNLOCK cards of the level below are graduated (FSRS state 2, Review): the same
 * rule as unlockedLevel() in domain/exercises/curriculum.ts. UNION ALL with LIMIT 1 stops at the
 * first branch with a row. Named, so each connection plans it once: planning cost more than running it.
 */
export async function pickNext(db: Queryable, learnerId: string): Promise<NextPick | null> {
  const result = await db.query<NextPick>({
    name: "pick-next",
    text: `(SELECT exercise_id AS "exerciseId", 'due' AS reason FROM cards
        WHERE learner_id = $1 AND due <= now() ORDER BY due LIMIT 1)
     UNION ALL
     (SELECT e.id, 'new' FROM exercises e
        WHERE e.active AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.learner_id = $1 AND c.exercise_id = e.id)
          AND e.difficulty <= (SELECT CASE
              WHEN count(*) FILTER (WHERE x.difficulty = 1) < $2 THEN 1
              WHEN count(*) FILTER (WHERE x.difficulty = 2) < $2 THEN 2
              ELSE 3 END
            FROM cards g JOIN exercises x ON x.id = g.exercise_id WHERE g.learner_id = $1 AND g.state = 2)
        ORDER BY e.difficulty, e.position, e.id LIMIT 1)
     UNION ALL
     (SELECT c.exercise_id, 'ahead' FROM cards c JOIN exercises e ON e.id = c.exercise_id AND e.active
        WHERE c.learner_id = $1 ORDER BY c.due LIMIT 1)
     LIMIT 1`,
    values: [learnerId, GRADUATED_TO_UNLOCK],
  });
  return result.rows[0] ?? null;
}

export async function cardCounts(
  db: Queryable,
  learnerId: string,
): Promise<{ due: number; seen: number; unseen: number }> {
  const result = await db.query<{ due: number; seen: number; unseen: number }>(
    `SELECT
       (SELECT count(*)::int FROM cards WHERE learner_id = $1 AND due <= now()) AS due,
       (SELECT count(*)::int FROM cards WHERE learner_id = $1) AS seen,
       (SELECT count(*)::int FROM exercises e WHERE e.active
          AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.learner_id = $1 AND c.exercise_id = e.id)) AS unseen`,
    [learnerId],
  );
  return result.rows[0] ?? { due: 0, seen: 0, unseen: 0 };
}
