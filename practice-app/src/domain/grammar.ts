// The grammatical vocabulary shared by the conjugation engine, the exercise bank and the checker.

export const PERSONS = ["1s", "2s", "3s", "1p", "2p", "3p"] as const;
export type Person = (typeof PERSONS)[number];

export const PERSON_PRONOUNS: Record<Person, string> = {
  "1s": "yo",
  "2s": "tú",
  "3s": "él/ella/usted",
  "1p": "nosotros",
  "2p": "vosotros",
  "3p": "ellos/ellas/ustedes",
};

export const MOODS = ["subjunctive", "indicative"] as const;
export type Mood = (typeof MOODS)[number];

/** Subjunctive tenses. "imperfect" has two equally correct endings, -ra and -se. */
export const SUBJUNCTIVE_TENSES = ["present", "imperfect", "present-perfect", "pluperfect"] as const;
export type SubjunctiveTense = (typeof SUBJUNCTIVE_TENSES)[number];

/** Indicative tenses: needed for contrast items and to recognise an indicative answer. */
export const INDICATIVE_TENSES = [
  "present",
  "preterite",
  "imperfect",
  "future",
  "conditional",
  "present-perfect",
] as const;
export type IndicativeTense = (typeof INDICATIVE_TENSES)[number];

export type TenseOf<M extends Mood> = M extends "subjunctive" ? SubjunctiveTense : IndicativeTense;

export type FormSpec =
  | { mood: "subjunctive"; tense: SubjunctiveTense }
  | { mood: "indicative"; tense: IndicativeTense };

/** Every (mood, tense) pair the engine can produce, in a stable order. */
export const ALL_FORM_SPECS: readonly FormSpec[] = [
  ...SUBJUNCTIVE_TENSES.map((tense) => ({ mood: "subjunctive" as const, tense })),
  ...INDICATIVE_TENSES.map((tense) => ({ mood: "indicative" as const, tense })),
];
