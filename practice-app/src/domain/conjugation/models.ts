// The conjugation models: the RAE's classes of verbs that conjugate alike (the "conjug. c. acertar"
// of the Diccionario de la lengua española, and the model verbs of the Nueva gramática's appendix).
// A model is data: which rules apply to its verbs. Which verb follows which model is the lexicon's
// business (lexicon/), never guessed from the spelling: tentar follows acertar, intentar does not.
//
// Orthographic changes (sacar → saqué, vencer → venzo, averiguar → averigüe) and the y of leer
// (leyó) are rules of spelling applied to every verb (spelling.ts), so amar, temer and partir cover
// them, as the RAE's models do.

import { IRREGULAR_VERBS, type IrregularVerb } from "./irregular-verbs.ts";
import type { Theme } from "./regular.ts";
import type { StemChange } from "./stem-changes.ts";

export interface ConjugationModel {
  /** The RAE model verb that names the class: "acertar", "contar", "pedir". */
  readonly id: string;
  /** The infinitive endings the model exists for. */
  readonly themes: readonly Theme[];
  /**
   * The shape an infinitive must have for the model to make sense (enviar: -iar). Only the lexicon
   * generator uses it, to choose among models whose rules coincide; the lexicon decides.
   */
  readonly pattern?: RegExp;
  readonly stemChange?: StemChange;
  /**
   * -ir stem changers close the stem vowel before a stressed a or ió/ie (sintió, durmamos,
   * pidiendo); discernir and its kind do not (discernió). Default: true for -ir verbs.
   */
  readonly raises?: boolean;
  /** -cer/-cir after a vowel: /θ/ + /k/ before a and o (agradezco, luzca). */
  readonly zc?: boolean;
  /** y before a vowel other than i (construyo, huyes). */
  readonly insertsY?: boolean;
  /** The last i/u of the stem is stressed in the stem-stressed forms (envío, actúo, reúno, rehúyo). */
  readonly weakStress?: boolean;
  /**
   * For verbs with irregular stems: the end every verb of the family shares ("tener" for obtener,
   * "scribir" for describir). Its irregular stems are taken from irregular-verbs.ts and prefixed
   * with whatever precedes the root (ob-tuv-e).
   */
  readonly root?: string;
  /** Only for documentation and teaching: what the model is known for. */
  readonly example: string;
}

const AR: readonly Theme[] = ["ar"];
const ER: readonly Theme[] = ["er"];
const IR: readonly Theme[] = ["ir"];

