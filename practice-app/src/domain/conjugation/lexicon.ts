// Which model each verb follows. The verbs and their models are data (lexicon/lexicon-data.ts,
// generated from the Spanish Hunspell dictionary and documented in lexicon/README.md), read once on
// first use. Nothing here guesses from the spelling: a verb that is not listed is refused, unless the
// caller explicitly asks for a guess, which is then marked as one.

import { ConjugationError } from "./errors.ts";
import { LEXICON_BY_MODEL } from "./lexicon/lexicon-data.ts";
import { type ConjugationModel, MODELS, REGULAR_MODEL } from "./models.ts";
import type { Theme } from "./regular.ts";

export interface LexiconEntry {
  readonly model: ConjugationModel;
  /** What precedes the model's root (obtener: "ob"), prefixed to its irregular stems. */
  readonly prefix: string;
  /** True when the verb is not in the lexicon and was given the regular model on request. */
  readonly guessed: boolean;
}

let index: ReadonlyMap<string, ConjugationModel> | undefined;

/** verb → model, built once from the generated data; throws if the data names an unknown model. */
function lexicon(): ReadonlyMap<string, ConjugationModel> {
  if (index) return index;
  const built = new Map<string, ConjugationModel>();
  for (const [modelId, verbs] of Object.entries(LEXICON_BY_MODEL)) {
    const model = MODELS.get(modelId);
    if (!model) {
      throw new Error(
        `lexicon data names model "${modelId}", which models.ts does not define; regenerate it.`,
      );
    }
    for (const verb of verbs.split(/\s+/)) if (verb !== "") built.set(verb, model);
  }
  index = built;
  return built;
}

function prefixFor(infinitive: string, model: ConjugationModel): string {
  if (model.root === undefined) return "";
  if (!infinitive.endsWith(model.root)) {
    throw new Error(
      `lexicon data puts "${infinitive}" under "${model.id}" but it does not end in "${model.root}".`,
    );
  }
  return infinitive.slice(0, -model.root.length);
}

/** Every verb of the lexicon, in no particular order. */
export function lexiconVerbs(): string[] {
  return [...lexicon().keys()];
}

export function isInLexicon(infinitive: string): boolean {
  return lexicon().has(infinitive);
}

/**
 * The model of an infinitive (already parsed: lower-case, NFC). Without `guess`, a verb outside the
 * lexicon is a ConjugationError; with it, it gets the regular model of its ending and `guessed: true`.
 * `modelId` forces a model (the lexicon generator tries each one).
 */
export function entryFor(
  infinitive: string,
  theme: Theme,
  options: { guess?: boolean; modelId?: string } = {},
): LexiconEntry {
  if (options.modelId !== undefined) {
    const forced = MODELS.get(options.modelId);
    if (!forced) throw new ConjugationError(`Unknown conjugation model "${options.modelId}".`);
    return { model: forced, prefix: prefixFor(infinitive, forced), guessed: false };
  }
  const model = lexicon().get(infinitive);
  if (model) return { model, prefix: prefixFor(infinitive, model), guessed: false };
  if (options.guess) return { model: REGULAR_MODEL[theme], prefix: "", guessed: true };
  throw new ConjugationError(
    `"${infinitive}" is not a verb in the lexicon (${lexicon().size} Spanish verbs). Check the spelling; if it is a real verb, add it to the lexicon (see practice-app/src/domain/conjugation/lexicon/README.md), or ask for a guess ({ guess: true }) to conjugate it as a regular verb, marked guessed.`,
  );
}

let sortedVerbs: readonly string[] | undefined;

/** Every verb of the lexicon in Spanish alphabetical order (computed once). */
export function sortedLexiconVerbs(): readonly string[] {
  sortedVerbs ??= [...lexicon().keys()].sort((a, b) => a.localeCompare(b, "es"));
  return sortedVerbs;
}

/** The verbs that follow a model, in Spanish alphabetical order. */
export function verbsOfModel(modelId: string): string[] {
  return sortedLexiconVerbs().filter((verb) => lexicon().get(verb)?.id === modelId);
}
