// Builds the exercise bank: the hand-written seeds plus the forms the conjugation engine produces,
// validated so that a bad item fails loudly (naming the item) instead of teaching a mistake.

import { createHash } from "node:crypto";
import { conjugate, conjugateAlternatives, nonFiniteForm } from "../conjugation/index.ts";
import { ALL_FORM_SPECS, type ItemSpec, PERSONS, type Person } from "../grammar.ts";
import { CATEGORY_INFO, explain } from "./categories.ts";
import { ALL_SEEDS } from "./seeds/index.ts";
import { type Exercise, type ExerciseSeed, TRIGGER_CATEGORIES } from "./types.ts";

export const BLANK = "___";

const ID_PATTERN = /^[a-z]+-\d{3}$/;
/** A simple (non-reflexive) infinitive: "hablar", "oír", never "levantarse". */
const INFINITIVE_PATTERN = /^[a-záéíóúüñ]*(ar|er|ir|ír)$/;

function sameSpec(a: ItemSpec, b: ItemSpec): boolean {
  return a.mood === b.mood && a.tense === b.tense;
}

function isKnownSpec(spec: ItemSpec): boolean {
  return spec.mood === "infinitive"
    ? spec.tense === "infinitive"
    : ALL_FORM_SPECS.some((s) => sameSpec(s, spec));
}

/** Every correct spelling of the form the blank needs, from the engine (the infinitive has one). */
function formsFor(verb: string, spec: ItemSpec, person: Person): { expected: string; all: string[] } {
  if (spec.mood === "infinitive") {
    const infinitive = nonFiniteForm(verb, "infinitive");
    return { expected: infinitive, all: [infinitive] };
  }
  return { expected: conjugate(verb, spec, person), all: [...conjugateAlternatives(verb, spec, person)] };
}

/** Everything wrong with one seed that can be seen without the engine. */
export function seedProblems(seed: ExerciseSeed): string[] {
  const problems: string[] = [];
  if (!ID_PATTERN.test(seed.id)) problems.push(`id must look like "wish-001"`);
  if (!(TRIGGER_CATEGORIES as readonly string[]).includes(seed.category)) {
    problems.push(`unknown category "${seed.category}"`);
  }
  if (![1, 2, 3].includes(seed.difficulty)) problems.push("difficulty must be 1, 2 or 3");
  const blanks = seed.sentence.split(BLANK).length - 1;
  if (blanks !== 1) problems.push(`sentence must contain exactly one "${BLANK}" (found ${blanks})`);
  if (/_{4,}/.test(seed.sentence) || seed.sentence.replace(BLANK, "").includes("_")) {
    problems.push("sentence has stray underscores");
  }
  if (seed.sentence !== seed.sentence.trim() || /\s{2,}/.test(seed.sentence)) {
    problems.push("sentence has extra whitespace");
  }
  if (!/[.!?…]$/.test(seed.sentence)) problems.push("sentence must end with punctuation");
  if (!INFINITIVE_PATTERN.test(seed.verb)) {
    problems.push(`verb "${seed.verb}" must be a simple lower-case infinitive (no reflexive -se)`);
  }
  if (!(PERSONS as readonly string[]).includes(seed.person)) problems.push(`unknown person "${seed.person}"`);
  if (!isKnownSpec(seed.spec)) problems.push(`unknown form ${seed.spec.mood} ${seed.spec.tense}`);
  if (seed.also) {
    const { specs } = seed.also;
    if (specs.length === 0) problems.push("also lists no form: leave it out instead");
    specs.forEach((spec, i) => {
      if (!isKnownSpec(spec)) problems.push(`unknown also-form ${spec.mood} ${spec.tense}`);
      else if (sameSpec(spec, seed.spec)) problems.push("also repeats the expected form");
      else if (specs.slice(0, i).some((earlier) => sameSpec(earlier, spec))) {
        problems.push(`also lists ${spec.mood} ${spec.tense} twice`);
      }
    });
    if (seed.also.note.trim() === "" || !/\.$/.test(seed.also.note)) {
      problems.push("also needs a note, one sentence ending with a full stop");
    }
  }
  if (seed.reason !== undefined && !seed.reason.includes("{t}"))
    problems.push(`reason must quote the trigger ("{t}")`);
  if (seed.partner !== undefined && seed.partner === seed.id)
    problems.push("an item cannot be its own partner");
  const info = CATEGORY_INFO[seed.category];
  if (info && seed.spec.mood !== info.mood) {
    problems.push(`category "${seed.category}" needs the ${info.mood}, but the spec is ${seed.spec.mood}`);
  }
  if (seed.translation.trim() === "" || seed.translation.includes(BLANK)) {
    problems.push("translation must be a full English sentence");
  }
  if (!seed.trigger || seed.trigger.trim() === "") {
    problems.push("trigger is missing");
  } else if (!seed.sentence.toLowerCase().includes(seed.trigger.toLowerCase())) {
    problems.push(`trigger "${seed.trigger}" does not occur in the sentence`);
  }
  if (seed.tenseNote !== undefined && seed.tenseNote.trim() === "") problems.push("tenseNote is empty");
  return problems;
}

