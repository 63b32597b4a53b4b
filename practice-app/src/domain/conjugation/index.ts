// The Spanish conjugation engine: pure functions from an infinitive and a form to written Spanish.
// Which model a verb follows comes from the lexicon (lexicon/), loaded once.

export {
  type ConjugatedVerb,
  type ConjugateOptions,
  conjugate,
  conjugateAlternatives,
  conjugateByModel,
  conjugateVerb,
  type ImperfectEnding,
  isSupportedInfinitive,
  nonFiniteByModel,
  nonFiniteForm,
  pastParticiple,
} from "./conjugate.ts";
export { ConjugationError } from "./errors.ts";
export { isWellFormedInfinitive, parseInfinitive } from "./infinitive.ts";
export { isInLexicon, lexiconVerbs, sortedLexiconVerbs, verbsOfModel } from "./lexicon.ts";
export { type ConjugationModel, MODELS, REGULAR_MODEL } from "./models.ts";
