// A verb's stems, worked out once: which stem each group of forms is built on. The tenses in
// simple-tenses.ts only choose between these stems and add endings. Which rules apply comes from the
// verb's model (models.ts), which comes from the lexicon (lexicon.ts).

import { parseInfinitive } from "./infinitive.ts";
import { type IrregularVerb, prefixed } from "./irregular-verbs.ts";
import { entryFor } from "./lexicon.ts";
import { irregularOf } from "./models.ts";
import { markWeakVowelStress } from "./orthography.ts";
import type { Theme } from "./regular.ts";
import { canonicalStem } from "./spelling.ts";
import { raisedStem, stressedStem } from "./stem-changes.ts";

export interface Verb {
  readonly infinitive: string;
  readonly theme: Theme;
  /** The RAE model the verb is conjugated by ("acertar"). */
  readonly model: string;
  /** True when the verb is not in the lexicon and the regular model was used on request. */
  readonly guessed: boolean;
  /** The unchanged stem, last consonant as a sound placeholder: "pens", "busK", "seG". */
  readonly stem: string;
  /** Stem of the stem-stressed present forms: "piens", "construy", "env*i" (stress marked if not the default). */
  readonly stressed: string;
  /** Stem of -ir verbs before a stressed a or ió/ie: "sint" (sintamos, sintió), else the plain stem. */
  readonly raised: string;
  /** Stem of the yo form when it is irregular ("teng", "conozc", "oig"), carried into the present subjunctive. */
  readonly yoStem: string | undefined;
  /** Stem of the present subjunctive nosotros/vosotros forms when there is no irregular yo stem. */
  readonly subjunctivePluralStem: string;
  /** Whether y is inserted before a vowel other than i (construyo): the gerund needs it too. */
  readonly insertsY: boolean;
  readonly irregular: IrregularVerb;
}

export interface DescribeOptions {
  /** Conjugate a verb outside the lexicon by the regular model of its ending (marked guessed). */
  guess?: boolean;
  /** Use this model whatever the lexicon says (for the lexicon generator). */
  modelId?: string;
}

// Bounded because infinitives can come from learner input.
const CACHE_LIMIT = 4000;
const cache = new Map<string, Verb>();

/** Analyses an infinitive, throwing ConjugationError if it is not one or not in the lexicon. */
export function describeVerb(input: string, options: DescribeOptions = {}): Verb {
  const { infinitive, stem: rawStem, theme } = parseInfinitive(input);
  const key = options.modelId === undefined ? infinitive : `${infinitive}|${options.modelId}`;
  const cached = cache.get(key);
  if (cached && (!cached.guessed || options.guess)) return cached;

  const { model, prefix, guessed } = entryFor(infinitive, theme, options);
  const base = irregularOf(model);
  const irregular: IrregularVerb = base === undefined ? {} : prefixed(prefix, base);
  const vowel = theme === "ar" ? "a" : theme === "er" ? "e" : "i";
  const stem = canonicalStem(irregular.stem ?? rawStem, vowel);
  const change = model.stemChange;
  const y = model.insertsY === true;

  let stressed = change ? stressedStem(stem, change) : stem;
  // Before the inserted y the u of -güir is a full vowel, written without diaeresis: arguyo.
  const withY = (s: string) => `${s.replace(/W$/, "gu")}y`;
  if (y) stressed = withY(stressed);
  if (model.weakStress) stressed = markWeakVowelStress(stressed);

  // Only -ir verbs close the stem vowel before a stressed ending (durmamos, but volvamos).
  const raised = theme === "ir" && change && model.raises !== false ? raisedStem(stem, change) : stem;
  // -cer/-cir after a vowel keeps the /θ/ and adds /k/ before a and o: conozco, conduzca.
  const yoStem = irregular.yoStem ?? (model.zc ? stem.replace(/Z$/, "zc") : undefined);

  const verb: Verb = {
    infinitive,
    theme,
    model: model.id,
    guessed,
    stem,
    stressed,
    raised,
    yoStem,
    subjunctivePluralStem: y ? withY(stem) : raised,
    insertsY: y,
    irregular,
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, verb);
  return verb;
}
