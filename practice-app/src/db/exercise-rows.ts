// The stored copy of a bank exercise and back. The bank (domain/exercises) is the source; the table is
// a copy, so what the table does not hold (the trigger, the tense note) is taken from the bank.
import { type Exercise, findExercise } from "../domain/exercises/index.ts";
import type { ExerciseRow } from "./repositories/exercises.ts";

/**
 * Rebuilds the domain's Exercise from its stored row, with the bank's trigger (messages quote it)
 * and its second correct form's note (the stored `accepted` already holds that form).
 */
export function toExercise(row: ExerciseRow): Exercise {
  const source = findExercise(row.id);
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
    ...(source?.trigger === undefined ? {} : { trigger: source.trigger }),
    ...(source?.also === undefined ? {} : { also: source.also }),
    ...(source?.alsoForms === undefined ? {} : { alsoForms: source.alsoForms }),
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
