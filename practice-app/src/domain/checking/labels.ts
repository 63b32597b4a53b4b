// English names for forms, persons and moods, used in the checker's messages.

import { type FormSpec, PERSON_PRONOUNS, type Person } from "../grammar.ts";

export function personName(person: Person): string {
  return PERSON_PRONOUNS[person];
}

/** "yo", "yo or él/ella/usted" */
export function personList(persons: readonly Person[]): string {
  return persons.map(personName).join(" or ");
}

const TENSE_NAMES: Record<string, string> = {
  present: "present",
  imperfect: "imperfect",
  "present-perfect": "present perfect",
  pluperfect: "pluperfect",
  preterite: "preterite",
  future: "future",
  conditional: "conditional",
};

/** The tense alone: "present perfect". */
export function tenseName(spec: FormSpec): string {
  return TENSE_NAMES[spec.tense] ?? spec.tense;
}

/** The full name of the form: "present subjunctive", "preterite", "conditional", "imperfect indicative". */
export function formName(spec: FormSpec): string {
  if (spec.mood === "subjunctive") return `${tenseName(spec)} subjunctive`;
  if (spec.tense === "preterite" || spec.tense === "future" || spec.tense === "conditional")
    return tenseName(spec);
  return `${tenseName(spec)} indicative`;
}

/** "hablara (or hablase)" */
export function formList(forms: readonly string[]): string {
  const [first, ...rest] = forms;
  if (first === undefined) return "";
  return rest.length === 0 ? first : `${first} (or ${rest.join(", ")})`;
}
