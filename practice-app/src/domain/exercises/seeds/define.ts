// A compact notation for hand-written seeds: one line per item, turned into ExerciseSeed objects.

import type { FormSpec, ItemSpec, Person } from "../../grammar.ts";
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
  /** the infinitive (para + infinitive) */
  INF: { mood: "infinitive", tense: "infinitive" },
} as const satisfies Record<string, ItemSpec>;
export type TenseCode = keyof typeof TENSE_CODES;
/** The codes of finite forms (what the `also` forms can be). */
export type FiniteTenseCode = Exclude<TenseCode, "INF">;

/** Tense note for a present indicative with future meaning (a lo mejor llueve mañana). */
export const PRESENT_FOR_FUTURE =
  "here the present indicative, which Spanish also uses for a near or planned future";

/** What a row can add after its trigger: a tense note, or these options. */
export interface SeedOptions {
  tenseNote?: string;
  /** Replaces the category's mood reason for this item; "{t}" is the trigger. */
  reason?: string;
  /** Other correct forms (one code or several), with why they are right too. */
  also?: readonly [FiniteTenseCode | readonly FiniteTenseCode[], string];
  /** The contrast partner's id. */
  partner?: string;
}

/** [id, difficulty, sentence, verb, person, tense, translation, trigger, tenseNote or options?] */
export type SeedRow =
  | readonly [string, 1 | 2 | 3, string, string, Person, TenseCode, string, string]
  | readonly [string, 1 | 2 | 3, string, string, Person, TenseCode, string, string, string | SeedOptions];

export function defineSeeds(category: TriggerCategory, rows: readonly SeedRow[]): readonly ExerciseSeed[] {
  return rows.map((row) => {
    const [id, difficulty, sentence, verb, person, tense, translation, trigger, extra] = row;
    const options: SeedOptions = typeof extra === "string" ? { tenseNote: extra } : (extra ?? {});
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
    if (options.tenseNote !== undefined) seed.tenseNote = options.tenseNote;
    if (options.reason !== undefined) seed.reason = options.reason;
    if (options.also !== undefined) {
      const [codes, note] = options.also;
      const list: readonly FiniteTenseCode[] = typeof codes === "string" ? [codes] : codes;
      const specs: FormSpec[] = list.map((code) => ({ ...TENSE_CODES[code] }));
      seed.also = { specs, note };
    }
    if (options.partner !== undefined) seed.partner = options.partner;
    return seed;
  });
}
