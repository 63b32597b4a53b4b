// Stem-vowel changes. Which verbs change is a fact of the lexicon (pensar changes, compensar does
// not), so it is listed; how and where it changes is a rule.

/** "e>ie": piensa; "o>ue": vuelve; "u>ue": juega; "i>ie": adquiere; "e>i": pide. */
export type StemChange = "e>ie" | "o>ue" | "u>ue" | "i>ie" | "e>i";

function entries(change: StemChange, verbs: string): [string, StemChange][] {
  return verbs
    .trim()
    .split(/\s+/)
    .map((verb) => [verb, change]);
}

export const STEM_CHANGES: ReadonlyMap<string, StemChange> = new Map<string, StemChange>([
  ...entries(
    "e>ie",
    `pensar cerrar comenzar empezar despertar sentar negar nevar calentar confesar gobernar
     recomendar merendar atravesar regar fregar temblar tropezar apretar acertar manifestar
     quebrar sembrar helar enterrar plegar desplegar renegar encerrar errar
     querer perder entender defender encender tender atender extender descender ascender
     verter trascender condescender tener venir
     sentir consentir presentir resentir asentir disentir mentir desmentir preferir referir
     transferir conferir diferir inferir interferir sugerir digerir herir hervir divertir
     convertir advertir invertir pervertir revertir requerir adherir erguir`,
  ),
  ...entries(
    "o>ue",
    `contar recontar descontar encontrar recordar acordar acostar recostar costar mostrar
     demostrar probar comprobar aprobar sonar soñar volar rogar colgar almorzar forzar esforzar
     reforzar soltar tostar consolar renovar apostar avergonzar rodar tronar poblar
     poder volver mover remover conmover promover llover doler soler morder torcer retorcer
     cocer recocer escocer oler solver
     dormir morir`,
  ),
  ...entries("u>ue", "jugar"),
  ...entries("i>ie", "adquirir inquirir"),
  ...entries(
    "e>i",
    `pedir despedir impedir expedir medir servir repetir competir seguir conseguir perseguir
     proseguir vestir desvestir revestir investir elegir reelegir corregir regir reír freír
     gemir rendir teñir desteñir reñir ceñir concebir derretir embestir decir`,
  ),
]);

const FROM: Readonly<Record<StemChange, string>> = {
  "e>ie": "e",
  "o>ue": "o",
  "u>ue": "u",
  "i>ie": "i",
  "e>i": "e",
};

/** The diphthong or closed vowel a stressed stem takes. */
const TO: Readonly<Record<StemChange, string>> = {
  "e>ie": "ie",
  "o>ue": "ue",
  "u>ue": "ue",
  "i>ie": "ie",
  "e>i": "i",
};

/** The closed vowel of -ir verbs when the ending starts with a stressed a or with ió/ie (durmamos, pidió). */
const RAISED: Readonly<Record<StemChange, string>> = {
  "e>ie": "i",
  "o>ue": "u",
  "u>ue": "u",
  "i>ie": "i",
  "e>i": "i",
};

function replaceLast(stem: string, change: StemChange, replacement: string): string {
  const at = stem.lastIndexOf(FROM[change]);
  if (at < 0) return stem;
  let written = replacement;
  // A diphthong cannot begin a word as a bare vowel: oler → huele, errar → yerra.
  if (at === 0 && written === "ue") written = "hue";
  if (at === 0 && written === "ie") written = "ye";
  // After g, the u of "ue" must be heard: avergonzar → avergüenza.
  if (written === "ue" && stem[at - 1] === "g") written = "üe";
  return stem.slice(0, at) + written + stem.slice(at + 1);
}

/** The stem of the stem-stressed forms (piens-, vuelv-, pid-). */
export function stressedStem(stem: string, change: StemChange): string {
  return replaceLast(stem, change, TO[change]);
}

/** The stem of -ir verbs before a stressed a or ió/ie: sint-amos, durm-ió, pid-iera. */
export function raisedStem(stem: string, change: StemChange): string {
  return replaceLast(stem, change, RAISED[change]);
}
