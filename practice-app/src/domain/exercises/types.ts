// The shapes of the exercise bank: trigger categories, hand-written seeds, and the built exercises.

import type { FormSpec, Mood, Person } from "../grammar.ts";

/**
 * Why the blank takes the mood it takes. The first ten need the subjunctive; the last five are
 * contrast items where the indicative is right, so learners also practise when NOT to use it.
 */
export const TRIGGER_CATEGORIES = [
  "wish",
  "emotion",
  "impersonal",
  "request",
  "doubt-denial",
  "ojala",
  "conjunction",
  "pending-time",
  "unknown-antecedent",
  "hypothetical",
  "certainty",
  "belief",
  "known-antecedent",
  "habitual-cuando",
  "real-condition",
] as const;
export type TriggerCategory = (typeof TRIGGER_CATEGORIES)[number];

export interface CategoryInfo {
  /** Short human label for menus and progress screens. */
  label: string;
  /** The rule in one sentence, for the learner. */
  rule: string;
  /** The mood every item of the category needs in its blank. */
  mood: Mood;
  /** How an item's explanation starts; "{t}" is replaced by the item's trigger. */
  reason: string;
}

export interface ExerciseSeed {
  id: string;
  category: TriggerCategory;
  difficulty: 1 | 2 | 3;
  /** Spanish, with exactly one "___" for the blank, e.g. "Quiero que tú ___ más despacio." */
  sentence: string;
  /** The infinitive shown to the learner (never reflexive: the pronoun stays in the sentence). */
  verb: string;
  person: Person;
  /** The form the blank needs. */
  spec: FormSpec;
  /** English translation of the whole sentence. */
  translation: string;
  /**
   * The words of the sentence that decide the mood, e.g. "quiero que", "si", "alguien que".
   * Every seed of the bank has one; it must occur in the sentence. Quoted in explanations and messages.
   */
  trigger?: string;
  /** Overrides the default tense part of the explanation when the usual reason does not apply. */
  tenseNote?: string;
}

export interface Exercise extends ExerciseSeed {
  /** The engine's form (-ra for the imperfect subjunctive). */
  expected: string;
  /** Every correct form (both -ra and -se where they exist); contains `expected`. */
  accepted: string[];
  /** One sentence: why this mood and tense here. */
  explanation: string;
}
