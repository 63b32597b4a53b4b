// Generates practice-app/src/domain/conjugation/lexicon/lexicon-data.ts: every verb of the Spanish
// Hunspell dictionary (npm dictionary-es, from the RLA-ES project) with the RAE conjugation model it
// follows. Run: node practice-app/tools/lexicon/generate.ts   (see that folder's README.md).
//
// How a verb's model is chosen, in order:
// 1. OVERRIDES below, each with its reason (where the dictionary itself is wrong or silent);
// 2. the dictionary's own evidence: every model that can apply to the verb conjugates it, and the one
//    whose forms the dictionary lists for that verb most often wins. Ties go to the model the verb
//    inherits as a prefixed compound (desandar ← andar), then to the regular model;
// 3. a verb the dictionary lists without any verb flags is kept only if it is such a compound
//    (desandar, concernir): otherwise nothing is known about it, and it is left out (refused).
// NOT_VERBS below are left out whatever the dictionary says: entries that only look like infinitives.

import { writeFileSync } from "node:fs";
import dictionary from "dictionary-es";
import {
  conjugateByModel,
  isWellFormedInfinitive,
  MODELS,
  nonFiniteByModel,
  parseInfinitive,
} from "../../src/domain/conjugation/index.ts";
import { type EngineFormSpec, PERSONS } from "../../src/domain/grammar.ts";
import { expand, readHunspell } from "./hunspell.ts";

const OUTPUT = new URL("../../src/domain/conjugation/lexicon/lexicon-data.ts", import.meta.url);

/** Models decided by hand, where the dictionary's forms are wrong, missing or ambiguous. */
export const OVERRIDES: Readonly<Record<string, { model: string; reason: string }>> = {
  podrir: { model: "podrir", reason: "listed without flags; RAE: conjugated on pudr- except podrido" },
  pudrir: { model: "pudrir", reason: "the dictionary omits the participle; RAE: podrido" },
  rehuir: { model: "rehuir", reason: "the dictionary writes rehuyo; RAE (Ortografía 2010): rehúyo" },
  reunir: { model: "reunir", reason: "RAE: reúno (hiatus written)" },
  prohijar: { model: "aislar", reason: "the dictionary writes prohijo; RAE: prohíjo" },
  ahijar: { model: "aislar", reason: "RAE: ahíjo" },
  concernir: { model: "discernir", reason: "listed without flags; RAE: conjug. c. discernir (defective)" },
  abolir: { model: "partir", reason: "listed without flags; RAE: regular (once defective)" },
  erguir: { model: "erguir", reason: "RAE: irgo or yergo; irgo is produced" },
  muir: { model: "construir", reason: "RAE: conjug. c. construir (muyo)" },
  deconstruir: { model: "construir", reason: "a compound of construir; the dictionary's flags give partir" },
  romper: { model: "romper", reason: "the dictionary also lists rompido; RAE: roto" },
  predecir: { model: "predecir", reason: "RAE (DPD): tú predice, future predeciré, unlike decir's di, diré" },
  contradecir: { model: "contradecir", reason: "RAE (DPD): tú contradice, future contradeciré" },
  desdecir: { model: "desdecir", reason: "RAE (DPD): tú desdice, future desdeciré" },
  ir: {
    model: "ir",
    reason: "the dictionary lists the infinitive bare and spells out only some forms, too few to decide",
  },
  haber: {
    model: "haber",
    reason: "the dictionary lists the infinitive bare and spells out only some forms, too few to decide",
  },
  andar: {
    model: "andar",
    reason: "the dictionary lists the infinitive bare and spells out only some forms, too few to decide",
  },
  poder: {
    model: "poder",
    reason: "the dictionary lists the infinitive bare and spells out only some forms, too few to decide",
  },
  imprimir: {
    model: "imprimir",
    reason: "RAE: impreso and imprimido; impreso, the more common, is produced",
  },
  freír: { model: "freír", reason: "RAE: frito and freído; frito, the more common, is produced" },
  reír: { model: "reír", reason: "the dictionary's forms fit pedir as well; RAE: conjug. c. reír" },
  desleír: {
    model: "reír",
    reason: "RAE: conjug. c. reír (deslío, deslió); the dictionary's flags give sentir",
  },
  colar: {
    model: "contar",
    reason: "RAE: conjug. c. contar (cuelo); the dictionary lists only regular forms",
  },
  errar: { model: "acertar", reason: "RAE: yerro (erro is American usage); the dictionary lists only erro" },
  adir: {
    model: "partir",
    reason:
      "listed without flags, and once kept only as a- + dir (not a verb); RAE: adir (la herencia), regular",
  },
  soler: {
    model: "mover",
    reason:
      "listed only as a noun (flag S), its forms spelt out as words; RAE: conjug. c. mover, defective (suelo, solía; no future or imperative in use)",
  },
  apostar: {
    model: "contar",
    reason:
      "the dictionary gives only regular forms, those of apostar² (to post); apostar¹, 'to bet', the common verb, is conjug. c. contar (RAE): apuesto",
  },
  yacer: {
    model: "yacer",
    reason: "its forms fit agradecer too; RAE: a model of its own (yazco, also yazgo and yago)",
  },
  placer: {
    model: "placer",
    reason: "its forms fit agradecer too; RAE: a model of its own (plazco, archaic plugo and plegue)",
  },
  // They end like placer, so rule 2 would let them inherit its model on a tie.
  ...Object.fromEntries(
    ["aplacer", "complacer", "desplacer", "displacer"].map((verb) => [
      verb,
      {
        model: "agradecer",
        reason: "ends like placer but has none of its old forms (plugo, plegue): c. agradecer (complazco)",
      },
    ]),
  ),
};

