// Public API of the exercise bank.

export {
  BLANK,
  buildExerciseBank,
  buildExercises,
  EXERCISE_BANK_VERSION,
  findExercise,
  partnerProblems,
  seedProblems,
  seedsVersion,
} from "./bank.ts";
export { CATEGORY_INFO, explain, INDICATIVE_CONTRAST_CATEGORIES } from "./categories.ts";
export {
  type CurriculumKind,
  curriculumKind,
  curriculumPositions,
  GRADUATED_TO_UNLOCK,
  hasWrittenAccent,
  unlockedLevel,
} from "./curriculum.ts";
export { ALL_SEEDS } from "./seeds/index.ts";
export type { CategoryInfo, Exercise, ExerciseSeed, TriggerCategory } from "./types.ts";
export { TRIGGER_CATEGORIES } from "./types.ts";
