// Spelling changes that keep a stem's sound when the ending changes, and the joins between stem and
// ending. A stem's last consonant is kept as a sound placeholder (an upper-case letter) until the
// ending is known, so "busK" + "e" is written "busque" and "venZ" + "o" "venzo": the -car, -gar,
// -zar, -ger/-gir, -guir, -cer/-cir and -guar rules are then one table instead of one rule each.

import { hasMark, markFirstVowel, markStemStress, stripMarks } from "./orthography.ts";

type Spelling = readonly [beforeFrontVowel: string, elsewhere: string];

const SOUNDS: Readonly<Record<string, Spelling>> = {
  K: ["qu", "c"], // /k/: busqué, busco
  Z: ["c", "z"], // /θ/: empecé, venzo, conozco
  G: ["gu", "g"], // /g/: llegué, sigo
  J: ["g", "j"], // /x/ of -ger/-gir: escoges, escojo
  W: ["gü", "gu"], // /gw/: averigüe, averiguo
};

/**
 * The infinitive's stem with its final consonant turned into a sound placeholder. The theme vowel
 * tells which sound the letter has: the "c" of "buscar" is /k/, that of "vencer" is /θ/.
 */
export function canonicalStem(stem: string, themeVowel: "a" | "e" | "i"): string {
  const front = themeVowel !== "a";
  if (stem.endsWith("gü")) return `${stem.slice(0, -2)}W`;
  if (stem.endsWith("gu")) return `${stem.slice(0, -2)}${front ? "G" : "W"}`;
  if (stem.endsWith("qu") && front) return `${stem.slice(0, -2)}K`;
  if (stem.endsWith("c")) return `${stem.slice(0, -1)}${front ? "Z" : "K"}`;
  if (stem.endsWith("z")) return `${stem.slice(0, -1)}Z`;
  if (stem.endsWith("g")) return `${stem.slice(0, -1)}${front ? "J" : "G"}`;
  return stem;
}

/** Writes the sound placeholders according to the vowel that follows them. */
export function respell(word: string): string {
  let out = "";
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] as string;
    const spelling = SOUNDS[ch];
    if (spelling === undefined) {
      out += ch;
      continue;
    }
    const next = stripMarks(word.slice(i + 1))[0];
    out += next === "e" || next === "i" ? spelling[0] : spelling[1];
  }
  return out;
}

const VOWEL_LETTERS = new Set(["a", "e", "o", "u", "i"]);

/**
 * Joins a stem and an ending into a marked form (placeholders written, accents not yet).
 * An ending without a stress marker is stem-stressed; the stem then gets its default stress unless
 * it already carries one.
 */
export function attach(stem: string, ending: string): string {
  let left = stem;
  let right = ending;
  if (hasMark(right)) {
    left = stripMarks(left);
  } else if (!hasMark(left)) {
    const marked = markStemStress(left);
    if (marked === undefined) right = markFirstVowel(right);
    else left = marked;
  }

  // An unstressed i between vowels is written y (leyó, construyeron, oyendo); after i, ñ or ll it is
  // absorbed (rio, riñó, bulló). W (the /gw/ of argüir) ends in a vowel sound too: arguyó.
  if (/^i[*!]?[aeo]/.test(right)) {
    const plainLeft = stripMarks(left);
    const last = plainLeft[plainLeft.length - 1] ?? "";
    if (last === "i" || last === "ñ" || plainLeft.endsWith("ll")) {
      right = right.slice(1);
    } else if (VOWEL_LETTERS.has(last) || last === "W") {
      right = `y${right.slice(1)}`;
    }
  }
  return respell(left + right);
}
