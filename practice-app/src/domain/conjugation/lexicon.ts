// Facts about individual verbs that no rule predicts: which compounds share a root's irregularity,
// which verbs stress an i/u that would otherwise glide, and which -cer verbs escape -zc-.

import { IRREGULAR_VERBS, type IrregularVerb, prefixed } from "./irregular-verbs.ts";
import { STEM_CHANGES, type StemChange } from "./stem-changes.ts";

/**
 * Roots whose compounds conjugate like them. "any" is only used where every verb ending in the
 * root is such a compound (every -tener verb is like tener); otherwise the prefixes are listed,
 * because "ver" is also the end of "mover" and "volver".
 */
const FAMILIES: ReadonlyMap<string, "any" | readonly string[]> = new Map<string, "any" | readonly string[]>([
  ["tener", "any"],
  ["poner", "any"],
  ["venir", "any"],
  ["decir", "any"],
  ["hacer", "any"],
  ["traer", "any"],
  ["caer", "any"],
  ["valer", "any"],
  ["salir", "any"],
  ["oír", "any"],
  ["reír", "any"],
  ["freír", "any"],
  ["ducir", "any"],
  ["scribir", "any"],
  ["ver", ["pre", "entre", "re"]],
  ["volver", ["de", "en", "re", "desen"]],
  ["solver", ["re", "di", "ab"]],
  ["abrir", ["re", "entre"]],
  ["cubrir", ["des", "en", "re"]],
  ["imprimir", ["re"]],
]);

export interface Root {
  readonly root: string;
  readonly prefix: string;
}

/** The family root of a compound (obtener → tener + "ob"), or the verb itself. */
export function rootOf(infinitive: string): Root {
  let best: Root = { root: infinitive, prefix: "" };
  if (FAMILIES.has(infinitive)) return best;
  for (const [root, prefixes] of FAMILIES) {
    if (!infinitive.endsWith(root) || infinitive.length === root.length) continue;
    const prefix = infinitive.slice(0, -root.length);
    if (prefixes !== "any" && !prefixes.includes(prefix)) continue;
    if (best.prefix === "" || root.length > best.root.length) best = { root, prefix };
  }
  return best;
}

function lookup<T>(
  table: ReadonlyMap<string, T>,
  infinitive: string,
): { value: T; prefix: string } | undefined {
  const exact = table.get(infinitive);
  if (exact !== undefined) return { value: exact, prefix: "" };
  const { root, prefix } = rootOf(infinitive);
  const inherited = table.get(root);
  return inherited === undefined ? undefined : { value: inherited, prefix };
}

export function irregularData(infinitive: string): IrregularVerb | undefined {
  const found = lookup(IRREGULAR_VERBS, infinitive);
  return found === undefined ? undefined : prefixed(found.prefix, found.value);
}

export function stemChangeOf(infinitive: string): StemChange | undefined {
  return lookup(STEM_CHANGES, infinitive)?.value;
}

function set(words: string): ReadonlySet<string> {
  return new Set(words.trim().split(/\s+/));
}

/**
 * -iar verbs whose i is stressed (envío, like "río") rather than gliding (cambio, like "limpio").
 * Which is which is a fact of each verb; verbs that allow both (paliar, auxiliar, repatriar) are
 * left out and so conjugate like cambiar, which is also correct for them.
 */
const STRESSED_IAR = set(`
  enviar reenviar desviar extraviar guiar confiar desconfiar fiar criar malcriar liar aliar
  variar ampliar enfriar resfriar vaciar espiar esquiar desafiar rociar ansiar hastiar
  contrariar expiar porfiar chirriar averiar piar amnistiar inventariar descarriar estriar
  gloriar extasiar`);

/** Other verbs that stress an i/u next to another vowel: reúno, prohíbo, aíslo, ahúmo. */
const STRESSED_WEAK_VOWEL = set(`
  reunir prohibir cohibir aislar airar ahumar rehusar aullar maullar aunar ahijar rehundir
  embaular enraizar reír freír`);

export function stressesWeakVowel(infinitive: string, canonicalStem: string): boolean {
  if (STRESSED_IAR.has(infinitive) || STRESSED_WEAK_VOWEL.has(infinitive)) return true;
  // fotografiar, telegrafiar, radiografiar...: fotografío.
  if (infinitive.endsWith("grafiar")) return true;
  if (STRESSED_WEAK_VOWEL.has(rootOf(infinitive).root)) return true;
  // Every -uar verb stresses the u (continúo, actúo) except after c or g (evacuo, averiguo).
  return infinitive.endsWith("uar") && canonicalStem.endsWith("u") && !/[cg]u$/.test(canonicalStem);
}

/** -cer verbs after a vowel that do not take -zc- in the yo form (cuezo, mezo). */
const NO_ZC = set("cocer recocer escocer mecer remecer");

export function takesZc(infinitive: string): boolean {
  return /[aeiou]c[ei]r$/.test(infinitive) && !NO_ZC.has(infinitive);
}

/** -uir/-güir verbs and oír insert y before a vowel other than i: construyo, huyes, arguye, oye. */
export function insertsY(infinitive: string, canonicalStem: string): boolean {
  if (rootOf(infinitive).root === "oír") return true;
  return /(uir|üir)$/.test(infinitive) && /[uW]$/.test(canonicalStem);
}
