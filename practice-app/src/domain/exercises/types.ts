// The shapes of the exercise bank: trigger categories, hand-written seeds, and the built exercises.

import type { FormSpec, ItemMood, ItemSpec, Person } from "../grammar.ts";

/**
 * Why the blank takes the mood it takes. Each category needs one mood (see CATEGORY_INFO); the
 * indicative ones are contrast items, so learners also practise when NOT to use the subjunctive.
 * The categories from "concessive" on come in pairs (CategoryInfo.pairedWith): every item names a
 * contrast partner, the same trigger with the other mood (aunque + indicative vs aunque + subjunctive).
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
  "concessive",
  "concessive-fact",
  "probability",
  "probability-indicative",
  "fact-as-topic",
  "independent-que",
  "reported-que",
  "purpose",
  "purpose-infinitive",
  "open-manner-place",
  "known-manner-place",
] as const;
export type TriggerCategory = (typeof TRIGGER_CATEGORIES)[number];

export interface CategoryInfo {
  /** Short human label for menus and progress screens. */
  label: string;
  /** The rule in one sentence, for the learner. */
  rule: string;
  /** The mood every item of the category needs in its blank (the infinitive for para + infinitive). */
  mood: ItemMood;
  /** The category that holds every item's contrast partner; when set, each item must name one there. */
  pairedWith?: TriggerCategory;
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
  spec: ItemSpec;
  /** English translation of the whole sentence. */
  translation: string;
  /**
   * The words of the sentence that decide the mood, e.g. "quiero que", "si", "alguien que".
   * Every seed of the bank has one; it must occur in the sentence. Quoted in explanations and messages.
   */
  trigger?: string;
  /** Overrides the default tense part of the explanation when the usual reason does not apply. */
  tenseNote?: string;
  /**
   * Overrides the category's mood reason when it would be false for this item ("{t}" is the
   * trigger), e.g. a factive "es una pena que" evaluates a known fact.
   */
  reason?: string;
  /**
   * Other forms that are just as right (both moods are standard after "no dudo que"; after quizás
   * the present, the future and the present subjunctive all fit), produced by the engine like the
   * expected one, with the note that tells the learner why they are right. Several forms, one note:
   * the note explains the item, whichever of them the learner typed.
   */
  also?: { specs: FormSpec[]; note: string };
  /** The id of the contrast item: the same trigger with the other mood. Must point back. */
  partner?: string;
}

export interface Exercise extends ExerciseSeed {
  /** The engine's form (-ra for the imperfect subjunctive). */
  expected: string;
  /** Every correct form (both -ra and -se where they exist, then the `also` forms); contains `expected`. */
  accepted: string[];
  /** The forms of `also`, in the order of its specs, when the item has any (a subset of `accepted`). */
  alsoForms?: string[];
  /** One sentence: why this mood and tense here. */
  explanation: string;
}
