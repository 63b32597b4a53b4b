// A compact notation for hand-written seeds: one line per item, turned into ExerciseSeed objects.

import type { FormSpec, Person } from "../../grammar.ts";
import type { ExerciseSeed, TriggerCategory } from "../types.ts";

/** Short names for the form the blank needs. */
export const TENSE_CODES = {
  /** present subjunctive */
  PS: { mood: "subjunctive", tense: "present" },
  /** imperfect subjunctive (-ra and -se both accepted) */
  IS: { mood: "subjunctive", tense: "imperfect" },
  /** present perfect subjunctive (haya hablado) */
  PPS: { mood: "subjunctive", tense: "present-perfect" },
  /** pluperfect subjunctive (hubiera/hubiese hablado) */
  PLS: { mood: "subjunctive", tense: "pluperfect" },
  /** present indicative */
  PI: { mood: "indicative", tense: "present" },
  /** preterite */
  PRET: { mood: "indicative", tense: "preterite" },
  /** imperfect indicative */
  II: { mood: "indicative", tense: "imperfect" },
  /** future */
  FUT: { mood: "indicative", tense: "future" },
  /** conditional */
  COND: { mood: "indicative", tense: "conditional" },
  /** present perfect indicative (ha hablado) */
  PPI: { mood: "indicative", tense: "present-perfect" },
} as const satisfies Record<string, FormSpec>;
export type TenseCode = keyof typeof TENSE_CODES;

/** [id, difficulty, sentence, verb, person, tense, translation, trigger, tenseNote?] */
export type SeedRow =
  | readonly [string, 1 | 2 | 3, string, string, Person, TenseCode, string, string]
  | readonly [string, 1 | 2 | 3, string, string, Person, TenseCode, string, string, string];

export function defineSeeds(category: TriggerCategory, rows: readonly SeedRow[]): readonly ExerciseSeed[] {
  return rows.map((row) => {
    const [id, difficulty, sentence, verb, person, tense, translation, trigger, tenseNote] = row;
    const seed: ExerciseSeed = {
      id,
      category,
      difficulty,
      sentence,
      verb,
      person,
      spec: { ...TENSE_CODES[tense] },
      translation,
      trigger,
    };
    if (tenseNote !== undefined) seed.tenseNote = tenseNote;
    return seed;
  });
}
