// The Spanish conjugation engine: pure functions from an infinitive and a form to written Spanish.

export {
  type ConjugateOptions,
  conjugate,
  conjugateAlternatives,
  type ImperfectEnding,
  pastParticiple,
} from "./conjugate.ts";
export { ConjugationError } from "./errors.ts";
export { isSupportedInfinitive } from "./infinitive.ts";
