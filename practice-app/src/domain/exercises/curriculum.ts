// The order new items are introduced in, and when the next level opens. Pure: the seed stores the
// positions, the "next" query (db/repositories/cards.ts) walks them and applies the unlock rule.
//
// Within a level, items are dealt from four piles in turn (present subjunctive, an indicative or
// infinitive contrast, an answer with a written accent in either mood, another tense), each pile in
// a fixed shuffle, so from the first session a learner must tell the moods apart, write accents and use
// more than one tense: answering "subjunctive" every time no longer works.

import { createHash } from "node:crypto";
import type { Exercise } from "./types.ts";

export type CurriculumKind = "contrast" | "accented" | "tense" | "present";

/** The order the piles are dealt from; an empty pile is skipped. */
const DEAL: readonly CurriculumKind[] = ["present", "contrast", "accented", "tense"];

/**
 * A level opens once the learner has this many cards of the level below graduated (in FSRS review
 * state, i.e. past the learning steps and not lapsed).
 */
export const GRADUATED_TO_UNLOCK = 10;
export const LEVELS = [1, 2, 3] as const;

/** A written accent in the form the item expects (está, estés, oír, habléis). */
export function hasWrittenAccent(form: string): boolean {
  return /[áéíóú]/.test(form);
}

/** The pile an item is dealt from: an accented answer first (whatever its mood), then a contrast. */
export function curriculumKind(exercise: Exercise): CurriculumKind {
  if (hasWrittenAccent(exercise.expected)) return "accented";
  if (exercise.spec.mood !== "subjunctive") return "contrast";
  return exercise.spec.tense === "present" ? "present" : "tense";
}

function shuffleKey(id: string): string {
  return createHash("md5").update(id).digest("hex");
}

/**
 * Every item's position in the curriculum: ordered by level (difficulty), and within a level dealt
 * from the piles in DEAL order. Positions are unique and dense from 1.
 */
export function curriculumPositions(bank: readonly Exercise[]): Map<string, number> {
  const positions = new Map<string, number>();
  let next = 1;
  for (const level of LEVELS) {
    const piles = new Map<CurriculumKind, Exercise[]>(DEAL.map((kind) => [kind, []]));
    for (const exercise of bank.filter((e) => e.difficulty === level)) {
      piles.get(curriculumKind(exercise))?.push(exercise);
    }
    for (const pile of piles.values()) pile.sort((a, b) => shuffleKey(a.id).localeCompare(shuffleKey(b.id)));
    let left = [...piles.values()].reduce((sum, pile) => sum + pile.length, 0);
    while (left > 0) {
      for (const kind of DEAL) {
        const exercise = piles.get(kind)?.shift();
        if (!exercise) continue;
        positions.set(exercise.id, next++);
        left--;
      }
    }
  }
  return positions;
}

/**
 * The highest level whose new items a learner may get, from how many cards they have graduated per
 * level: level 2 opens after GRADUATED_TO_UNLOCK graduated level-1 cards, level 3 after as many of
 * level 2. The "next" query computes the same in SQL.
 */
export function unlockedLevel(graduated: Readonly<Partial<Record<1 | 2 | 3, number>>>): 1 | 2 | 3 {
  if ((graduated[1] ?? 0) < GRADUATED_TO_UNLOCK) return 1;
  if ((graduated[2] ?? 0) < GRADUATED_TO_UNLOCK) return 2;
  return 3;
}