/**
 * Dictionary entries shaped like infinitives that are not verbs: left out, so the engine refuses them.
 * Each would otherwise be kept by rule 3 (a bare entry whose forms look attested, or a prefix + root).
 */
export const NOT_VERBS: Readonly<Record<string, string>> = {
  der: "a bare entry, no verb in the DLE; kept only because its regular forms (do, de, di, dio) are words",
  dir: "a bare entry, no verb in the DLE; kept only because its regular forms (do, de, di, dio) are words",
  eser: "a bare entry, no verb in the DLE; kept only because it looks like e- + ser",
};

/** Spanish verbal prefixes, for compounds that inherit their root's model. */
const PREFIXES = `a ab abs ad ante anti auto bien circun co com con contra de des di dis e em en entre
  ex extra im in inter mal per pos pre pro re res retro sobre so sub super sus tras trans`.split(/\s+/);

/** How many of a bare infinitive's signature forms must be words of the dictionary to keep it. */
const SPELLED_OUT = 20;

const SPECS: readonly EngineFormSpec[] = [
  { mood: "indicative", tense: "present" },
  { mood: "indicative", tense: "preterite" },
  { mood: "subjunctive", tense: "present" },
  { mood: "subjunctive", tense: "imperfect" },
  { mood: "indicative", tense: "future" },
  { mood: "imperative", tense: "affirmative" },
];

/** The forms that tell models apart, conjugated by one model. */
function signature(verb: string, modelId: string): string[] {
  const forms: string[] = [
    nonFiniteByModel(verb, modelId, "participle"),
    nonFiniteByModel(verb, modelId, "gerund"),
  ];
  for (const spec of SPECS) {
    for (const person of PERSONS) {
      if (spec.mood === "imperative" && person === "1s") continue;
      forms.push(...conjugateByModel(verb, modelId, spec, person));
    }
  }
  return forms;
}

function candidates(verb: string): string[] {
  const { theme } = parseInfinitive(verb);
  return [...MODELS.values()]
    .filter((m) => m.themes.includes(theme) && (m.root === undefined || verb.endsWith(m.root)))
    .filter((m) => m.pattern === undefined || m.pattern.test(verb))
    .map((m) => m.id);
}

