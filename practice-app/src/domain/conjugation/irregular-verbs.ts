// The irregular data, in one table. Only what cannot be derived is listed: a verb with an irregular
// preterite lists that stem and gets its imperfect subjunctive from it; a verb with an irregular yo
// form lists that stem and gets its present subjunctive from it.
//
// Full forms are written unaccented with "*" before the stressed vowel ("!" for a diacritic accent),
// so that the accent rules in orthography.ts also hold for prefixed compounds (ves → prevés).

import type { Person } from "../grammar.ts";

export type SixForms = readonly [string, string, string, string, string, string];

export interface IrregularVerb {
  /** A stem for every form but the infinitive and the participle (podrir: pudr-o, pudr-ió, pudr-iré). */
  readonly stem?: string;
  /** Stem of the present-indicative yo form (teng-o); the present subjunctive is built on it. */
  readonly yoStem?: string;
  /** Present-subjunctive stem when it is not the yo stem (ser: soy but se-a). */
  readonly subjunctiveStem?: string;
  /** Present-indicative forms that follow no rule. */
  readonly present?: Partial<Record<Person, string>>;
  /** Present-subjunctive forms that follow no rule. */
  readonly presentSubjunctive?: Partial<Record<Person, string>>;
  /** Strong ("pretérito fuerte") stem: tuv-e, tuv-o, tuv-ieron. */
  readonly preteriteStem?: string;
  readonly preterite?: SixForms;
  readonly imperfectStem?: string;
  readonly imperfect?: SixForms;
  /** Future and conditional stem: tendr-é, tendr-ía. */
  readonly futureStem?: string;
  readonly participle?: string;
  /** The short tú imperative (ten, pon, haz, di), marked like the other full forms. */
  readonly imperative?: string;
  /** The short imperative is the root's own and not inherited by its compounds (di, but bendice). */
  readonly imperativeOwn?: boolean;
  /** The gerund when it follows no rule (ir: yendo; poder: pudiendo). */
  readonly gerund?: string;
  /**
   * Forms RAE also accepts beside the ones produced (yergo beside irgo, yazgo and yago beside
   * yazco), marked like the other full forms. They are given as alternatives (conjugateAlternatives),
   * so the checker accepts and names them, but never produced first.
   */
  readonly alternatePresent?: Partial<Record<Person, readonly string[]>>;
  readonly alternatePresentSubjunctive?: Partial<Record<Person, readonly string[]>>;
  /** A second future and conditional stem RAE accepts (predir-é beside predecir-é). */
  readonly alternateFutureStem?: string;
}

const FUI: SixForms = ["fu*i", "fu*iste", "fu*e", "fu*imos", "fu*isteis", "fu*eron"];

const DECIR: IrregularVerb = {
  yoStem: "dig",
  preteriteStem: "dij",
  futureStem: "dir",
  participle: "dicho",
  imperative: "d*i",
  imperativeOwn: true,
};

/** Every stem and form of an entry, with a prefix in front (tener → obtener). */
export function prefixed(prefix: string, verb: IrregularVerb): IrregularVerb {
  if (prefix === "") return verb;
  const add = (text: string | undefined) => (text === undefined ? undefined : prefix + text);
  const addAll = (forms: SixForms | undefined): SixForms | undefined =>
    forms === undefined ? undefined : (forms.map((form) => prefix + form) as unknown as SixForms);
  const addSome = (forms: Partial<Record<Person, string>> | undefined) =>
    forms === undefined
      ? undefined
      : Object.fromEntries(Object.entries(forms).map(([person, form]) => [person, prefix + form]));
  const addEach = (forms: Partial<Record<Person, readonly string[]>> | undefined) =>
    forms === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(forms).map(([person, list]) => [person, (list ?? []).map((form) => prefix + form)]),
        );
  return {
    stem: add(verb.stem),
    yoStem: add(verb.yoStem),
    subjunctiveStem: add(verb.subjunctiveStem),
    present: addSome(verb.present),
    presentSubjunctive: addSome(verb.presentSubjunctive),
    preteriteStem: add(verb.preteriteStem),
    preterite: addAll(verb.preterite),
    imperfectStem: add(verb.imperfectStem),
    imperfect: addAll(verb.imperfect),
    futureStem: add(verb.futureStem),
    participle: add(verb.participle),
    // decir's compounds say bendice, predice, not *bendí (RAE, DPD); tener's say obtén.
    imperative: verb.imperativeOwn ? undefined : add(verb.imperative),
    gerund: add(verb.gerund),
    alternatePresent: addEach(verb.alternatePresent),
    alternatePresentSubjunctive: addEach(verb.alternatePresentSubjunctive),
    alternateFutureStem: add(verb.alternateFutureStem),
  };
}

