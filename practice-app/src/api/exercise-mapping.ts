import { CATEGORY_INFO } from "../domain/exercises/index.ts";

export { toExercise, toRow } from "../db/exercise-rows.ts";

/** Label of a stored category; a category that left the bank still shows its id rather than failing. */
export function categoryLabel(category: string): string {
  return (CATEGORY_INFO as Record<string, { label: string } | undefined>)[category]?.label ?? category;
}
