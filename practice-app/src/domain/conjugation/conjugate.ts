// The public entry points: one form, every correct form, the participle.

import { type FormSpec, PERSONS, type Person } from "../grammar.ts";
import { ConjugationError } from "./errors.ts";
import type { SixForms } from "./irregular-verbs.ts";
import {
  conditional,
  future,
  imperfectIndicative,
  imperfectSubjunctive,
  participle,
  presentIndicative,
  presentSubjunctive,
  preterite,
} from "./simple-tenses.ts";
import { describeVerb, type Verb } from "./verb.ts";

export type ImperfectEnding = "ra" | "se";

export interface ConjugateOptions {
  /** Which of the two equally correct imperfect-subjunctive endings to use; default "ra". */
  imperfectEnding?: ImperfectEnding;
}

function personIndex(person: Person): number {
  const index = PERSONS.indexOf(person);
  if (index < 0) {
    throw new ConjugationError(
      `Unknown person ${JSON.stringify(person)}: expected one of ${PERSONS.join(", ")}.`,
    );
  }
  return index;
}

function pick(forms: SixForms, person: Person): string {
  return forms[personIndex(person)] as string;
}

function haber(spec: FormSpec, ending: ImperfectEnding): SixForms {
  const verb = describeVerb("haber");
  if (spec.mood === "indicative") return presentIndicative(verb);
  return spec.tense === "pluperfect" ? imperfectSubjunctive(verb, ending) : presentSubjunctive(verb);
}

function compound(verb: Verb, spec: FormSpec, person: Person, ending: ImperfectEnding): string {
  return `${pick(haber(spec, ending), person)} ${participle(verb)}`;
}

function badSpec(spec: unknown): never {
  throw new ConjugationError(
    `Unsupported form ${JSON.stringify(spec)}: expected a subjunctive tense (present, imperfect, present-perfect, pluperfect) or an indicative tense (present, preterite, imperfect, future, conditional, present-perfect).`,
  );
}

function form(verb: Verb, spec: FormSpec, person: Person, ending: ImperfectEnding): string {
  if (spec.mood === "subjunctive") {
    switch (spec.tense) {
      case "present":
        return pick(presentSubjunctive(verb), person);
      case "imperfect":
        return pick(imperfectSubjunctive(verb, ending), person);
      case "present-perfect":
      case "pluperfect":
        return compound(verb, spec, person, ending);
      default:
        return badSpec(spec);
    }
  }
  if (spec.mood === "indicative") {
    switch (spec.tense) {
      case "present":
        return pick(presentIndicative(verb), person);
      case "preterite":
        return pick(preterite(verb), person);
      case "imperfect":
        return pick(imperfectIndicative(verb), person);
      case "future":
        return pick(future(verb), person);
      case "conditional":
        return pick(conditional(verb), person);
      case "present-perfect":
        return compound(verb, spec, person, ending);
      default:
        return badSpec(spec);
    }
  }
  return badSpec(spec);
}

/**
 * One written form, without the subject pronoun: conjugate("tener", { mood: "subjunctive",
 * tense: "present" }, "1s") === "tenga". Throws ConjugationError for input it cannot conjugate.
 */
export function conjugate(
  infinitive: string,
  spec: FormSpec,
  person: Person,
  options?: { imperfectEnding?: ImperfectEnding },
): string {
  const ending = options?.imperfectEnding ?? "ra";
  if (ending !== "ra" && ending !== "se") {
    throw new ConjugationError(`Unknown imperfectEnding ${JSON.stringify(ending)}: expected "ra" or "se".`);
  }
  return form(describeVerb(infinitive), spec, person, ending);
}

/**
 * Every correct written form. Two where Spanish has two equally correct endings (imperfect
 * subjunctive -ra/-se, and the pluperfect subjunctive built on it), -ra first; otherwise one.
 */
export function conjugateAlternatives(infinitive: string, spec: FormSpec, person: Person): string[] {
  const verb = describeVerb(infinitive);
  const ra = form(verb, spec, person, "ra");
  if (spec.mood === "subjunctive" && (spec.tense === "imperfect" || spec.tense === "pluperfect")) {
    return [ra, form(verb, spec, person, "se")];
  }
  return [ra];
}

/** The past participle, as used in the compound tenses: hablado, hecho, leído. */
export function pastParticiple(infinitive: string): string {
  return participle(describeVerb(infinitive));
}