/**
 * Keyed by a model's root (models.ts): the entry for "tener" also serves "obtener", with every stem
 * prefixed.
 */
export const IRREGULAR_VERBS: ReadonlyMap<string, IrregularVerb> = new Map<string, IrregularVerb>([
  [
    "ser",
    {
      present: { "1s": "s*oy", "2s": "*eres", "3s": "*es", "1p": "s*omos", "2p": "s*ois", "3p": "s*on" },
      subjunctiveStem: "se",
      preterite: FUI,
      imperfect: ["*era", "*eras", "*era", "*eramos", "*erais", "*eran"],
      imperative: "s!e",
    },
  ],
  [
    "ir",
    {
      present: { "1s": "v*oy", "2s": "v*as", "3s": "v*a", "1p": "v*amos", "2p": "v*ais", "3p": "v*an" },
      subjunctiveStem: "vay",
      preterite: FUI,
      imperfect: ["*iba", "*ibas", "*iba", "*ibamos", "*ibais", "*iban"],
      imperative: "v*e",
      gerund: "y*endo",
    },
  ],
  [
    "estar",
    {
      // The stress is on the ending throughout the present, unlike in any regular -ar verb.
      present: {
        "1s": "est*oy",
        "2s": "est*as",
        "3s": "est*a",
        "1p": "est*amos",
        "2p": "est*ais",
        "3p": "est*an",
      },
      presentSubjunctive: {
        "1s": "est*e",
        "2s": "est*es",
        "3s": "est*e",
        "1p": "est*emos",
        "2p": "est*eis",
        "3p": "est*en",
      },
      preteriteStem: "estuv",
    },
  ],
  [
    "haber",
    {
      present: { "1s": "h*e", "2s": "h*as", "3s": "h*a", "1p": "h*emos", "2p": "hab*eis", "3p": "h*an" },
      subjunctiveStem: "hay",
      preteriteStem: "hub",
      futureStem: "habr",
    },
  ],
  [
    "dar",
    {
      present: { "1s": "d*oy" },
      // "dé" keeps its accent to be told apart from the preposition "de".
      presentSubjunctive: { "1s": "d!e", "3s": "d!e" },
      // dar takes the -er/-ir preterite endings.
      preterite: ["d*i", "d*iste", "di*o", "d*imos", "d*isteis", "di*eron"],
    },
  ],
  [
    "saber",
    {
      // "sé" keeps its accent to be told apart from the pronoun "se".
      present: { "1s": "s!e" },
      subjunctiveStem: "sep",
      preteriteStem: "sup",
      futureStem: "sabr",
    },
  ],
  [
    "ver",
    {
      // The stress stays on the ending even in prefixed compounds: prevés, prevea.
      present: { "1s": "v*eo", "2s": "v*es", "3s": "v*e", "1p": "v*emos", "2p": "v*eis", "3p": "v*en" },
      presentSubjunctive: {
        "1s": "v*ea",
        "2s": "v*eas",
        "3s": "v*ea",
        "1p": "ve*amos",
        "2p": "ve*ais",
        "3p": "v*ean",
      },
      imperfectStem: "ve",
      participle: "visto",
    },
  ],
  ["caber", { yoStem: "quep", preteriteStem: "cup", futureStem: "cabr" }],
  ["tener", { yoStem: "teng", preteriteStem: "tuv", futureStem: "tendr", imperative: "t*en" }],
  ["venir", { yoStem: "veng", preteriteStem: "vin", futureStem: "vendr", imperative: "v*en" }],
  [
    "poner",
    { yoStem: "pong", preteriteStem: "pus", futureStem: "pondr", participle: "puesto", imperative: "p*on" },
  ],
  ["salir", { yoStem: "salg", futureStem: "saldr", imperative: "s*al" }],
  ["valer", { yoStem: "valg", futureStem: "valdr" }],
  [
    "hacer",
    { yoStem: "hag", preteriteStem: "h*iZ", futureStem: "har", participle: "hecho", imperative: "h*az" },
  ],
  // satisfacer keeps the Latin f where hacer has h.
  [
    "satisfacer",
    { yoStem: "satisfag", preteriteStem: "satisfiZ", futureStem: "satisfar", participle: "satisfecho" },
  ],
  ["decir", DECIR],
  // These compounds accept both futures, predeciré and prediré; the regular one is produced (see
  // the review file's reason), the other is accepted as an alternative.
  [
    "predecir",
    {
      ...prefixed("pre", DECIR),
      futureStem: undefined,
      imperative: undefined,
      alternateFutureStem: "predir",
    },
  ],
  [
    "contradecir",
    {
      ...prefixed("contra", DECIR),
      futureStem: undefined,
      imperative: undefined,
      alternateFutureStem: "contradir",
    },
  ],
  [
    "desdecir",
    {
      ...prefixed("des", DECIR),
      futureStem: undefined,
      imperative: undefined,
      alternateFutureStem: "desdir",
    },
  ],
  // bendecir and maldecir also have regular participles (bendecido; "bendito" is an adjective).
  ["bendecir", { yoStem: "bendig", preteriteStem: "bendij" }],
  ["maldecir", { yoStem: "maldig", preteriteStem: "maldij" }],
  ["traer", { yoStem: "traig", preteriteStem: "traj" }],
  ["caer", { yoStem: "caig" }],
  // raer also has "rayo/raya", asir nothing else; the -ig-/-g- forms are the ones grammars list first.
  [
    "raer",
    {
      yoStem: "raig",
      alternatePresent: { "1s": ["r*ayo"] },
      alternatePresentSubjunctive: {
        "1s": ["r*aya"],
        "2s": ["r*ayas"],
        "3s": ["r*aya"],
        "1p": ["ray*amos"],
        "2p": ["ray*ais"],
        "3p": ["r*ayan"],
      },
    },
  ],
  // RAE: yazco, yazgo or yago (and yazca, yazga or yaga); the -zc- forms follow the rule (zc).
  [
    "yacer",
    {
      alternatePresent: { "1s": ["y*azgo", "y*ago"] },
      alternatePresentSubjunctive: {
        "1s": ["y*azga", "y*aga"],
        "2s": ["y*azgas", "y*agas"],
        "3s": ["y*azga", "y*aga"],
        "1p": ["yazg*amos", "yag*amos"],
        "2p": ["yazg*ais", "yag*ais"],
        "3p": ["y*azgan", "y*agan"],
      },
    },
  ],
  // RAE: irgo or yergo wherever the stem is stressed; irgo (the e>i change) is produced.
  [
    "erguir",
    {
      alternatePresent: { "1s": ["y*ergo"], "2s": ["y*ergues"], "3s": ["y*ergue"], "3p": ["y*erguen"] },
      alternatePresentSubjunctive: {
        "1s": ["y*erga"],
        "2s": ["y*ergas"],
        "3s": ["y*erga"],
        "3p": ["y*ergan"],
      },
    },
  ],
  ["asir", { yoStem: "asg" }],
  ["oír", { yoStem: "oig" }],
  ["poder", { preteriteStem: "pud", futureStem: "podr", gerund: "pudi*endo" }],
  ["querer", { preteriteStem: "quis", futureStem: "querr" }],
  ["andar", { preteriteStem: "anduv" }],
  // conducir, traducir, producir...: the -zc- present follows the -cer/-cir rule.
  ["ducir", { preteriteStem: "duj" }],
  // Irregular participles only.
  ["scribir", { participle: "scrito" }],
  ["abrir", { participle: "abierto" }],
  ["cubrir", { participle: "cubierto" }],
  ["volver", { participle: "vuelto" }],
  ["solver", { participle: "suelto" }],
  ["morir", { participle: "muerto" }],
  ["romper", { participle: "roto" }],
  ["imprimir", { participle: "impreso" }],
  ["freír", { participle: "frito" }],
  // RAE: podrir is conjugated on pudr- throughout, except the participle podrido (and the infinitive).
  ["podrir", { stem: "pudr", futureStem: "pudrir", participle: "podrido" }],
  ["pudrir", { participle: "podrido" }],
]);
