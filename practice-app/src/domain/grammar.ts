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

/**
 * A blank that takes the infinitive: "para + infinitive" when the subject does not change (Salgo
 * temprano para llegar a tiempo). Not a mood, but stored and named like one so an item's form is
 * always a (mood, tense) pair.
 */
export type InfinitiveSpec = { mood: "infinitive"; tense: "infinitive" };
export const INFINITIVE_SPEC: InfinitiveSpec = { mood: "infinitive", tense: "infinitive" };

/** What a bank item's blank needs: a finite form, or the infinitive. */
export type ItemSpec = FormSpec | InfinitiveSpec;
export type ItemMood = ItemSpec["mood"];

/** Every (mood, tense) pair the engine can produce, in a stable order. */
export const ALL_FORM_SPECS: readonly FormSpec[] = [
  ...SUBJUNCTIVE_TENSES.map((tense) => ({ mood: "subjunctive" as const, tense })),
  ...INDICATIVE_TENSES.map((tense) => ({ mood: "indicative" as const, tense })),
];

/**
 * Tenses the engine also produces but the bank does not teach as targets: the checker needs them to
 * say what a learner typed (habría sabido), and the future subjunctive is archaic (legal and fixed
 * phrases: "sea lo que fuere"), recognised but never asked for.
 */
export const ARCHAIC_SUBJUNCTIVE_TENSES = ["future", "future-perfect"] as const;
export const MORE_INDICATIVE_TENSES = ["pluperfect", "future-perfect", "conditional-perfect"] as const;
/** The imperative: affirmative (habla, hablad) and negative (no hables), which borrows the subjunctive. */
export const IMPERATIVE_TENSES = ["affirmative", "negative"] as const;
export type ImperativeTense = (typeof IMPERATIVE_TENSES)[number];

/** Every finite form the engine produces: the bank's forms plus the ones above. */
export type EngineFormSpec =
  | FormSpec
  | { mood: "subjunctive"; tense: (typeof ARCHAIC_SUBJUNCTIVE_TENSES)[number] }
  | { mood: "indicative"; tense: (typeof MORE_INDICATIVE_TENSES)[number] }
  | { mood: "imperative"; tense: ImperativeTense };

export const ENGINE_FORM_SPECS: readonly EngineFormSpec[] = [
  ...ALL_FORM_SPECS,
  ...ARCHAIC_SUBJUNCTIVE_TENSES.map((tense) => ({ mood: "subjunctive" as const, tense })),
  ...MORE_INDICATIVE_TENSES.map((tense) => ({ mood: "indicative" as const, tense })),
  ...IMPERATIVE_TENSES.map((tense) => ({ mood: "imperative" as const, tense })),
];

/** The forms without person: the infinitive, the gerund (hablando) and the past participle (hablado). */
export const NON_FINITE_FORMS = ["infinitive", "gerund", "participle"] as const;
export type NonFiniteForm = (typeof NON_FINITE_FORMS)[number];
