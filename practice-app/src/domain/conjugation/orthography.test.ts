import { describe, expect, it } from "vitest";
import { markStemStress, writeAccents } from "./orthography.ts";
import { attach, canonicalStem } from "./spelling.ts";

describe("writeAccents", () => {
  it.each([
    ["habl*o", "habló"], // aguda ending in a vowel
    ["habl*ais", "habláis"], // aguda ending in s
    ["habl*aramos", "habláramos"], // esdrújula
    ["habl*aba", "hablaba"], // llana ending in a vowel
    ["est*oy", "estoy"], // final y counts as a consonant
    ["r*io", "río"], // hiatus: stressed i next to a strong vowel
    ["re*una", "reúna"],
    ["proh*ibo", "prohíbo"], // h does not break the hiatus
    ["constru*i", "construí"], // ui is a diphthong
    ["hu*i", "hui"], // monosyllable (Ortografía 2010)
    ["ri*ais", "riais"],
    ["gui*e", "guie"], // the u of gui is silent
    ["d!e", "dé"], // diacritic accent
    ["le*eis", "leéis"], // two strong vowels are two syllables
    ["averigü*eis", "averigüéis"], // ü + e + i is a triphthong
  ])("%s → %s", (marked, written) => {
    expect(writeAccents(marked)).toBe(written);
  });
});

describe("markStemStress", () => {
  it.each([
    ["cambi", "c*ambi"], // a final i glides into the ending
    ["piens", "pi*ens"], // the strong vowel of a diphthong
    ["bail", "b*ail"],
    ["quep", "qu*ep"], // the u of qu is silent
    ["v", undefined],
  ])("%s → %s", (stem, marked) => {
    expect(markStemStress(stem)).toBe(marked);
  });
});

describe("spelling changes", () => {
  it.each([
    ["busc", "a", "e", "busque"],
    ["lleg", "a", "e", "llegue"],
    ["empez", "a", "e", "empece"],
    ["escog", "e", "o", "escojo"],
    ["distingu", "i", "a", "distinga"],
    ["venc", "e", "o", "venzo"],
    ["averigu", "a", "e", "averigüe"],
    ["delinqu", "i", "o", "delinco"],
  ])("%s + %s-theme + %s → %s", (stem, theme, ending, written) => {
    expect(writeAccents(attach(canonicalStem(stem, theme as "a" | "e" | "i"), ending))).toBe(written);
  });
});