function buildOne(seed: ExerciseSeed): Exercise {
  const { expected, all } = formsFor(seed.verb, seed.spec, seed.person);
  const accepted = [...all];
  if (accepted.length === 0 || accepted.some((form) => form.trim() === "")) {
    throw new Error(`the engine gave no accepted forms`);
  }
  if (!accepted.includes(expected)) {
    throw new Error(`expected form "${expected}" is not among the accepted forms (${accepted.join(", ")})`);
  }
  const explanation = explain(
    seed.category,
    seed.trigger ?? "the trigger",
    seed.spec,
    seed.tenseNote,
    seed.reason,
  );
  const exercise: Exercise = { ...seed, spec: { ...seed.spec }, expected, accepted, explanation };
  if (seed.also) {
    const alsoForms: string[] = [];
    for (const spec of seed.also.specs) {
      // The engine writes every also-form too, so a seed cannot teach a misspelt alternative.
      const forms = formsFor(seed.verb, spec, seed.person).all;
      const clash = forms.filter((form) => accepted.includes(form) || alsoForms.includes(form));
      if (clash.length > 0) throw new Error(`the also-form ${clash.join(", ")} is already accepted`);
      alsoForms.push(...forms);
    }
    exercise.accepted = [...accepted, ...alsoForms];
    exercise.alsoForms = alsoForms;
    exercise.also = { specs: seed.also.specs.map((spec) => ({ ...spec })), note: seed.also.note };
  }
  return exercise;
}

/**
 * Contrast pairs: a partner exists, points back, and needs the other mood; an item of a paired
 * category (CategoryInfo.pairedWith) must have a partner in that category.
 */
export function partnerProblems(seeds: readonly ExerciseSeed[]): string[] {
  const byId = new Map(seeds.map((seed) => [seed.id, seed]));
  const problems: string[] = [];
  for (const seed of seeds) {
    const label = `exercise "${seed.id}"`;
    const pairedWith = CATEGORY_INFO[seed.category]?.pairedWith;
    if (seed.partner === undefined) {
      if (pairedWith) problems.push(`${label}: category "${seed.category}" needs a contrast partner`);
      continue;
    }
    const partner = byId.get(seed.partner);
    if (!partner) {
      problems.push(`${label}: partner "${seed.partner}" is not in the bank`);
      continue;
    }
    if (partner.partner !== seed.id) problems.push(`${label}: partner "${partner.id}" does not point back`);
    if (partner.spec.mood === seed.spec.mood) {
      problems.push(`${label}: partner "${partner.id}" needs the same mood (${seed.spec.mood})`);
    }
    if (pairedWith && partner.category !== pairedWith) {
      problems.push(`${label}: partner "${partner.id}" must be in category "${pairedWith}"`);
    }
  }
  return problems;
}

/**
 * Validates seeds and computes their expected and accepted forms with the engine. Throws one error
 * listing every bad item by id.
 */
export function buildExercises(seeds: readonly ExerciseSeed[]): readonly Exercise[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  const exercises: Exercise[] = [];
  for (const seed of seeds) {
    const label = `exercise "${seed.id}"`;
    if (seen.has(seed.id)) errors.push(`${label}: duplicate id`);
    seen.add(seed.id);
    const problems = seedProblems(seed);
    if (problems.length > 0) {
      errors.push(...problems.map((problem) => `${label}: ${problem}`));
      continue;
    }
    try {
      exercises.push(Object.freeze(buildOne(seed)));
    } catch (error) {
      errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  errors.push(...partnerProblems(seeds));
  if (errors.length > 0) {
    throw new Error(`Invalid exercise bank (${errors.length} problem(s)):\n${errors.join("\n")}`);
  }
  return Object.freeze(exercises);
}

let bank: readonly Exercise[] | undefined;

/** The whole bank, built once and memoised. Throws (naming the item) if any seed is invalid. */
export function buildExerciseBank(): readonly Exercise[] {
  bank ??= buildExercises(ALL_SEEDS);
  return bank;
}

/** Look up one exercise of the bank by id. */
export function findExercise(id: string): Exercise | undefined {
  return exerciseIndex().get(id);
}

let index: Map<string, Exercise> | undefined;
function exerciseIndex(): Map<string, Exercise> {
  index ??= new Map(buildExerciseBank().map((exercise) => [exercise.id, exercise]));
  return index;
}

/**
 * A content hash of seeds and the category texts (labels, rules, explanation templates), so caches
 * can be invalidated when the bank changes. Computed without the engine.
 */
export function seedsVersion(seeds: readonly ExerciseSeed[]): string {
  return createHash("sha256")
    .update(JSON.stringify({ seeds, categories: CATEGORY_INFO }))
    .digest("hex")
    .slice(0, 16);
}

/** The version of the bank's content; importing this module never conjugates anything. */
export const EXERCISE_BANK_VERSION: string = seedsVersion(ALL_SEEDS);
