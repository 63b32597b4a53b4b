import { z } from "zod";
import { ConjugationError } from "../../domain/conjugation/index.ts";
import { searchVerbs, verbReference } from "../../domain/verb-reference.ts";
import { AppError } from "../errors.ts";
import { authedProcedure, router } from "../trpc.ts";

// The verb reference: every form of a lexicon verb, its irregular parts, the verbs of its model.

const word = z
  .string()
  .trim()
  .min(1, "required")
  .max(40, "at most 40 characters")
  .regex(/^[\p{L}]+$/u, "one word, letters only");

export const verbsRouter = router({
  get: authedProcedure.input(z.strictObject({ infinitive: word })).query(({ input }) => {
    try {
      return verbReference(input.infinitive);
    } catch (error) {
      if (error instanceof ConjugationError) {
        throw new AppError(
          "VERB_NOT_FOUND",
          `"${input.infinitive}" is not a verb the app knows. Type an infinitive such as hablar, tener or pedir.`,
          { cause: error },
        );
      }
      throw error;
    }
  }),

  /** Infinitives starting with what the learner typed (accents ignored), for the search box. */
  search: authedProcedure
    .input(z.strictObject({ prefix: word, limit: z.number().int().min(1).max(30).default(10) }))
    .query(({ input }) => ({ verbs: searchVerbs(input.prefix, input.limit) })),
});
