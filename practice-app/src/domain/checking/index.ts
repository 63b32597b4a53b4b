// Public API of answer checking.

export { type CheckResult, checkAnswer, type Outcome } from "./check.ts";
export { cachedVerbCount, type FormRef, verbForms } from "./forms.ts";
export { formName, personName } from "./labels.ts";
export { hasAccentMarks, MAX_ANSWER_LENGTH, normalizeAnswer, stripAccents } from "./normalize.ts";
