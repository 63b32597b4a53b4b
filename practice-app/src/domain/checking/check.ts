// Answer checking: is the answer right, and if not, what exactly is it?
//
// Order of diagnosis:
// 1. empty or over-long → "wrong";
// 2. exactly one of the accepted forms → "correct";
// 3. equal to an accepted form once accents and diaeresis are ignored (ñ still counts) → "accent",
//    unless the answer as typed is a form of the OTHER mood (e.g. "hablé" for "hable"): then the
//    accent changed the mood, and that is diagnosed as "wrong-mood";
// 4. otherwise, what form of the verb is it (exact spelling first, then ignoring accents)?
//    same mood and tense, other person → "wrong-person"; same mood and person, other tense →
//    "wrong-tense"; other mood → "wrong-mood"; anything else → "wrong". When a spelling is several
//    forms, the diagnosis closest to correct wins.

import type { Exercise } from "../exercises/types.ts";
import type { FormSpec } from "../grammar.ts";
import { type FormRef, verbForms } from "./forms.ts";
import { formList, formName, personList, personName, tenseName } from "./labels.ts";
import { hasAccentMarks, MAX_ANSWER_LENGTH, normalizeAnswer, stripAccents } from "./normalize.ts";

export type Outcome = "correct" | "accent" | "wrong-mood" | "wrong-person" | "wrong-tense" | "wrong";

export interface CheckResult {
  outcome: Outcome;
  /** True only for "correct". */
  correct: boolean;
  expected: string;
  accepted: string[];
  /** What was wrong (or right), in English, quoting the Spanish forms. */
  message: string;
  /** The item's one-sentence trigger explanation. */
  explanation: string;
}

type Diagnosis = Exclude<Outcome, "correct" | "accent">;

function result(exercise: Exercise, outcome: Outcome, message: string): CheckResult {
  return {
    outcome,
    correct: outcome === "correct",
    expected: exercise.expected,
    accepted: [...exercise.accepted],
    message,
    explanation: exercise.explanation,
  };
}

function sameSpec(a: FormSpec, b: FormSpec): boolean {
  return a.mood === b.mood && a.tense === b.tense;
}

function isTarget(exercise: Exercise, ref: FormRef): boolean {
  return sameSpec(ref.spec, exercise.spec) && ref.person === exercise.person;
}

/** Lower is closer to correct. */
function rank(exercise: Exercise, ref: FormRef): number {
  const sameMood = ref.spec.mood === exercise.spec.mood;
  const sameTense = sameMood && ref.spec.tense === exercise.spec.tense;
  const samePerson = ref.person === exercise.person;
  if (sameTense) return 0; // other person
  if (sameMood && samePerson) return 1; // other tense
  if (!sameMood && samePerson) return 2; // other mood
  if (!sameMood) return 3; // other mood and person
  return 4; // same mood, other tense and person
}

const OUTCOME_BY_RANK: readonly Diagnosis[] = [
  "wrong-person",
  "wrong-tense",
  "wrong-mood",
  "wrong-mood",
  "wrong",
];

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function triggerPhrase(exercise: Exercise): string {
  return exercise.trigger ? `after '${exercise.trigger.toLowerCase()}'` : "here";
}

