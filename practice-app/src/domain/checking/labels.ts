// English names for forms, persons and moods, used in the checker's messages.

import type { FormSpec, Person } from "../grammar.ts";

const PERSON_NAMES: Record<Person, string> = {
  "1s": "yo",
  "2s": "tú",
  "3s": "él/ella/usted",
  "1p": "nosotros",
  "2p": "vosotros",
  "3p": "ellos/ellas/ustedes",
};

export function personName(person: Person): string {
  return PERSON_NAMES[person];
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
