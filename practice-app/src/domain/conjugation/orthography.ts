// Written accents. Forms are assembled unaccented with a marker before the stressed vowel, and the
// accent is decided here from the general rules of Spanish spelling (RAE, Ortografía 2010). Doing it
// in one place keeps endings and irregular data free of accents, so prefixing a stem ("ves" →
// "prevés") or changing a stress ("envío" vs "cambio") cannot leave a stale or missing accent.

/** Marks the stressed vowel that follows it. */
export const STRESS = "*";
/** Marks a stressed vowel that always takes a written accent (diacritic accent: dé, sé). */
export const DIACRITIC = "!";

const MARKS = /[*!]/g;
const ACUTE: Readonly<Record<string, string>> = { a: "á", e: "é", i: "í", o: "ó", u: "ú" };
const PLAIN: Readonly<Record<string, string>> = { á: "a", é: "e", í: "i", ó: "o", ú: "u" };

export function stripAccents(text: string): string {
  return text.replace(/[áéíóú]/g, (ch) => PLAIN[ch] ?? ch);
}

export function stripMarks(text: string): string {
  return text.replace(MARKS, "");
}

export function hasMark(text: string): boolean {
  return text.includes(STRESS) || text.includes(DIACRITIC);
}

function isStrong(ch: string | undefined): boolean {
  return ch === "a" || ch === "e" || ch === "o";
}

function isWeak(ch: string | undefined): boolean {
  return ch === "i" || ch === "u" || ch === "ü";
}

/**
 * Positions of the letters that are pronounced as vowels. The "u" of "qu" and of "gue"/"gui" is
 * silent, and "y" counts as a consonant: a final "y" does not trigger an accent (estoy, hay).
 */
function vowelPositions(word: string): number[] {
  const positions: number[] = [];
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (!isStrong(ch) && !isWeak(ch)) continue;
    if (ch === "u") {
      const prev = word[i - 1];
      const next = word[i + 1];
      if (prev === "q" || (prev === "g" && (next === "e" || next === "i"))) continue;
    }
    positions.push(i);
  }
  return positions;
}

/** An "h" between vowels does not separate them for spelling purposes (prohíbo, rehúso). */
function adjacent(word: string, left: number, right: number): boolean {
  return right === left + 1 || (right === left + 2 && word[left + 1] === "h");
}

/** Where the stem of a stem-stressed form is stressed, or undefined if the stem has no vowel. */
export function markStemStress(stem: string): string | undefined {
  const vowels = vowelPositions(stem);
  let last = vowels.length - 1;
  if (last < 0) return undefined;
  // A stem-final i/u glides into the ending (cam-bie, a-ve-ri-güe), so the stress is further left.
  if (last > 0 && vowels[last] === stem.length - 1 && isWeak(stem[stem.length - 1])) last--;
  // ü is always a glide (pin-güi-no), never the stressed vowel.
  while (last >= 0 && stem[vowels[last] as number] === "ü") last--;
  if (last < 0) return undefined;
  let position = vowels[last] as number;
  const previous = vowels[last - 1];
  // In a diphthong the strong vowel carries the stress (bai-lo, piens-o).
  if (
    isWeak(stem[position]) &&
    previous !== undefined &&
    adjacent(stem, previous, position) &&
    isStrong(stem[previous])
  ) {
    position = previous;
  }
  return stem.slice(0, position) + STRESS + stem.slice(position);
}

/** Stresses the last i/u of the stem, for the verbs that break a diphthong (envío, reúno, prohíbo). */
export function markWeakVowelStress(stem: string): string {
  const plain = stripMarks(stem);
  for (let i = plain.length - 1; i >= 0; i--) {
    if ((plain[i] === "i" || plain[i] === "u") && vowelPositions(plain).includes(i)) {
      return plain.slice(0, i) + STRESS + plain.slice(i);
    }
  }
  return plain;
}

/** Puts the stress marker before the first vowel of an ending (for stems without a vowel: d-as, v-es). */
export function markFirstVowel(ending: string): string {
  const first = vowelPositions(ending)[0];
  if (first === undefined) return ending;
  return ending.slice(0, first) + STRESS + ending.slice(first);
}

/** Turns a marked form into its written form, adding the acute accent where spelling requires it. */
export function writeAccents(marked: string): string {
  const forced = marked.includes(DIACRITIC);
  const markAt = marked.search(MARKS);
  const word = stripMarks(marked);
  if (markAt < 0) return word;
  const stressAt = markAt;

  const vowels = vowelPositions(word);
  if (!vowels.includes(stressAt)) {
    throw new Error(`internal: stress marker of "${marked}" is not on a vowel`);
  }

  // Group vowels into syllable nuclei. Two strong vowels are always separate syllables; a stressed
  // i/u next to a strong vowel is a hiatus, which always takes a written accent (río, leído, reúna).
  let nuclei = 0;
  let stressedNucleus = -1;
  let hiatus = false;
  let previous: number | undefined;
  for (const position of vowels) {
    let join = previous !== undefined && adjacent(word, previous, position);
    if (join && previous !== undefined) {
      const a = word[previous];
      const b = word[position];
      if (isStrong(a) && isStrong(b)) {
        join = false;
      } else if (
        (previous === stressAt && isWeak(a) && isStrong(b)) ||
        (position === stressAt && isWeak(b) && isStrong(a))
      ) {
        join = false;
        hiatus = true;
      }
    }
    if (!join) nuclei++;
    if (position === stressAt) stressedNucleus = nuclei - 1;
    previous = position;
  }

  const fromEnd = nuclei - 1 - stressedNucleus;
  const endsInVowelNS = /[aeiouns]$/.test(word);
  const needsAccent =
    forced ||
    hiatus ||
    (nuclei > 1 && (fromEnd === 0 ? endsInVowelNS : fromEnd === 1 ? !endsInVowelNS : true));
  if (!needsAccent) return word;
  const accented = ACUTE[word[stressAt] as string];
  if (accented === undefined) throw new Error(`internal: cannot accent "${word[stressAt]}" in "${word}"`);
  return word.slice(0, stressAt) + accented + word.slice(stressAt + 1);
}
