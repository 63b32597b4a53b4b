// English names for forms, persons and moods, used in the checker's messages.

import {
  type EngineFormSpec,
  type InfinitiveSpec,
  type NonFiniteForm,
  PERSON_PRONOUNS,
  type Person,
} from "../grammar.ts";

export function personName(person: Person): string {
  return PERSON_PRONOUNS[person];
}

const TENSE_NAMES: Record<string, string> = {
  present: "present",
  imperfect: "imperfect",
  "present-perfect": "present perfect",
  pluperfect: "pluperfect",
  preterite: "preterite",
  future: "future",
  conditional: "conditional",
  "future-perfect": "future perfect",
  "conditional-perfect": "conditional perfect",
  affirmative: "affirmative",
  negative: "negative",
};

/** The tense alone: "present perfect". */
export function tenseName(spec: EngineFormSpec | InfinitiveSpec): string {
  return TENSE_NAMES[spec.tense] ?? spec.tense;
}

/** Indicative tenses whose name needs no mood: "the preterite", "the conditional perfect". */
const SELF_NAMED = new Set(["preterite", "future", "conditional", "future-perfect", "conditional-perfect"]);

/**
 * The full name of the form: "present subjunctive", "preterite", "conditional perfect",
 * "imperfect indicative", "future subjunctive", "affirmative imperative".
 */
export function formName(spec: EngineFormSpec | InfinitiveSpec): string {
  if (spec.mood === "infinitive") return "infinitive";
  if (spec.mood === "subjunctive") return `${tenseName(spec)} subjunctive`;
  if (spec.mood === "imperative") return `${tenseName(spec)} imperative`;
  if (SELF_NAMED.has(spec.tense)) return tenseName(spec);
  return `${tenseName(spec)} indicative`;
}

export const NON_FINITE_NAMES: Record<NonFiniteForm, string> = {
  infinitive: "infinitive",
  gerund: "gerund",
  participle: "past participle",
};

/** "hablara (or hablase)" */
export function formList(forms: readonly string[]): string {
  const [first, ...rest] = forms;
  if (first === undefined) return "";
  return rest.length === 0 ? first : `${first} (or ${rest.join(", ")})`;
}
