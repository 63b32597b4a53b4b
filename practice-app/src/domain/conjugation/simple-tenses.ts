// The simple tenses, each as six written forms in person order 1s 2s 3s 1p 2p 3p.

import { PERSONS, type Person } from "../grammar.ts";
import type { SixForms } from "./irregular-verbs.ts";
import { STRESS, stripAccents, writeAccents } from "./orthography.ts";
import {
  CONDITIONAL,
  FUTURE,
  FUTURE_SUBJUNCTIVE,
  GERUND,
  IMPERFECT,
  IMPERFECT_SUBJUNCTIVE,
  PARTICIPLE,
  PRESENT,
  PRESENT_SUBJUNCTIVE,
  PRETERITE,
  STRONG_PRETERITE,
  STRONG_PRETERITE_AFTER_J,
} from "./regular.ts";
import { attach } from "./spelling.ts";
import type { Verb } from "./verb.ts";

function six(build: (person: Person, index: number) => string): SixForms {
  return PERSONS.map((person, index) => writeAccents(build(person, index))) as unknown as SixForms;
}

function ending(endings: SixForms, index: number): string {
  return endings[index] as string;
}

/** nosotros and vosotros: the persons whose present is stressed on the ending. */
function isEndingStressedPresent(person: Person): boolean {
  return person === "1p" || person === "2p";
}

export function presentIndicative(verb: Verb): SixForms {
  const { irregular } = verb;
  return six((person, i) => {
    const override = irregular.present?.[person];
    if (override !== undefined) return override;
    const stem =
      person === "1s"
        ? (verb.yoStem ?? verb.stressed)
        : isEndingStressedPresent(person)
          ? verb.stem
          : verb.stressed;
    return attach(stem, ending(PRESENT[verb.theme], i));
  });
}

/** Built on the yo form of the present indicative (tengo → tenga), as grammars teach it. */
export function presentSubjunctive(verb: Verb): SixForms {
  const { irregular } = verb;
  const singular = irregular.subjunctiveStem ?? verb.yoStem ?? verb.stressed;
  const plural = irregular.subjunctiveStem ?? verb.yoStem ?? verb.subjunctivePluralStem;
  return six((person, i) => {
    const override = irregular.presentSubjunctive?.[person];
    if (override !== undefined) return override;
    const stem = isEndingStressedPresent(person) ? plural : singular;
    return attach(stem, ending(PRESENT_SUBJUNCTIVE[verb.theme], i));
  });
}

export function preterite(verb: Verb): SixForms {
  const { irregular } = verb;
  if (irregular.preterite) return six((_, i) => ending(irregular.preterite as SixForms, i));
  const strong = irregular.preteriteStem;
  if (strong !== undefined) {
    const endings = strong.endsWith("j") ? STRONG_PRETERITE_AFTER_J : STRONG_PRETERITE;
    return six((_, i) => attach(strong, ending(endings, i)));
  }
  return six((person, i) => {
    // -ir stem changers close the vowel in the third persons: pidió, durmieron.
    const stem = person === "3s" || person === "3p" ? verb.raised : verb.stem;
    return attach(stem, ending(PRETERITE[verb.theme], i));
  });
}

/**
 * From the preterite ellos form without -ron (hablaron → habla-), stressed on its last vowel, plus
 * -ra/-se. Irregular verbs therefore only need their preterite: tuvieron → tuviera, fueron → fuera.
 */
export function imperfectSubjunctive(verb: Verb, kind: "ra" | "se"): SixForms {
  const marked = preteriteBase(verb);
  return six((_, i) => marked + ending(IMPERFECT_SUBJUNCTIVE[kind], i));
}

/** The preterite ellos form without -ron, its last vowel marked stressed: habl*a, tuvi*e. */
function preteriteBase(verb: Verb): string {
  const base = preterite(verb)[5].slice(0, -"ron".length);
  return `${base.slice(0, -1)}${STRESS}${base.slice(-1)}`;
}

/** The future subjunctive (archaic), on the same base as the imperfect: hablare, tuviere. */
export function futureSubjunctive(verb: Verb): SixForms {
  const marked = preteriteBase(verb);
  return six((_, i) => marked + ending(FUTURE_SUBJUNCTIVE, i));
}

/** The gerund: -ar verbs on the stem, -er/-ir on the raised stem (sintiendo, durmiendo, diciendo). */
export function gerund(verb: Verb): string {
  const special = verb.irregular.gerund;
  if (special !== undefined) return writeAccents(special);
  return writeAccents(attach(verb.raised, GERUND[verb.theme]));
}

export function imperfectIndicative(verb: Verb): SixForms {
  const { irregular } = verb;
  if (irregular.imperfect) return six((_, i) => ending(irregular.imperfect as SixForms, i));
  const stem = irregular.imperfectStem ?? verb.stem;
  return six((_, i) => attach(stem, ending(IMPERFECT[verb.theme], i)));
}

function futureStem(verb: Verb): string {
  return verb.irregular.futureStem ?? stripAccents(verb.infinitive);
}

export function future(verb: Verb): SixForms {
  const stem = futureStem(verb);
  return six((_, i) => attach(stem, ending(FUTURE, i)));
}

export function conditional(verb: Verb): SixForms {
  const stem = futureStem(verb);
  return six((_, i) => attach(stem, ending(CONDITIONAL, i)));
}

export function participle(verb: Verb): string {
  return verb.irregular.participle ?? writeAccents(attach(verb.stem, PARTICIPLE[verb.theme]));
}
