// Answer checking: is the answer right, and if not, what exactly is it?
//
// Order of diagnosis:
// 1. invisible characters (zero-width space, BOM, soft hyphen, bidi marks) are removed, and the
//    message says so; a letter from another alphabet (Cyrillic а, Greek ο) → "foreign-characters",
//    not graded, naming the character by code point;
// 2. empty or over-long → "wrong";
// 3. exactly one of the accepted forms → "correct";
// 4. equal to an accepted form once accents and diaeresis are ignored and ñ is read as n →
//    "accent" (but "wrong", with the hint "ñ, not n", when the ñ is the slip), unless the answer
//    as typed is a form of the OTHER mood (e.g. "hablé" for "hable"): then the accent changed the
//    mood → "wrong-mood";
// 5. otherwise, which form of the verb is it (exact spelling, then without accents, then ñ as n)?
//    Any tense or mood the engine produces, the imperative and the non-finite forms included.
//    Same mood and tense, other person → "wrong-person"; same mood and person, other tense →
//    "wrong-tense"; other mood → "wrong-mood"; anything else → "wrong". When a spelling is several
//    forms, the diagnosis closest to correct wins. Where an item accepts several forms (quizás:
//    llueva, llueve, lloverá), the answer is compared with each, so a mood the item accepts is never
//    called the wrong mood. Rules that apply get their own message (the
//    conditional or future after si, an infinitive where a conjugated verb is needed);
//    The vos form of exactly what the blank needs (tenés for tienes) → "vos-form", not graded;
// 6. a form of the verb with pronouns, que, no or words of the sentence around it ("tú hables") →
//    "extra-words", not graded: the learner is asked to type only the verb;
// 7. anything else → "wrong", not a form of the verb.

import type { Exercise } from "../exercises/types.ts";
import type { EngineFormSpec, InfinitiveSpec, ItemSpec } from "../grammar.ts";
import { foreignMessage, invisibleNote, scanCharacters } from "./characters.ts";
import { splitExtraWords } from "./extra-words.ts";
import { type FiniteRef, type FormRef, type NonFiniteRef, verbForms } from "./forms.ts";
import { formList, formName, NON_FINITE_NAMES, personName, tenseName } from "./labels.ts";
import { foldN, hasAccentMarks, MAX_ANSWER_LENGTH, normalizeAnswer, stripAccents } from "./normalize.ts";

/** Outcomes that grade the learner's memory of the item (the scheduler rates them). */
export type GradedOutcome = "correct" | "accent" | "wrong-mood" | "wrong-person" | "wrong-tense" | "wrong";
/** Outcomes that ask the learner to type again without counting as a review. */
export type UngradedOutcome = "extra-words" | "foreign-characters" | "vos-form";
export type Outcome = GradedOutcome | UngradedOutcome;

export interface CheckResult {
  outcome: Outcome;
  /** True only for "correct". */
  correct: boolean;
  /** False when the answer is not graded (extra words, another alphabet, the vos form): try again. */
  graded: boolean;
  expected: string;
  accepted: string[];
  /** What was wrong (or right), in English, quoting the Spanish forms. */
  message: string;
  /** The item's one-sentence trigger explanation. */
  explanation: string;
}

const UNGRADED: ReadonlySet<Outcome> = new Set<UngradedOutcome>([
  "extra-words",
  "foreign-characters",
  "vos-form",
]);

export function isGradedOutcome(outcome: Outcome): outcome is GradedOutcome {
  return !UNGRADED.has(outcome);
}

type Diagnosis = Exclude<GradedOutcome, "correct" | "accent">;

function result(exercise: Exercise, outcome: Outcome, message: string): CheckResult {
  const graded = isGradedOutcome(outcome);
  // Where two forms are right, say why, whatever was typed (but not before a retry: no answers then).
  const note = graded && exercise.also ? ` ${exercise.also.note}` : "";
  return {
    outcome,
    correct: outcome === "correct",
    graded,
    expected: exercise.expected,
    accepted: [...exercise.accepted],
    message: `${message}${note}`,
    explanation: exercise.explanation,
  };
}

function sameSpec(a: EngineFormSpec | InfinitiveSpec, b: EngineFormSpec | InfinitiveSpec): boolean {
  return a.mood === b.mood && a.tense === b.tense;
}

/** "tú", or "vos" for a vos form. */
function who(ref: FiniteRef): string {
  return ref.voseo ? "vos" : personName(ref.person);
}

function isFiniteRef(ref: FormRef): ref is FiniteRef {
  return ref.kind === "finite";
}

function isTarget(exercise: Exercise, ref: FormRef): boolean {
  return (
    isFiniteRef(ref) && !ref.voseo && sameSpec(ref.spec, exercise.spec) && ref.person === exercise.person
  );
}

