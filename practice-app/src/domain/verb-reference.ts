// A verb's reference page: every form the engine makes, with the parts that differ from the regular
// model of the same ending marked, and the other verbs of its model. Pure: data in, data out.

import { formName, NON_FINITE_NAMES } from "./checking/labels.ts";
import {
  conjugateAlternatives,
  conjugateByModel,
  MODELS,
  nonFiniteByModel,
  nonFiniteForm,
  parseInfinitive,
  REGULAR_MODEL,
  sortedLexiconVerbs,
  verbsOfModel,
} from "./conjugation/index.ts";
import { describeVerb } from "./conjugation/verb.ts";
import { type EngineFormSpec, PERSON_PRONOUNS, PERSONS, type Person } from "./grammar.ts";

/** A written form cut into runs; `irregular` runs are where it differs from the regular model. */
export type Segment = { text: string; irregular: boolean };

export interface ReferenceForm {
  person: Person;
  pronoun: string;
  /** One per correct form (two for the -ra/-se imperfect subjunctive), each cut into segments. */
  forms: Segment[][];
  irregular: boolean;
}

export interface ReferenceTense {
  mood: EngineFormSpec["mood"];
  tense: string;
  name: string;
  rows: ReferenceForm[];
}

export interface VerbReference {
  infinitive: string;
  model: { id: string; example: string; regular: boolean };
  regularModel: string;
  nonFinite: Array<{ form: "gerund" | "participle"; name: string; segments: Segment[]; irregular: boolean }>;
  tenses: ReferenceTense[];
  sameModel: { count: number; verbs: string[] };
}

/** The order of the page: the subjunctive first (what the app teaches), then indicative, imperative. */
export const REFERENCE_FORMS: readonly EngineFormSpec[] = [
  { mood: "subjunctive", tense: "present" },
  { mood: "subjunctive", tense: "imperfect" },
  { mood: "subjunctive", tense: "present-perfect" },
  { mood: "subjunctive", tense: "pluperfect" },
  { mood: "subjunctive", tense: "future" },
  { mood: "subjunctive", tense: "future-perfect" },
  { mood: "indicative", tense: "present" },
  { mood: "indicative", tense: "preterite" },
  { mood: "indicative", tense: "imperfect" },
  { mood: "indicative", tense: "future" },
  { mood: "indicative", tense: "conditional" },
  { mood: "indicative", tense: "present-perfect" },
  { mood: "indicative", tense: "pluperfect" },
  { mood: "indicative", tense: "future-perfect" },
  { mood: "indicative", tense: "conditional-perfect" },
  { mood: "imperative", tense: "affirmative" },
  { mood: "imperative", tense: "negative" },
];

/**
 * Cuts `form` where it differs from `regular`: the common beginning and end stay plain, the middle
 * is irregular. Equal forms are one plain run.
 */
export function diffSegments(form: string, regular: string | undefined): Segment[] {
  if (regular === undefined || form === regular) return [{ text: form, irregular: false }];
  const a = [...form];
  const b = [...regular];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end])
    end += 1;
  const runs: Segment[] = [
    { text: a.slice(0, start).join(""), irregular: false },
    { text: a.slice(start, a.length - end).join(""), irregular: true },
    { text: a.slice(a.length - end).join(""), irregular: false },
  ];
  return runs.filter((run) => run.text !== "");
}

const SAME_MODEL_SHOWN = 30;

/** The reference of a lexicon verb; throws ConjugationError for anything else. */
export function verbReference(input: string): VerbReference {
  const { infinitive, theme } = parseInfinitive(input);
  const verb = describeVerb(infinitive);
  const regularId = REGULAR_MODEL[theme].id;
  const model = MODELS.get(verb.model);
  const tenses = REFERENCE_FORMS.map((spec): ReferenceTense => {
    const persons = spec.mood === "imperative" ? PERSONS.filter((p) => p !== "1s") : PERSONS;
    const rows = persons.map((person): ReferenceForm => {
      const actual = conjugateAlternatives(infinitive, spec, person);
      const regular = conjugateByModel(infinitive, regularId, spec, person);
      // regular has one form, or two (-ra, -se); an alternative RAE also accepts (yergo beside irgo)
      // is compared with the last of them.
      const forms = actual.map((form, i) => diffSegments(form, regular[Math.min(i, regular.length - 1)]));
      return {
        person,
        pronoun: PERSON_PRONOUNS[person],
        forms,
        irregular: forms.some((segments) => segments.some((s) => s.irregular)),
      };
    });
    return { mood: spec.mood, tense: spec.tense, name: formName(spec), rows };
  });
  const others = verbsOfModel(verb.model).filter((v) => v !== infinitive);
  return {
    infinitive,
    model: { id: verb.model, example: model?.example ?? "", regular: verb.model === regularId },
    regularModel: regularId,
    nonFinite: (["gerund", "participle"] as const).map((form) => {
      const segments = diffSegments(
        nonFiniteForm(infinitive, form),
        nonFiniteByModel(infinitive, regularId, form),
      );
      return { form, name: NON_FINITE_NAMES[form], segments, irregular: segments.some((s) => s.irregular) };
    }),
    tenses,
    sameModel: { count: others.length, verbs: others.slice(0, SAME_MODEL_SHOWN) },
  };
}

/** Lexicon verbs starting with `prefix` (accents ignored), alphabetically, at most `limit`. */
export function searchVerbs(prefix: string, limit: number): string[] {
  const folded = fold(prefix.trim().toLowerCase());
  if (folded === "") return [];
  const found: string[] = [];
  for (const verb of sortedLexiconVerbs()) {
    if (fold(verb).startsWith(folded)) {
      found.push(verb);
      if (found.length >= limit) break;
    }
  }
  return found;
}

function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0301\u0308]/g, "")
    .normalize("NFC");
}
