import type { ExerciseRow } from "../db/repositories/exercises.ts";
import { CATEGORY_INFO, type Exercise } from "../domain/exercises/index.ts";

/** Rebuilds the domain's Exercise from its stored row (the bank is the source; the table a copy). */
export function toExercise(row: ExerciseRow): Exercise {
  return {
    id: row.id,
    category: row.category as Exercise["category"],
    difficulty: row.difficulty as Exercise["difficulty"],
    sentence: row.sentence,
    verb: row.verb,
    person: row.person as Exercise["person"],
    spec: { mood: row.mood, tense: row.tense } as Exercise["spec"],
    translation: row.translation,
    expected: row.expected,
    accepted: row.accepted,
    explanation: row.explanation,
  };
}

export function toRow(exercise: Exercise): ExerciseRow {
  return {
    id: exercise.id,
    category: exercise.category,
    difficulty: exercise.difficulty,
    sentence: exercise.sentence,
    verb: exercise.verb,
    person: exercise.person,
    mood: exercise.spec.mood,
    tense: exercise.spec.tense,
    expected: exercise.expected,
    accepted: [...exercise.accepted],
    explanation: exercise.explanation,
    translation: exercise.translation,
  };
}

/** Label of a stored category; a category that left the bank still shows its id rather than failing. */
export function categoryLabel(category: string): string {
  return (CATEGORY_INFO as Record<string, { label: string } | undefined>)[category]?.label ?? category;
}