/** Every form the blank accepts: the item's own, then its `also` forms (quizás: llueva, llueve, lloverá). */
function targetSpecs(exercise: Exercise): ItemSpec[] {
  return [exercise.spec, ...(exercise.also?.specs ?? [])];
}

/** "a", "a or b", "a, b or c" */
function either(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The forms the blank takes, named: "present subjunctive", "present subjunctive, future or present indicative". */
function neededForms(exercise: Exercise): string {
  return either(unique(targetSpecs(exercise).map(formName)));
}

/** The moods the blank takes: "subjunctive", or "subjunctive or indicative" where both are right. */
function neededMoods(exercise: Exercise): string {
  return either(unique(targetSpecs(exercise).map((spec) => spec.mood)));
}

/**
 * Lower is closer to correct. The imperative comes last: its forms are mostly other forms too.
 * Measured against every form the blank accepts; when one of them has the typed form's mood, the
 * mood is not the mistake, so the forms of the other mood are not compared (quizás + llovía is a
 * wrong tense, never a wrong mood, since llueve is right).
 */
function rank(exercise: Exercise, ref: FiniteRef): number {
  if (ref.spec.mood === "imperative") return 5;
  const targets = targetSpecs(exercise);
  const sameMoodTargets = targets.filter((spec) => spec.mood === ref.spec.mood);
  const compared = sameMoodTargets.length > 0 ? sameMoodTargets : targets;
  return Math.min(...compared.map((spec) => rankAgainst(spec, exercise.person, ref)));
}

function rankAgainst(target: ItemSpec, person: Exercise["person"], ref: FiniteRef): number {
  const sameMood = ref.spec.mood === target.mood;
  const sameTense = sameMood && ref.spec.tense === target.tense;
  const samePerson = ref.person === person;
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
  "wrong-mood",
];

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function triggerPhrase(exercise: Exercise): string {
  return exercise.trigger ? `after '${exercise.trigger.toLowerCase()}'` : "here";
}

/**
 * The rule broken by a conditional or a future after si: "after 'si' in an unreal condition Spanish
 * never uses the conditional". Null when the item is no si-clause or the form is not one of those.
 */
function siRule(exercise: Exercise, spec: EngineFormSpec): string | null {
  const trigger = exercise.trigger?.toLowerCase();
  if (trigger !== "si" && trigger !== "como si") return null;
  if (spec.mood !== "indicative") return null;
  const conditional = spec.tense === "conditional" || spec.tense === "conditional-perfect";
  const future = spec.tense === "future" || spec.tense === "future-perfect";
  if (!conditional && !future) return null;
  const form = conditional ? "the conditional" : "the future";
  if (trigger === "como si") return `after 'como si' Spanish never uses ${form}`;
  if (exercise.category === "hypothetical")
    return `after 'si' in an unreal condition Spanish never uses ${form}`;
  return `after 'si' in a condition Spanish never uses ${form}`;
}

const ARCHAIC_NOTE = " (The future subjunctive survives only in old legal texts and set phrases.)";

function describeFinite(
  exercise: Exercise,
  refs: readonly FiniteRef[],
): { outcome: Diagnosis; message: string } {
  const best = Math.min(...refs.map((ref) => rank(exercise, ref)));
  const outcome = OUTCOME_BY_RANK[best] ?? "wrong";
  const chosen = refs.filter((ref) => rank(exercise, ref) === best);
  const first = chosen[0] as FiniteRef;
  const form = first.form;
  const needed = formList(exercise.accepted);
  const neededPerson = personName(exercise.person);
  // Every person this spelling is in the chosen form, and every tense it is for the chosen person.
  const persons = unique(chosen.filter((ref) => sameSpec(ref.spec, first.spec)).map(who)).join(" or ");
  const specs = unique(chosen.filter((ref) => ref.person === first.person).map((ref) => formName(ref.spec)));
  const archaic =
    first.spec.mood === "subjunctive" &&
    (first.spec.tense === "future" || first.spec.tense === "future-perfect")
      ? ARCHAIC_NOTE
      : "";

  const rule = siRule(exercise, first.spec);
  if (rule) {
    const personNote = first.person === exercise.person && !first.voseo ? "" : ` for ${persons}`;
    return {
      outcome,
      message: `${form} is the ${specs.join(" or ")}${personNote}; ${rule}. Here you need the ${neededForms(exercise)}: ${needed}.`,
    };
  }

  switch (outcome) {
    case "wrong-person":
      return {
        outcome,
        message: `That is the ${persons} form (${form}); the subject here is ${neededPerson}, so the blank needs: ${needed}.`,
      };
    case "wrong-tense":
      return {
        outcome,
        message: `Right mood and person, wrong tense: ${form} is the ${specs.join(" or ")}, but here you need the ${neededForms(exercise)}: ${needed}.${archaic}`,
      };
    case "wrong-mood": {
      const givenMood = first.spec.mood;
      const tenses = unique(
        chosen.filter((ref) => ref.person === first.person).map((ref) => tenseName(ref.spec)),
      ).join(" or ");
      const personNote = first.person === exercise.person && !first.voseo ? "" : `, ${persons} form`;
      // Where both moods are right (quizás), only a third one (the imperative) gets here: name both.
      const moods = neededMoods(exercise);
      const verb = moods === "indicative" ? "uses" : moods === "subjunctive" ? "needs" : "takes";
      return {
        outcome,
        message: `That is the ${givenMood} (${form}: ${tenses}${personNote}); ${triggerPhrase(exercise)} Spanish ${verb} the ${moods}: ${needed}.${archaic}`,
      };
    }
    default:
      return {
        outcome: "wrong",
        message: `That is the ${specs.join(" or ")} for ${persons} (${form}); here you need the ${neededForms(exercise)} for ${neededPerson}: ${needed}.${archaic}`,
      };
  }
}

function isCompound(exercise: Exercise): boolean {
  return exercise.spec.tense === "present-perfect" || exercise.spec.tense === "pluperfect";
}

function describeNonFinite(exercise: Exercise, ref: NonFiniteRef): { outcome: Diagnosis; message: string } {
  const needed = formList(exercise.accepted);
  const name = NON_FINITE_NAMES[ref.which];
  if (ref.which === "participle" && isCompound(exercise)) {
    return {
      outcome: "wrong",
      message: `${ref.form} is the past participle alone; the blank needs the ${neededForms(exercise)}, with its auxiliary: ${needed}.`,
    };
  }
  const what = ref.which === "infinitive" ? "the infinitive (the dictionary form)" : `the ${name}`;
  if (exercise.spec.mood === "infinitive") {
    return {
      outcome: "wrong",
      message: `${ref.form} is ${what}; the blank needs the infinitive: ${needed}.`,
    };
  }
  return {
    outcome: "wrong",
    message: `${ref.form} is ${what}; the blank needs a conjugated verb, the ${neededForms(exercise)} for ${personName(exercise.person)}: ${needed}.`,
  };
}

function describe(exercise: Exercise, refs: readonly FormRef[]): { outcome: Diagnosis; message: string } {
  const finite = refs.filter(isFiniteRef);
  if (finite.length > 0) return describeFinite(exercise, finite);
  return describeNonFinite(exercise, refs[0] as NonFiniteRef);
}

/** "ñ, not n" when the answer has an n where the form has ñ (or the reverse). */
function nTildeSlip(given: string, target: string): string | null {
  const a = stripAccents(given);
  const b = stripAccents(normalizeAnswer(target));
  if (a === b || foldN(a) !== foldN(b)) return null;
  const count = (text: string) => [...text].filter((c) => c === "ñ").length;
  return count(b) > count(a) ? "ñ, not n" : "n, not ñ";
}

function accentMessage(given: string, target: string, otherForms: readonly FormRef[]): string {
  const slip = nTildeSlip(given, target);
  let message: string;
  if (slip) {
    const accentsToo = foldN(given) !== foldN(normalizeAnswer(target));
    message = `Close, but ñ is a letter of its own: ${slip}${accentsToo ? ", and mind the accent" : ""} — ${target}.`;
  } else if (!hasAccentMarks(given)) message = `Almost: the accent is missing — ${target}.`;
  else if (!hasAccentMarks(target)) message = `Almost: no accent is needed — ${target}.`;
  else message = `Almost: check the accent — ${target}.`;
  const other = otherForms.find(isFiniteRef);
  if (other) {
    message += ` As written, ${other.form} is a different form: the ${formName(other.spec)} for ${who(other)}.`;
  }
  return message;
}

/** What else was off in a form found by a looser key: the accents, the ñ, or both. */
function spellingNote(given: string, ref: FormRef): string {
  const form = normalizeAnswer(ref.form);
  const slip = nTildeSlip(given, form);
  const accents = foldN(given) !== foldN(form);
  if (slip && accents) return ` Watch the accents too, and ${slip}.`;
  if (slip) return ` Mind the spelling too: ${slip}.`;
  return accents ? " Watch the accents too." : "";
}

/** The vos form of exactly what the blank needs (tenés for tienes): right Spanish, wrong pronoun. */
function vosForTarget(exercise: Exercise, refs: readonly FormRef[]): FiniteRef | undefined {
  return refs.find(
    (ref): ref is FiniteRef =>
      isFiniteRef(ref) &&
      ref.voseo === true &&
      sameSpec(ref.spec, exercise.spec) &&
      ref.person === exercise.person,
  );
}

function vosMessage(ref: FiniteRef): string {
  return `${ref.form} is the vos form, right where vos is used; this item asks for the tú form. Try again.`;
}

function lookup(exercise: Exercise, given: string): FormRef[] {
  const table = verbForms(exercise.verb);
  const notTarget = (refs: readonly FormRef[] | undefined) =>
    (refs ?? []).filter((ref) => !isTarget(exercise, ref));
  const exact = notTarget(table.exact.get(given));
  if (exact.length > 0) return exact;
  const stripped = notTarget(table.stripped.get(stripAccents(given)));
  if (stripped.length > 0) return stripped;
  return notTarget(table.loose.get(foldN(stripAccents(given))));
}

function isAnyForm(exercise: Exercise, text: string): boolean {
  const loose = foldN(stripAccents(text));
  return (
    exercise.accepted.some((form) => foldN(stripAccents(normalizeAnswer(form))) === loose) ||
    (verbForms(exercise.verb).loose.get(loose)?.length ?? 0) > 0
  );
}

export function checkAnswer(exercise: Exercise, answer: string): CheckResult {
  const scan = scanCharacters(answer.normalize("NFC"));
  const note = scan.invisible.length > 0 ? ` ${invisibleNote(scan.invisible)}` : "";
  const withNote = (outcome: Outcome, message: string) => result(exercise, outcome, `${message}${note}`);
  if (scan.foreign.length > 0) return withNote("foreign-characters", foreignMessage(scan.foreign));

  const collapsed = scan.text.trim().replace(/\s+/g, " ");
  if (collapsed.length > MAX_ANSWER_LENGTH) {
    return withNote(
      "wrong",
      `That answer is too long (over ${MAX_ANSWER_LENGTH} characters). Type only the verb form: ${formList(exercise.accepted)}.`,
    );
  }
  const given = normalizeAnswer(scan.text);
  if (given === "") {
    return withNote("wrong", `No answer: type the form of ${exercise.verb} that fills the blank.`);
  }

  const accepted = exercise.accepted.map(normalizeAnswer);
  const exactIndex = accepted.indexOf(given);
  if (exactIndex >= 0) {
    const others = exercise.accepted.filter((_, i) => i !== exactIndex);
    const also = others.length > 0 ? ` (${others.join(", ")} would also be right.)` : "";
    return withNote("correct", `Correct!${also}`);
  }

  const table = verbForms(exercise.verb);
  const looseGiven = foldN(stripAccents(given));
  const exactRefs = (table.exact.get(given) ?? []).filter((ref) => !isTarget(exercise, ref));

  const vos = vosForTarget(exercise, exactRefs);
  if (vos) return withNote("vos-form", vosMessage(vos));

  const accentIndex = accepted.findIndex((form) => foldN(stripAccents(form)) === looseGiven);
  if (accentIndex >= 0) {
    const target = exercise.accepted[accentIndex] as string;
    // Only the indicative and subjunctive: hablá (vos imperative) for habla is an accent slip.
    const otherMood = exactRefs.filter(
      (ref) =>
        isFiniteRef(ref) &&
        ref.spec.mood !== exercise.spec.mood &&
        ref.spec.mood !== "imperative" &&
        !ref.voseo,
    );
    if (otherMood.length > 0) {
      const { outcome, message } = describe(exercise, otherMood);
      return withNote(outcome, `${message} Mind the accent: it changes the form.`);
    }
    // ñ is a letter of its own (año, ano): a missing tilde is a spelling mistake, graded as wrong,
    // but the message says exactly what it is.
    const slip = nTildeSlip(given, target);
    return withNote(slip ? "wrong" : "accent", accentMessage(given, target, exactRefs));
  }

  const refs = lookup(exercise, given);
  const vosLoose = vosForTarget(exercise, refs);
  if (vosLoose) return withNote("vos-form", `${vosMessage(vosLoose)}${spellingNote(given, vosLoose)}`);
  if (refs.length > 0) {
    const { outcome, message } = describe(exercise, refs);
    return withNote(outcome, `${message}${spellingNote(given, refs[0] as FormRef)}`);
  }

  const extra = splitExtraWords(given, exercise.sentence);
  if (extra && isAnyForm(exercise, extra.rest)) {
    return withNote("extra-words", `Type only the verb, without "${extra.words.join(" ")}", and try again.`);
  }

  return withNote(
    "wrong",
    `"${given}" is not a form of ${exercise.verb}. The blank needs the ${neededForms(exercise)} for ${personName(exercise.person)}: ${formList(exercise.accepted)}.`,
  );
}
