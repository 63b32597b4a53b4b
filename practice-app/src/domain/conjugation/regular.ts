// Regular endings, in person order 1s 2s 3s 1p 2p 3p. "*" marks a stressed ending; an ending without
// it is stem-stressed (habl-o, piens-a). Accents are added later from the stress (orthography.ts).

import type { SixForms } from "./irregular-verbs.ts";

export type Theme = "ar" | "er" | "ir";

export const PRESENT: Readonly<Record<Theme, SixForms>> = {
  ar: ["o", "as", "a", "*amos", "*ais", "an"],
  er: ["o", "es", "e", "*emos", "*eis", "en"],
  ir: ["o", "es", "e", "*imos", "*is", "en"],
};

export const PRESENT_SUBJUNCTIVE: Readonly<Record<Theme, SixForms>> = {
  ar: ["e", "es", "e", "*emos", "*eis", "en"],
  er: ["a", "as", "a", "*amos", "*ais", "an"],
  ir: ["a", "as", "a", "*amos", "*ais", "an"],
};

const PRETERITE_ER_IR: SixForms = ["*i", "*iste", "i*o", "*imos", "*isteis", "i*eron"];

export const PRETERITE: Readonly<Record<Theme, SixForms>> = {
  ar: ["*e", "*aste", "*o", "*amos", "*asteis", "*aron"],
  er: PRETERITE_ER_IR,
  ir: PRETERITE_ER_IR,
};

/** Strong preterites stress the stem in 1s and 3s (tuve, tuvo) whatever the conjugation. */
export const STRONG_PRETERITE: SixForms = ["e", "*iste", "o", "*imos", "*isteis", "i*eron"];
/** After the j of a strong stem the i of -ieron is lost: dijeron, trajeron, condujeron. */
export const STRONG_PRETERITE_AFTER_J: SixForms = ["e", "*iste", "o", "*imos", "*isteis", "*eron"];

const IMPERFECT_ER_IR: SixForms = ["*ia", "*ias", "*ia", "*iamos", "*iais", "*ian"];

export const IMPERFECT: Readonly<Record<Theme, SixForms>> = {
  ar: ["*aba", "*abas", "*aba", "*abamos", "*abais", "*aban"],
  er: IMPERFECT_ER_IR,
  ir: IMPERFECT_ER_IR,
};

export const FUTURE: SixForms = ["*e", "*as", "*a", "*emos", "*eis", "*an"];
export const CONDITIONAL: SixForms = IMPERFECT_ER_IR;

/** Imperfect subjunctive endings, added after the stressed vowel of the preterite 3p (habla|ron). */
export const IMPERFECT_SUBJUNCTIVE: Readonly<Record<"ra" | "se", SixForms>> = {
  ra: ["ra", "ras", "ra", "ramos", "rais", "ran"],
  se: ["se", "ses", "se", "semos", "seis", "sen"],
};

/** The archaic future subjunctive, built like the imperfect: habla|re, tuvie|re. */
export const FUTURE_SUBJUNCTIVE: SixForms = ["re", "res", "re", "remos", "reis", "ren"];

export const GERUND: Readonly<Record<Theme, string>> = { ar: "*ando", er: "i*endo", ir: "i*endo" };

export const PARTICIPLE: Readonly<Record<Theme, string>> = { ar: "*ado", er: "*ido", ir: "*ido" };
