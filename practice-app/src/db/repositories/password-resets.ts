import type { Queryable } from "../pool.ts";

// Password-reset links. Only the SHA-256 of a link's token is stored; a link is used at most once.

export async function insertPasswordReset(
  db: Queryable,
  reset: { learnerId: string; tokenHash: Buffer; ttlMinutes: number },
): Promise<void> {
  await db.query(
    `INSERT INTO password_resets (learner_id, token_hash, expires_at)
     VALUES ($1, $2, now() + make_interval(mins => $3))`,
    [reset.learnerId, reset.tokenHash, reset.ttlMinutes],
  );
}

/**
 * Marks the link used and returns its learner, in one statement: of two concurrent uses of one link
 * only one gets a row. An unknown, used or expired link returns null.
 */
export async function consumePasswordReset(db: Queryable, tokenHash: Buffer): Promise<string | null> {
  const result = await db.query<{ learnerId: string }>(
    `UPDATE password_resets SET used_at = now()
     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
     RETURNING learner_id::text AS "learnerId"`,
    [tokenHash],
  );
  return result.rows[0]?.learnerId ?? null;
}

/** After a reset, the learner's other links stop working too. */
export async function expireLearnerResets(db: Queryable, learnerId: string): Promise<void> {
  await db.query("UPDATE password_resets SET used_at = now() WHERE learner_id = $1 AND used_at IS NULL", [
    learnerId,
  ]);
}

export async function setPassword(db: Queryable, learnerId: string, passwordHash: string): Promise<void> {
  await db.query("UPDATE learners SET password_hash = $2, password_changed_at = now() WHERE id = $1", [
    learnerId,
    passwordHash,
  ]);
}
