// The independent check of the lexicon and the engine: every form the engine writes for every verb
// of the lexicon is looked up in the Spanish Hunspell dictionary through nspell (its own reader of the
// dictionary, not the generator's). Forms it does not know are listed in review.json, each with the
// reason it is accepted, so a change in the engine that writes a new unknown form fails the suite.

import dictionary from "dictionary-es";
import nspell from "nspell";
import { conjugateAlternatives, lexiconVerbs, nonFiniteForm } from "../../src/domain/conjugation/index.ts";
import { ENGINE_FORM_SPECS, PERSONS } from "../../src/domain/grammar.ts";
import { readHunspell } from "./hunspell.ts";

export interface UnknownForm {
  readonly form: string;
  readonly verb: string;
  /** "subjunctive future 2p", "gerund" */
  readonly where: string;
}

/** One word per distinct spelling; compound tenses contribute their participle (haber is checked too). */
function* wordsOf(verb: string): Generator<[string, string]> {
  for (const spec of ENGINE_FORM_SPECS) {
    for (const person of PERSONS) {
      if (spec.mood === "imperative" && person === "1s") continue;
      for (const form of conjugateAlternatives(verb, spec, person)) {
        yield [form.split(" ").at(-1) as string, `${spec.mood} ${spec.tense} ${person}`];
      }
    }
  }
  yield [nonFiniteForm(verb, "gerund"), "gerund"];
  yield [nonFiniteForm(verb, "participle"), "participle"];
}

export interface CrossCheck {
  /** Verbs the dictionary lists without any affix flags: none of their forms can be in it. */
  readonly bareVerbs: string[];
  readonly unknown: UnknownForm[];
  readonly formsChecked: number;
}

export function crossCheck(): CrossCheck {
  const spell = nspell({ aff: Buffer.from(dictionary.aff), dic: Buffer.from(dictionary.dic) });
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const { entries } = readHunspell(decode(dictionary.aff), decode(dictionary.dic));
  const seen = new Set<string>();
  const bareVerbs: string[] = [];
  const unknown: UnknownForm[] = [];
  for (const verb of lexiconVerbs().sort()) {
    const bare = (entries.get(verb) ?? "") === "";
    let missing = 0;
    for (const [form, where] of wordsOf(verb)) {
      if (seen.has(form)) continue;
      seen.add(form);
      if (spell.correct(form)) continue;
      missing++;
      if (!bare) unknown.push({ form, verb, where });
    }
    if (bare && missing > 0) bareVerbs.push(verb);
  }
  return { bareVerbs, unknown, formsChecked: seen.size };
}
