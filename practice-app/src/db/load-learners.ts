import { randomBytes } from "node:crypto";
import { hashPassword } from "../auth/passwords.ts";
import { hashToken, newSessionToken } from "../auth/tokens.ts";
import { type Pool, withTransaction } from "./pool.ts";
import { insertSession } from "./repositories/sessions.ts";

// Learners for load tests, created beforehand with an open session each, so a load test does not
// sign up hundreds of learners from one address (sign-up is rate-limited per address and
// globally, and stays so during load tests). Addresses are loadtest-seeded-<n>@example.test:
// seeding again reuses the learners, gives them a new password and a new session each.

export interface SeededLearner {
  email: string;
  password: string;
  token: string;
}

export const LOAD_LEARNER_DOMAIN = "example.test";

export function loadLearnerEmail(n: number): string {
  return `loadtest-seeded-${n}@${LOAD_LEARNER_DOMAIN}`;
}

export async function seedLoadLearners(
  pool: Pool,
  options: { count: number; sessionSecret: string; ttlDays: number; scryptLogN: number },
): Promise<SeededLearner[]> {
  const password = `load-${randomBytes(12).toString("base64url")}`;
  // One hash for all: they are test accounts, and scrypt for each would take minutes for 1,000.
  const passwordHash = await hashPassword(password, options.scryptLogN);
  const learners: SeededLearner[] = [];
  await withTransaction(pool, async (client) => {
    for (let n = 1; n <= options.count; n++) {
      const email = loadLearnerEmail(n);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO learners (email, display_name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, password_changed_at = now()
         RETURNING id::text AS id`,
        [email, `load test ${n}`, passwordHash],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error(`could not create or update ${email}`);
      const token = newSessionToken();
      await insertSession(client, {
        learnerId: id,
        tokenHash: hashToken(token, options.sessionSecret),
        ttlDays: options.ttlDays,
        userAgent: "load-test seed",
      });
      learners.push({ email, password, token });
    }
  });
  return learners;
}
