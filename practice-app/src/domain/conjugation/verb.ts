// A verb's stems, worked out once: which stem each group of forms is built on. The tenses in
// simple-tenses.ts only choose between these stems and add endings.

import { parseInfinitive } from "./infinitive.ts";
import type { IrregularVerb } from "./irregular-verbs.ts";
import { insertsY, irregularData, stemChangeOf, stressesWeakVowel, takesZc } from "./lexicon.ts";
import { markWeakVowelStress } from "./orthography.ts";
import type { Theme } from "./regular.ts";
import { canonicalStem } from "./spelling.ts";
import { raisedStem, stressedStem } from "./stem-changes.ts";

export interface Verb {
  readonly infinitive: string;
  readonly theme: Theme;
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
  readonly irregular: IrregularVerb;
}

// Bounded because infinitives can come from learner input.
const CACHE_LIMIT = 2000;
const cache = new Map<string, Verb>();

/** Analyses an infinitive, throwing ConjugationError if it is not one. */
export function describeVerb(input: string): Verb {
  const { infinitive, stem: rawStem, theme } = parseInfinitive(input);
  const cached = cache.get(infinitive);
  if (cached) return cached;

  const stem = canonicalStem(rawStem, theme === "ar" ? "a" : theme === "er" ? "e" : "i");
  const irregular = irregularData(infinitive) ?? {};
  const change = stemChangeOf(infinitive);
  const y = insertsY(infinitive, stem);

  let stressed = change ? stressedStem(stem, change) : stem;
  // Before the inserted y the u of -güir is a full vowel, written without diaeresis: arguyo.
  const withY = (base: string) => `${base.replace(/W$/, "gu")}y`;
  if (y) stressed = withY(stressed);
  if (stressesWeakVowel(infinitive, stem)) stressed = markWeakVowelStress(stressed);

  // Only -ir verbs close the stem vowel before a stressed ending (durmamos, but volvamos).
  const raised = theme === "ir" && change ? raisedStem(stem, change) : stem;
  // -cer/-cir after a vowel keeps the /θ/ and adds /k/ before a and o: conozco, conduzca.
  const yoStem = irregular.yoStem ?? (takesZc(infinitive) ? stem.replace(/Z$/, "zc") : undefined);

  const verb: Verb = {
    infinitive,
    theme,
    stem,
    stressed,
    raised,
    yoStem,
    subjunctivePluralStem: y ? withY(stem) : raised,
    irregular,
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(infinitive, verb);
  return verb;
}
