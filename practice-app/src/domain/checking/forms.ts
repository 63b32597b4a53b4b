// Every form of a verb, indexed by its spelling, so the checker can say what an answer IS
// (another person, tense or mood of the same verb). Built lazily per verb and memoised.

import { conjugateAlternatives } from "../conjugation/index.ts";
import { ALL_FORM_SPECS, type FormSpec, PERSONS, type Person } from "../grammar.ts";
import { normalizeAnswer, stripAccents } from "./normalize.ts";

export interface FormRef {
  spec: FormSpec;
  person: Person;
  /** The form as the engine spells it. */
  form: string;
}

export interface VerbForms {
  /** normalised spelling → every (spec, person) it is */
  exact: ReadonlyMap<string, readonly FormRef[]>;
  /** the same, keyed by the spelling without accents */
  stripped: ReadonlyMap<string, readonly FormRef[]>;
}

const cache = new Map<string, VerbForms>();

function add(map: Map<string, FormRef[]>, key: string, ref: FormRef): void {
  const list = map.get(key);
  if (list) list.push(ref);
  else map.set(key, [ref]);
}

function buildVerbForms(infinitive: string): VerbForms {
  const exact = new Map<string, FormRef[]>();
  const stripped = new Map<string, FormRef[]>();
  for (const spec of ALL_FORM_SPECS) {
    for (const person of PERSONS) {
      let forms: string[];
      try {
        forms = conjugateAlternatives(infinitive, spec, person);
      } catch {
        continue; // a form the engine cannot produce simply cannot be recognised
      }
      for (const raw of forms) {
        const form = normalizeAnswer(raw);
        const ref: FormRef = { spec, person, form: raw };
        add(exact, form, ref);
        add(stripped, stripAccents(form), ref);
      }
    }
  }
  return { exact, stripped };
}

/** All forms of `infinitive`, computed on first use and then served from memory. */
export function verbForms(infinitive: string): VerbForms {
  let forms = cache.get(infinitive);
  if (!forms) {
    forms = buildVerbForms(infinitive);
    cache.set(infinitive, forms);
  }
  return forms;
}

/** For tests: how many verbs have tables in memory. */
export function cachedVerbCount(): number {
  return cache.size;
}
