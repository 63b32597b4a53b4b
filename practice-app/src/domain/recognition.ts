// Recognition rounds: instead of typing the form, the learner picks the mood the blank needs, or picks
// the right form among a few the engine makes from the same verb. Pure: the caller shuffles.

import { conjugateAlternatives } from "./conjugation/index.ts";
import type { FormSpec, Person } from "./grammar.ts";
import { PERSONS } from "./grammar.ts";

export interface RecognitionItem {
  verb: string;
  person: Person;
  spec: FormSpec;
  accepted: readonly string[];
}

/** The other mood's form of the same tense, where it exists: the confusion the app is about. */
const COUNTERPART: Record<string, FormSpec> = {
  "subjunctive:present": { mood: "indicative", tense: "present" },
  "subjunctive:imperfect": { mood: "indicative", tense: "imperfect" },
  "subjunctive:present-perfect": { mood: "indicative", tense: "present-perfect" },
  "subjunctive:pluperfect": { mood: "indicative", tense: "preterite" },
  "indicative:present": { mood: "subjunctive", tense: "present" },
  "indicative:imperfect": { mood: "subjunctive", tense: "imperfect" },
  "indicative:preterite": { mood: "subjunctive", tense: "imperfect" },
  "indicative:present-perfect": { mood: "subjunctive", tense: "present-perfect" },
  "indicative:future": { mood: "subjunctive", tense: "present" },
  "indicative:conditional": { mood: "subjunctive", tense: "imperfect" },
};

/** Another tense of the same mood, so the choice is not only about mood. */
function sameMoodOther(spec: FormSpec): FormSpec {
  if (spec.mood === "subjunctive") {
    return { mood: "subjunctive", tense: spec.tense === "present" ? "imperfect" : "present" };
  }
  return { mood: "indicative", tense: spec.tense === "present" ? "preterite" : "present" };
}

/**
 * The right form (the engine's first) and up to `count - 1` wrong ones: the other mood's form, another
 * tense, another person. No wrong form is one of the accepted forms; order is right first.
 */
export function formChoices(item: RecognitionItem, count = 4): string[] {
  const right = item.accepted[0];
  if (right === undefined) return [];
  const otherPerson = PERSONS.find((p) => p !== item.person && p !== "2p") ?? "1s";
  const key = `${item.spec.mood}:${item.spec.tense}`;
  const candidates: Array<[FormSpec, Person]> = [
    [COUNTERPART[key] ?? sameMoodOther(item.spec), item.person],
    [sameMoodOther(item.spec), item.person],
    [item.spec, otherPerson],
    [
      { mood: item.spec.mood === "subjunctive" ? "indicative" : "subjunctive", tense: "present" },
      item.person,
    ],
    [{ mood: "indicative", tense: "future" }, item.person],
    // Fallbacks for items that accept many forms (quizás: llueva, llueve, lloverá) or verbs whose
    // persons coincide (llover): other tenses, then every other person.
    [{ mood: "indicative", tense: "imperfect" }, item.person],
    [{ mood: "indicative", tense: "preterite" }, item.person],
    [{ mood: "indicative", tense: "conditional" }, item.person],
    [{ mood: "subjunctive", tense: "imperfect" }, item.person],
    ...PERSONS.filter((p) => p !== item.person).map((p): [FormSpec, Person] => [item.spec, p]),
  ];
  const choices = [right];
  for (const [spec, person] of candidates) {
    if (choices.length >= count) break;
    const form = conjugateAlternatives(item.verb, spec, person)[0];
    if (form !== undefined && !item.accepted.includes(form) && !choices.includes(form)) choices.push(form);
  }
  return choices;
}
