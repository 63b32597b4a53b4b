import type { Queryable } from "../pool.ts";

export interface ActiveSession {
  sessionId: string;
  learnerId: string;
  displayName: string;
}

export async function insertSession(
  db: Queryable,
  session: { learnerId: string; tokenHash: Buffer; ttlDays: number; userAgent: string | null },
): Promise<string> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO sessions (learner_id, token_hash, expires_at, user_agent)
     VALUES ($1, $2, now() + make_interval(days => $3), $4) RETURNING id::text AS id`,
    [session.learnerId, session.tokenHash, session.ttlDays, session.userAgent],
  );
  const id = result.rows[0]?.id;
  if (!id) throw new Error("insert into sessions returned no row");
  return id;
}

/** The live session for a token hash: not revoked, not expired. */
export async function findActiveSession(db: Queryable, tokenHash: Buffer): Promise<ActiveSession | null> {
  const result = await db.query<ActiveSession>({
    name: "find-active-session",
    text: `SELECT s.id::text AS "sessionId", s.learner_id::text AS "learnerId", l.display_name AS "displayName"
     FROM sessions s JOIN learners l ON l.id = s.learner_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    values: [tokenHash],
  });
  return result.rows[0] ?? null;
}

/** Re-keys a session found under a previous secret, so the old secret can be retired. */
export async function rekeySession(db: Queryable, sessionId: string, tokenHash: Buffer): Promise<void> {
  await db.query("UPDATE sessions SET token_hash = $2 WHERE id = $1", [sessionId, tokenHash]);
}

export async function revokeSession(db: Queryable, sessionId: string): Promise<number> {
  const result = await db.query(
    "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
    [sessionId],
  );
  return result.rowCount ?? 0;
}

export async function revokeLearnerSessions(db: Queryable, learnerId: string): Promise<number> {
  const result = await db.query(
    "UPDATE sessions SET revoked_at = now() WHERE learner_id = $1 AND revoked_at IS NULL",
    [learnerId],
  );
  return result.rowCount ?? 0;
}

export async function countActiveSessions(db: Queryable, learnerId: string): Promise<number> {
  const result = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sessions WHERE learner_id = $1 AND revoked_at IS NULL AND expires_at > now()",
    [learnerId],
  );
  return result.rows[0]?.n ?? 0;
}
