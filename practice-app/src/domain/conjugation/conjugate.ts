// The public entry points: one form, every correct form, the non-finite forms.

import { type EngineFormSpec, type NonFiniteForm, PERSONS, type Person } from "../grammar.ts";
import { ConjugationError } from "./errors.ts";
import { parseInfinitive } from "./infinitive.ts";
import type { SixForms } from "./irregular-verbs.ts";
import { isInLexicon } from "./lexicon.ts";
import { STRESS, stripAccents, writeAccents } from "./orthography.ts";
import {
  conditional,
  future,
  futureSubjunctive,
  gerund,
  imperfectIndicative,
  imperfectSubjunctive,
  participle,
  presentIndicative,
  presentSubjunctive,
  preterite,
} from "./simple-tenses.ts";
import { type DescribeOptions, describeVerb, type Verb } from "./verb.ts";

export type ImperfectEnding = "ra" | "se";

export interface ConjugateOptions {
  /** Which of the two equally correct imperfect-subjunctive endings to use; default "ra". */
  imperfectEnding?: ImperfectEnding;
  /**
   * The vos forms for the second person singular (Río de la Plata, Central America): vos hablás,
   * hablá. Only the present indicative and the affirmative imperative differ from tú; the tú forms
   * of the subjunctive, also correct with vos, are the ones produced.
   */
  voseo?: boolean;
  /** Conjugate a verb that is not in the lexicon by the regular model (see conjugateVerb's `guessed`). */
  guess?: boolean;
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

// A verb's tenses are computed once and kept with the (cached) Verb: checking a learner's answer and
// the lexicon cross-check ask for every person of every tense.
const tables = new WeakMap<Verb, Map<string, SixForms>>();

function memo(verb: Verb, key: string, build: () => SixForms): SixForms {
  let table = tables.get(verb);
  if (!table) {
    table = new Map();
    tables.set(verb, table);
  }
  let forms = table.get(key);
  if (!forms) {
    forms = build();
    table.set(key, forms);
  }
  return forms;
}

const presentIndicativeOf = (v: Verb) => memo(v, "pi", () => presentIndicative(v));
const presentSubjunctiveOf = (v: Verb) => memo(v, "ps", () => presentSubjunctive(v));
const imperfectSubjunctiveOf = (v: Verb, e: ImperfectEnding) =>
  memo(v, `is${e}`, () => imperfectSubjunctive(v, e));
const futureSubjunctiveOf = (v: Verb) => memo(v, "fs", () => futureSubjunctive(v));
const preteriteOf = (v: Verb) => memo(v, "pr", () => preterite(v));
const imperfectIndicativeOf = (v: Verb) => memo(v, "ii", () => imperfectIndicative(v));
const futureOf = (v: Verb) => memo(v, "fu", () => future(v));
const conditionalOf = (v: Verb) => memo(v, "co", () => conditional(v));

function pick(forms: SixForms, person: Person): string {
  return forms[personIndex(person)] as string;
}

function haberForms(spec: EngineFormSpec, ending: ImperfectEnding): SixForms {
  const haber = describeVerb("haber");
  if (spec.mood === "subjunctive") {
    if (spec.tense === "present-perfect") return presentSubjunctiveOf(haber);
    if (spec.tense === "future-perfect") return futureSubjunctiveOf(haber);
    return imperfectSubjunctiveOf(haber, ending);
  }
  switch (spec.tense) {
    case "pluperfect":
      return imperfectIndicativeOf(haber);
    case "future-perfect":
      return futureOf(haber);
    case "conditional-perfect":
      return conditionalOf(haber);
    default:
      return presentIndicativeOf(haber);
  }
}

function compound(verb: Verb, spec: EngineFormSpec, person: Person, ending: ImperfectEnding): string {
  return `${pick(haberForms(spec, ending), person)} ${participle(verb)}`;
}

function badSpec(spec: unknown): never {
  throw new ConjugationError(
    `Unsupported form ${JSON.stringify(spec)}: expected a subjunctive tense (present, imperfect, present-perfect, pluperfect, future, future-perfect), an indicative tense (present, preterite, imperfect, future, conditional, present-perfect, pluperfect, future-perfect, conditional-perfect) or the imperative (affirmative, negative).`,
  );
}

/** vos: the vosotros form without its i (habláis → hablás, sois → sos is the one exception). */
function vosPresent(verb: Verb): string {
  if (verb.model === "ser") return "sos";
  if (verb.model === "haber") return "has";
  return pick(presentIndicativeOf(verb), "2p").replace(/([aáeé])is$/, "$1s");
}

/** Affirmative imperative vosotros: the infinitive with d for r (hablad, id, oíd). */
function vosotrosImperative(verb: Verb): string {
  const special = verb.irregular.stem;
  const base = special === undefined ? verb.infinitive : `${special}${verb.theme}`;
  return `${base.slice(0, -1)}d`;
}

/** Affirmative imperative vos: the vosotros form without d, stressed on its last vowel (hablá, viví). */
function vosImperative(verb: Verb): string {
  // ir has no imperative of its own for vos; andá (of andar) is what is said (RAE, NGLE 4.7).
  if (verb.model === "ir") return "andá";
  const plain = stripAccents(vosotrosImperative(verb).slice(0, -1));
  const last = Math.max(...["a", "e", "i"].map((v) => plain.lastIndexOf(v)));
  return writeAccents(`${plain.slice(0, last)}${STRESS}${plain.slice(last)}`);
}

function imperative(verb: Verb, tense: "affirmative" | "negative", person: Person, voseo: boolean): string {
  if (person === "1s") {
    throw new ConjugationError(
      "The imperative has no yo form: it gives orders to tú, usted, nosotros, vosotros and ustedes.",
    );
  }
  if (tense === "negative") return `no ${pick(presentSubjunctiveOf(verb), person)}`;
  if (person === "2s") {
    if (voseo) return vosImperative(verb);
    const special = verb.irregular.imperative;
    return special === undefined ? pick(presentIndicativeOf(verb), "3s") : writeAccents(special);
  }
  if (person === "2p") return vosotrosImperative(verb);
  return pick(presentSubjunctiveOf(verb), person);
}

function form(
  verb: Verb,
  spec: EngineFormSpec,
  person: Person,
  ending: ImperfectEnding,
  voseo: boolean,
): string {
  personIndex(person);
  if (spec.mood === "imperative") {
    if (spec.tense !== "affirmative" && spec.tense !== "negative") return badSpec(spec);
    return imperative(verb, spec.tense, person, voseo);
  }
  if (spec.mood === "subjunctive") {
    switch (spec.tense) {
      case "present":
        return pick(presentSubjunctiveOf(verb), person);
      case "imperfect":
        return pick(imperfectSubjunctiveOf(verb, ending), person);
      case "future":
        return pick(futureSubjunctiveOf(verb), person);
      case "present-perfect":
      case "pluperfect":
      case "future-perfect":
        return compound(verb, spec, person, ending);
      default:
        return badSpec(spec);
    }
  }
  if (spec.mood === "indicative") {
    switch (spec.tense) {
      case "present":
        return voseo && person === "2s" ? vosPresent(verb) : pick(presentIndicativeOf(verb), person);
      case "preterite":
        return pick(preteriteOf(verb), person);
      case "imperfect":
        return pick(imperfectIndicativeOf(verb), person);
      case "future":
        return pick(futureOf(verb), person);
      case "conditional":
        return pick(conditionalOf(verb), person);
      case "present-perfect":
      case "pluperfect":
      case "future-perfect":
      case "conditional-perfect":
        return compound(verb, spec, person, ending);
      default:
        return badSpec(spec);
    }
  }
  return badSpec(spec);
}

function checkEnding(ending: unknown): ImperfectEnding {
  if (ending !== "ra" && ending !== "se") {
    throw new ConjugationError(`Unknown imperfectEnding ${JSON.stringify(ending)}: expected "ra" or "se".`);
  }
  return ending;
}

function describeOptions(options?: ConjugateOptions): DescribeOptions {
  return options?.guess ? { guess: true } : {};
}

/**
 * One written form, without the subject pronoun: conjugate("tener", { mood: "subjunctive",
 * tense: "present" }, "1s") === "tenga". Throws ConjugationError for input it cannot conjugate,
 * including a verb that is not in the lexicon (unless `guess` is set).
 */
export function conjugate(
  infinitive: string,
  spec: EngineFormSpec,
  person: Person,
  options?: ConjugateOptions,
): string {
  const ending = checkEnding(options?.imperfectEnding ?? "ra");
  return form(describeVerb(infinitive, describeOptions(options)), spec, person, ending, !!options?.voseo);
}

export interface ConjugatedVerb {
  /** Every correct form, as conjugateAlternatives gives them. */
  readonly forms: string[];
  /** The RAE model the verb was conjugated by. */
  readonly model: string;
  /** True when the verb is not in the lexicon and was conjugated as regular because `guess` was set. */
  readonly guessed: boolean;
}

/** Like conjugateAlternatives, saying which model was used and whether it was a guess. */
export function conjugateVerb(
  infinitive: string,
  spec: EngineFormSpec,
  person: Person,
  options?: ConjugateOptions,
): ConjugatedVerb {
  const verb = describeVerb(infinitive, describeOptions(options));
  return {
    forms: alternatives(verb, spec, person, !!options?.voseo),
    model: verb.model,
    guessed: verb.guessed,
  };
}

/** A second future or conditional on the stem RAE also accepts (prediré, prediría). */
const alternateFutureOf = (v: Verb, stem: string, tense: "future" | "conditional") =>
  memo(v, `alt-${tense}`, () => {
    const other: Verb = { ...v, irregular: { ...v.irregular, futureStem: stem } };
    return tense === "future" ? future(other) : conditional(other);
  });

/** The forms RAE accepts beside the produced one (irregular-verbs.ts, `alternate…`), or none. */
function alternateForms(verb: Verb, spec: EngineFormSpec, person: Person, voseo: boolean): string[] {
  const { irregular } = verb;
  if (spec.mood === "indicative" && spec.tense === "present" && !(voseo && person === "2s")) {
    return (irregular.alternatePresent?.[person] ?? []).map(writeAccents);
  }
  if (spec.mood === "subjunctive" && spec.tense === "present") {
    return (irregular.alternatePresentSubjunctive?.[person] ?? []).map(writeAccents);
  }
  const stem = irregular.alternateFutureStem;
  if (stem !== undefined && spec.mood === "indicative") {
    if (spec.tense === "future" || spec.tense === "conditional") {
      return [pick(alternateFutureOf(verb, stem, spec.tense), person)];
    }
  }
  return [];
}

function alternatives(verb: Verb, spec: EngineFormSpec, person: Person, voseo: boolean): string[] {
  const forms = [form(verb, spec, person, "ra", voseo)];
  if (spec.mood === "subjunctive" && (spec.tense === "imperfect" || spec.tense === "pluperfect")) {
    forms.push(form(verb, spec, person, "se", voseo));
  }
  for (const other of alternateForms(verb, spec, person, voseo)) {
    if (!forms.includes(other)) forms.push(other);
  }
  return forms;
}

/**
 * Every correct written form, the one conjugate() gives first. Two where Spanish has two equally
 * correct endings (imperfect subjunctive -ra/-se, and the pluperfect subjunctive built on it), and
 * more where RAE accepts another form of a few verbs (irgo or yergo, yazco, yazgo or yago,
 * predeciré or prediré); otherwise one.
 */
export function conjugateAlternatives(
  infinitive: string,
  spec: EngineFormSpec,
  person: Person,
  options?: ConjugateOptions,
): string[] {
  return conjugateVerb(infinitive, spec, person, options).forms;
}

/** The past participle, as used in the compound tenses: hablado, hecho, leído. */
export function pastParticiple(infinitive: string, options?: ConjugateOptions): string {
  return participle(describeVerb(infinitive, describeOptions(options)));
}

/** The forms without person: infinitive (as written in the lexicon), gerund, past participle. */
export function nonFiniteForm(infinitive: string, which: NonFiniteForm, options?: ConjugateOptions): string {
  const verb = describeVerb(infinitive, describeOptions(options));
  switch (which) {
    case "infinitive":
      return verb.infinitive;
    case "gerund":
      return gerund(verb);
    case "participle":
      return participle(verb);
    default:
      throw new ConjugationError(
        `Unknown non-finite form ${JSON.stringify(which)}: expected infinitive, gerund or participle.`,
      );
  }
}

/** For the lexicon generator and the cross-check: conjugate by a given model, lexicon or not. */
export function conjugateByModel(
  infinitive: string,
  modelId: string,
  spec: EngineFormSpec,
  person: Person,
): string[] {
  return alternatives(describeVerb(infinitive, { modelId }), spec, person, false);
}

export function nonFiniteByModel(infinitive: string, modelId: string, which: NonFiniteForm): string {
  const verb = describeVerb(infinitive, { modelId });
  return which === "gerund" ? gerund(verb) : which === "participle" ? participle(verb) : verb.infinitive;
}

/** Whether the engine conjugates this input without guessing: a well-formed infinitive of the lexicon. */
export function isSupportedInfinitive(input: string): boolean {
  try {
    return isInLexicon(parseInfinitive(input).infinitive);
  } catch (error) {
    if (error instanceof ConjugationError) return false;
    throw error;
  }
}
