// Public API of answer checking.

export { foreignMessage, invisibleNote, type NamedCharacter, scanCharacters } from "./characters.ts";
export {
  type CheckResult,
  checkAnswer,
  type GradedOutcome,
  isGradedOutcome,
  type Outcome,
  type UngradedOutcome,
} from "./check.ts";
export { type ExtraWords, splitExtraWords } from "./extra-words.ts";
export { cachedVerbCount, type FiniteRef, type FormRef, type NonFiniteRef, verbForms } from "./forms.ts";
export { formName, personName } from "./labels.ts";
export { foldN, hasAccentMarks, MAX_ANSWER_LENGTH, normalizeAnswer, stripAccents } from "./normalize.ts";