const MODEL_LIST: readonly ConjugationModel[] = [
  // Regular (the orthographic changes are rules, not models).
  { id: "amar", themes: AR, example: "amo, amé, ame" },
  { id: "temer", themes: ER, example: "temo, temí, tema" },
  { id: "partir", themes: IR, example: "parto, partí, parta" },
  // Stem changes.
  { id: "acertar", themes: AR, stemChange: "e>ie", example: "acierto, acertamos" },
  { id: "entender", themes: ER, stemChange: "e>ie", example: "entiendo, entendemos" },
  { id: "discernir", themes: IR, stemChange: "e>ie", raises: false, example: "discierno, discernió" },
  { id: "sentir", themes: IR, stemChange: "e>ie", example: "siento, sintió, sintamos" },
  { id: "contar", themes: AR, stemChange: "o>ue", example: "cuento, contamos" },
  { id: "mover", themes: ER, stemChange: "o>ue", example: "muevo, movemos" },
  { id: "dormir", themes: IR, stemChange: "o>ue", example: "duermo, durmió, durmamos" },
  { id: "jugar", themes: AR, stemChange: "u>ue", pattern: /ugar$/, example: "juego, jugamos" },
  { id: "adquirir", themes: IR, stemChange: "i>ie", example: "adquiero, adquirimos" },
  // ceñir and pedir differ only in what spelling does after ñ (ciñó), so ñ verbs are listed first.
  { id: "ceñir", themes: IR, stemChange: "e>i", pattern: /ñir$/, example: "ciño, ciñó, ciñera" },
  { id: "pedir", themes: IR, stemChange: "e>i", example: "pido, pidió, pidamos" },
  // A stressed i or u where other verbs have a diphthong.
  { id: "enviar", themes: AR, weakStress: true, pattern: /iar$/, example: "envío, enviamos" },
  { id: "actuar", themes: AR, weakStress: true, pattern: /uar$/, example: "actúo, actuamos" },
  { id: "enraizar", themes: AR, weakStress: true, pattern: /aizar$/, example: "enraízo, enraicé" },
  { id: "aislar", themes: AR, weakStress: true, pattern: /[ao]h?i[^aeiou]+ar$/, example: "aíslo, aislamos" },
  { id: "aunar", themes: AR, weakStress: true, pattern: /ah?u[^aeiou]+ar$/, example: "aúno, ahúmo" },
  {
    id: "descafeinar",
    themes: AR,
    weakStress: true,
    pattern: /eh?i[^aeiou]+ar$/,
    example: "descafeíno, europeíza",
  },
  { id: "rehusar", themes: AR, weakStress: true, pattern: /eh?u[^aeiou]+ar$/, example: "rehúso" },
  { id: "prohibir", themes: IR, weakStress: true, pattern: /[aeo]h?i[^aeiou]+ir$/, example: "prohíbo" },
  { id: "reunir", themes: IR, weakStress: true, pattern: /[aeo]h?u[^aeiou]+ir$/, example: "reúno" },
  // -zc- and -y-.
  { id: "agradecer", themes: ER, zc: true, pattern: /[aeiou]cer$/, example: "agradezco, agradezca" },
  { id: "lucir", themes: IR, zc: true, pattern: /[aeiou]cir$/, example: "luzco, luzca" },
  { id: "conducir", themes: IR, zc: true, root: "ducir", example: "conduzco, conduje" },
  { id: "construir", themes: IR, insertsY: true, pattern: /(u|ü)ir$/, example: "construyo, construyó" },
  { id: "rehuir", themes: IR, insertsY: true, weakStress: true, pattern: /[aeo]h?uir$/, example: "rehúyo" },
  // Irregular verbs; compounds share the model (obtener c. tener, desandar c. andar).
  { id: "ser", themes: ER, root: "ser", example: "soy, fui, sea" },
  { id: "ir", themes: IR, root: "ir", example: "voy, fui, vaya" },
  { id: "estar", themes: AR, root: "estar", example: "estoy, estuve, esté" },
  { id: "haber", themes: ER, root: "haber", example: "he, hube, haya" },
  { id: "dar", themes: AR, root: "dar", example: "doy, di, dé" },
  { id: "saber", themes: ER, root: "saber", example: "sé, supe, sepa" },
  { id: "ver", themes: ER, root: "ver", example: "veo, vi, vea, visto" },
  { id: "caber", themes: ER, root: "caber", example: "quepo, cupe, quepa" },
  { id: "tener", themes: ER, root: "tener", stemChange: "e>ie", example: "tengo, tienes, tuve" },
  { id: "venir", themes: IR, root: "venir", stemChange: "e>ie", example: "vengo, vienes, vine" },
  { id: "poner", themes: ER, root: "poner", example: "pongo, puse, puesto" },
  { id: "salir", themes: IR, root: "salir", example: "salgo, saldré" },
  { id: "valer", themes: ER, root: "valer", example: "valgo, valdré" },
  { id: "hacer", themes: ER, root: "hacer", example: "hago, hice, hecho" },
  { id: "satisfacer", themes: ER, root: "satisfacer", example: "satisfago, satisfice" },
  { id: "decir", themes: IR, root: "decir", stemChange: "e>i", example: "digo, dije, diré" },
  { id: "predecir", themes: IR, root: "predecir", stemChange: "e>i", example: "predigo, predeciré" },
  { id: "bendecir", themes: IR, root: "bendecir", stemChange: "e>i", example: "bendigo, bendecido" },
  { id: "maldecir", themes: IR, root: "maldecir", stemChange: "e>i", example: "maldigo, maldecido" },
  { id: "contradecir", themes: IR, root: "contradecir", stemChange: "e>i", example: "contradigo" },
  { id: "desdecir", themes: IR, root: "desdecir", stemChange: "e>i", example: "desdigo" },
  { id: "traer", themes: ER, root: "traer", example: "traigo, traje" },
  { id: "caer", themes: ER, root: "caer", example: "caigo, cayó" },
  { id: "raer", themes: ER, root: "raer", example: "raigo, rayó" },
  { id: "asir", themes: IR, root: "asir", example: "asgo, asga" },
  { id: "oír", themes: IR, root: "oír", insertsY: true, example: "oigo, oyes" },
  { id: "poder", themes: ER, root: "poder", stemChange: "o>ue", example: "puedo, pude, podré" },
  { id: "querer", themes: ER, root: "querer", stemChange: "e>ie", example: "quiero, quise, querré" },
  { id: "andar", themes: AR, root: "andar", example: "ando, anduve" },
  { id: "reír", themes: IR, stemChange: "e>i", weakStress: true, example: "río, rio, ría, desleír" },
  { id: "freír", themes: IR, root: "freír", stemChange: "e>i", weakStress: true, example: "frío, frito" },
  { id: "erguir", themes: IR, root: "erguir", stemChange: "e>i", example: "irgo, irguió" },
  { id: "podrir", themes: IR, root: "podrir", example: "pudro, pudrió, podrido" },
  { id: "pudrir", themes: IR, root: "pudrir", example: "pudro, pudrió, podrido" },
  { id: "yacer", themes: ER, root: "yacer", zc: true, example: "yazco, yació" },
  { id: "placer", themes: ER, zc: true, example: "plazco, plació" },
  // Regular or stem-changing verbs with an irregular participle.
  { id: "escribir", themes: IR, root: "scribir", example: "escribo, escrito" },
  { id: "abrir", themes: IR, root: "abrir", example: "abro, abierto" },
  { id: "cubrir", themes: IR, root: "cubrir", example: "cubro, cubierto" },
  { id: "romper", themes: ER, root: "romper", example: "rompo, roto" },
  { id: "imprimir", themes: IR, root: "imprimir", example: "imprimo, impreso" },
  { id: "volver", themes: ER, root: "volver", stemChange: "o>ue", example: "vuelvo, vuelto" },
  { id: "resolver", themes: ER, root: "solver", stemChange: "o>ue", example: "resuelvo, resuelto" },
  { id: "morir", themes: IR, root: "morir", stemChange: "o>ue", example: "muero, murió, muerto" },
];

export const MODELS: ReadonlyMap<string, ConjugationModel> = new Map(MODEL_LIST.map((m) => [m.id, m]));

/** The regular model of each ending: what a guessed (unknown) verb is conjugated by. */
export const REGULAR_MODEL: Readonly<Record<Theme, ConjugationModel>> = {
  ar: MODELS.get("amar") as ConjugationModel,
  er: MODELS.get("temer") as ConjugationModel,
  ir: MODELS.get("partir") as ConjugationModel,
};

/** The irregular stems and forms of a model's root, if it has any. */
export function irregularOf(model: ConjugationModel): IrregularVerb | undefined {
  return model.root === undefined ? undefined : IRREGULAR_VERBS.get(model.root);
}