function main(): void {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const hunspell = readHunspell(decode(dictionary.aff), decode(dictionary.dic));
  const shaped = /^[a-zñáéíóúü]+(?:ar|er|ir|ír)$/;
  const flagged: string[] = [];
  const bare: string[] = [];
  for (const [word, flags] of hunspell.entries) {
    if (!shaped.test(word) || !isWellFormedInfinitive(word) || word in NOT_VERBS) continue;
    if (/[RIX]/.test(flags)) flagged.push(word);
    else if (flags === "") bare.push(word);
  }
  const models = new Map<string, string>();

  function inherited(verb: string): string | undefined {
    for (const prefix of PREFIXES) {
      const root = verb.slice(prefix.length);
      if (!verb.startsWith(prefix) || root.length < 3 || !(models.has(root) || root in OVERRIDES)) continue;
      const rootModel = models.get(root) ?? OVERRIDES[root]?.model;
      if (rootModel === undefined) continue;
      const model = MODELS.get(rootModel);
      // A rooted model must still end the compound (andar → desandar), a plain one always does.
      if (model && (model.root === undefined || verb.endsWith(model.root))) return rootModel;
    }
    return undefined;
  }

  function classify(verb: string): { model: string; score: number } {
    const override = OVERRIDES[verb];
    if (override) return { model: override.model, score: Number.POSITIVE_INFINITY };
    // The verb's own forms, and words the dictionary lists on their own: it spells out the forms its
    // affix rules cannot express (soy, fui, juego), rather than flagging the infinitive.
    const own = expand(hunspell, verb);
    const attested = (form: string) => own.has(form) || hunspell.entries.has(form);
    const inherit = inherited(verb);
    let best = "";
    let bestScore = -1;
    for (const id of candidates(verb)) {
      const score = signature(verb, id).filter(attested).length;
      const better = score > bestScore || (score === bestScore && id === inherit && best !== inherit);
      if (better) {
        best = id;
        bestScore = score;
      }
    }
    return { model: best, score: bestScore };
  }

  // Roots before compounds, so a compound can inherit: shorter infinitives first.
  flagged.sort((a, b) => a.length - b.length || a.localeCompare(b, "es"));
  for (const verb of flagged) models.set(verb, classify(verb).model);
  // A bare infinitive is kept when it is a compound of a listed verb (desandar ← andar), or when the
  // dictionary spells out its forms as words of their own (jugar: juego, jugamos, jugué...).
  let bareKept = 0;
  bare.sort((a, b) => a.length - b.length || a.localeCompare(b, "es"));
  for (const verb of bare) {
    const { model, score } = classify(verb);
    const chosen = inherited(verb) ?? (score >= SPELLED_OUT ? model : undefined);
    if (chosen === undefined) continue;
    models.set(verb, chosen);
    bareKept++;
  }
  for (const [verb, { model }] of Object.entries(OVERRIDES)) models.set(verb, model);

  const byModel = new Map<string, string[]>();
  for (const [verb, model] of models) byModel.set(model, [...(byModel.get(model) ?? []), verb]);
  const blocks = [...MODELS.keys()]
    .filter((id) => byModel.has(id))
    .map((id) => {
      const verbs = (byModel.get(id) ?? []).sort((a, b) => a.localeCompare(b, "es"));
      const lines: string[] = [];
      let line = "";
      for (const verb of verbs) {
        if (line.length + verb.length > 100) {
          lines.push(line.trimEnd());
          line = "";
        }
        line += `${verb} `;
      }
      lines.push(line.trimEnd());
      return `  ${JSON.stringify(id)}: \`\n${lines.join("\n")}\`,`;
    });
  const text = `// GENERATED by practice-app/tools/lexicon/generate.ts from dictionary-es 4.0.0 (RLA-ES, es_ES);
// do not edit by hand: change the generator's OVERRIDES and run it again. ${models.size} verbs.
// Derived from the RLA-ES dictionary, which is tri-licensed GPL-3.0+/LGPL-3.0+/MPL-1.1+; this file is
// distributed under the Mozilla Public License 2.0 (MPL-1.1 "or later"). See lexicon/README.md.

/** Model id (models.ts) → the verbs that follow it, separated by white space. */
export const LEXICON_BY_MODEL: Readonly<Record<string, string>> = {
${blocks.join("\n")}
};
`;
  writeFileSync(OUTPUT, text);
  const counts = [...byModel].map(([id, verbs]) => `${id} ${verbs.length}`).join(", ");
  console.log(`${models.size} verbs (${flagged.length} with verb flags, ${bareKept} bare infinitives kept)`);
  console.log(counts);
}

main();