function describe(exercise: Exercise, refs: readonly FormRef[]): { outcome: Diagnosis; message: string } {
  const best = Math.min(...refs.map((ref) => rank(exercise, ref)));
  const outcome = OUTCOME_BY_RANK[best] ?? "wrong";
  const chosen = refs.filter((ref) => rank(exercise, ref) === best);
  const first = chosen[0] as FormRef;
  const form = first.form;
  const needed = formList(exercise.accepted);
  const neededPerson = personName(exercise.person);
  // Every person this spelling is in the chosen form, and every tense it is for the chosen person.
  const persons = unique(chosen.filter((ref) => sameSpec(ref.spec, first.spec)).map((ref) => ref.person));
  const specs = unique(chosen.filter((ref) => ref.person === first.person).map((ref) => formName(ref.spec)));

  switch (outcome) {
    case "wrong-person":
      return {
        outcome,
        message: `That is the ${personList(persons)} form (${form}); the subject here is ${neededPerson}, so the blank needs: ${needed}.`,
      };
    case "wrong-tense":
      return {
        outcome,
        message: `Right mood and person, wrong tense: ${form} is the ${specs.join(" or ")}, but here you need the ${formName(exercise.spec)}: ${needed}.`,
      };
    case "wrong-mood": {
      const givenMood = first.spec.mood;
      const tenses = unique(
        chosen.filter((ref) => ref.person === first.person).map((ref) => tenseName(ref.spec)),
      ).join(" or ");
      const personNote = first.person === exercise.person ? "" : `, ${personList(persons)} form`;
      const verb = exercise.spec.mood === "subjunctive" ? "needs" : "uses";
      return {
        outcome,
        message: `That is the ${givenMood} (${form}: ${tenses}${personNote}); ${triggerPhrase(exercise)} Spanish ${verb} the ${exercise.spec.mood}: ${needed}.`,
      };
    }
    default:
      return {
        outcome: "wrong",
        message: `That is the ${specs.join(" or ")} for ${personList(persons)} (${form}); here you need the ${formName(exercise.spec)} for ${neededPerson}: ${needed}.`,
      };
  }
}

function accentMessage(given: string, target: string, otherForms: readonly FormRef[]): string {
  let message: string;
  if (!hasAccentMarks(given)) message = `Almost: the accent is missing — ${target}.`;
  else if (!hasAccentMarks(target)) message = `Almost: no accent is needed — ${target}.`;
  else message = `Almost: check the accent — ${target}.`;
  const other = otherForms[0];
  if (other) {
    message += ` As written, ${other.form} is a different form: the ${formName(other.spec)} for ${personName(other.person)}.`;
  }
  return message;
}

export function checkAnswer(exercise: Exercise, answer: string): CheckResult {
  const collapsed = answer.normalize("NFC").trim().replace(/\s+/g, " ");
  if (collapsed.length > MAX_ANSWER_LENGTH) {
    return result(
      exercise,
      "wrong",
      `That answer is too long (over ${MAX_ANSWER_LENGTH} characters). Type only the verb form: ${formList(exercise.accepted)}.`,
    );
  }
  const given = normalizeAnswer(answer);
  if (given === "") {
    return result(exercise, "wrong", `No answer: type the form of ${exercise.verb} that fills the blank.`);
  }

  const accepted = exercise.accepted.map(normalizeAnswer);
  const exactIndex = accepted.indexOf(given);
  if (exactIndex >= 0) {
    const others = exercise.accepted.filter((_, i) => i !== exactIndex);
    const note = others.length > 0 ? ` (${others.join(", ")} would also be right.)` : "";
    return result(exercise, "correct", `Correct!${note}`);
  }

  const table = verbForms(exercise.verb);
  const strippedGiven = stripAccents(given);
  const exactRefs = (table.exact.get(given) ?? []).filter((ref) => !isTarget(exercise, ref));

  const accentIndex = accepted.findIndex((form) => stripAccents(form) === strippedGiven);
  if (accentIndex >= 0) {
    const target = exercise.accepted[accentIndex] as string;
    const otherMood = exactRefs.filter((ref) => ref.spec.mood !== exercise.spec.mood);
    if (otherMood.length > 0) {
      const { outcome, message } = describe(exercise, otherMood);
      return result(exercise, outcome, `${message} Mind the accent: it changes the form.`);
    }
    return result(exercise, "accent", accentMessage(given, target, exactRefs));
  }

  let refs: readonly FormRef[] = exactRefs;
  let viaAccents = false;
  if (refs.length === 0) {
    refs = (table.stripped.get(strippedGiven) ?? []).filter((ref) => !isTarget(exercise, ref));
    viaAccents = refs.length > 0;
  }
  if (refs.length === 0) {
    return result(
      exercise,
      "wrong",
      `"${given}" is not a form of ${exercise.verb}. The blank needs the ${formName(exercise.spec)} for ${personName(exercise.person)}: ${formList(exercise.accepted)}.`,
    );
  }
  const { outcome, message } = describe(exercise, refs);
  return result(exercise, outcome, viaAccents ? `${message} Watch the accents too.` : message);
}
