import { hashPassword } from "../auth/passwords.ts";
import { buildExerciseBank, curriculumPositions, EXERCISE_BANK_VERSION } from "../domain/exercises/index.ts";
import { toRow } from "./exercise-rows.ts";
import { type Pool, withTransaction } from "./pool.ts";
import { replaceBank } from "./repositories/exercises.ts";
import { findLearnerByEmail, insertLearner } from "./repositories/learners.ts";

export const DEMO_LEARNER = {
  email: "demo@example.com",
  displayName: "Demo learner",
  password: "practica-el-subjuntivo",
};

export interface SeedResult {
  bankVersion: string;
  upserted: number;
  deactivated: number;
  demoLearner: "created" | "exists" | "skipped";
}

/** Loads the exercise bank (idempotent) and, for local stacks, a demo learner. */
export async function seed(pool: Pool, options: { demo: boolean; scryptLogN: number }): Promise<SeedResult> {
  const bank = buildExerciseBank();
  const positions = curriculumPositions(bank);
  const rows = bank.map((exercise) => ({ ...toRow(exercise), position: positions.get(exercise.id) ?? 0 }));
  const { upserted, deactivated } = await withTransaction(pool, (tx) =>
    replaceBank(tx, EXERCISE_BANK_VERSION, rows),
  );
  let demoLearner: SeedResult["demoLearner"] = "skipped";
  if (options.demo) {
    if (await findLearnerByEmail(pool, DEMO_LEARNER.email)) demoLearner = "exists";
    else {
      await insertLearner(pool, {
        email: DEMO_LEARNER.email,
        displayName: DEMO_LEARNER.displayName,
        passwordHash: await hashPassword(DEMO_LEARNER.password, options.scryptLogN),
      });
      demoLearner = "created";
    }
  }
  return { bankVersion: EXERCISE_BANK_VERSION, upserted, deactivated, demoLearner };
}
