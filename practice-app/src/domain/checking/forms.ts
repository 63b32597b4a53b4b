// Every form of a verb, indexed by its spelling, so the checker can say what an answer IS: any
// person, tense and mood the engine produces (compound tenses, imperative, future subjunctive), and
// the infinitive, gerund and participle. Built lazily per verb and memoised.

import { conjugateAlternatives, nonFiniteForm } from "../conjugation/index.ts";
import {
  ENGINE_FORM_SPECS,
  type EngineFormSpec,
  NON_FINITE_FORMS,
  type NonFiniteForm,
  PERSONS,
  type Person,
} from "../grammar.ts";
import { foldN, normalizeAnswer, stripAccents } from "./normalize.ts";

export interface FiniteRef {
  kind: "finite";
  spec: EngineFormSpec;
  person: Person;
  /** The form as the engine spells it. */
  form: string;
  /** The vos form (hablás, hablá), where it differs from the tú form. */
  voseo?: true;
}

export interface NonFiniteRef {
  kind: "non-finite";
  which: NonFiniteForm;
  form: string;
}

export type FormRef = FiniteRef | NonFiniteRef;

export interface VerbForms {
  /** normalised spelling → every form it is */
  exact: ReadonlyMap<string, readonly FormRef[]>;
  /** the same, keyed by the spelling without accents */
  stripped: ReadonlyMap<string, readonly FormRef[]>;
  /** the same, without accents and with ñ written n (ensene → enseñe) */
  loose: ReadonlyMap<string, readonly FormRef[]>;
}

const cache = new Map<string, VerbForms>();

function add(map: Map<string, FormRef[]>, key: string, ref: FormRef): void {
  const list = map.get(key);
  if (list) list.push(ref);
  else map.set(key, [ref]);
}

/**
 * The negative imperative (no hables) is "no" plus the present subjunctive: it is left out, so that
 * an answer starting with "no" is treated as an extra word before the verb.
 */
function isIndexed(spec: EngineFormSpec): boolean {
  return !(spec.mood === "imperative" && spec.tense === "negative");
}

/** Where vos differs from tú: the present indicative (hablás, sos) and the affirmative imperative (hablá). */
const VOSEO_SPECS: readonly EngineFormSpec[] = [
  { mood: "indicative", tense: "present" },
  { mood: "imperative", tense: "affirmative" },
];

function buildVerbForms(infinitive: string): VerbForms {
  const exact = new Map<string, FormRef[]>();
  const stripped = new Map<string, FormRef[]>();
  const loose = new Map<string, FormRef[]>();
  const index = (raw: string, ref: FormRef) => {
    const form = normalizeAnswer(raw);
    const bare = stripAccents(form);
    add(exact, form, ref);
    add(stripped, bare, ref);
    add(loose, foldN(bare), ref);
  };
  for (const spec of ENGINE_FORM_SPECS) {
    if (!isIndexed(spec)) continue;
    for (const person of PERSONS) {
      let forms: string[];
      try {
        forms = conjugateAlternatives(infinitive, spec, person);
      } catch {
        continue; // a form the engine does not produce (imperative yo) simply cannot be recognised
      }
      for (const raw of forms) index(raw, { kind: "finite", spec, person, form: raw });
    }
  }
  for (const spec of VOSEO_SPECS) {
    let vos: string[];
    let tu: string[];
    try {
      vos = conjugateAlternatives(infinitive, spec, "2s", { voseo: true });
      tu = conjugateAlternatives(infinitive, spec, "2s");
    } catch {
      continue;
    }
    for (const raw of vos) {
      if (!tu.includes(raw)) index(raw, { kind: "finite", spec, person: "2s", form: raw, voseo: true });
    }
  }
  for (const which of NON_FINITE_FORMS) {
    let raw: string;
    try {
      raw = nonFiniteForm(infinitive, which);
    } catch {
      continue; // same: unrecognisable rather than fatal
    }
    index(raw, { kind: "non-finite", which, form: raw });
  }
  return { exact, stripped, loose };
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
