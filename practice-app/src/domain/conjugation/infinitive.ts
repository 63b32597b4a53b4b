// What counts as an infinitive. Input is forgiving about case, surrounding spaces and Unicode form
// (learners and seed files vary), but not about anything that would make the verb ambiguous.

import { ConjugationError } from "./errors.ts";
import type { Theme } from "./regular.ts";

export interface ParsedInfinitive {
  /** Lower-case, trimmed, NFC; -eír/-oír with their accent. */
  readonly infinitive: string;
  /** The stem without the theme vowel and r, accent removed: "habl", "re" (reír), "" (ir). */
  readonly stem: string;
  readonly theme: Theme;
}

const EXAMPLE = 'a bare Spanish infinitive ending in -ar, -er or -ir, such as "hablar", "comer" or "vivir"';

function fail(input: unknown, reason: string): never {
  throw new ConjugationError(`Cannot conjugate ${JSON.stringify(input)}: ${reason}; expected ${EXAMPLE}.`);
}

/** Parses an infinitive or throws a ConjugationError saying why it is not one. */
export function parseInfinitive(input: unknown): ParsedInfinitive {
  if (typeof input !== "string") fail(input, "it is not a string");
  let word = input.normalize("NFC").trim().toLowerCase();
  if (word === "") fail(input, "it is empty");
  if (/\s/.test(word)) fail(input, "it contains more than one word");

  const reflexive = /^(.*(?:ar|er|ir|ír))se$/.exec(word);
  if (reflexive) {
    throw new ConjugationError(
      `Cannot conjugate ${JSON.stringify(input)}: reflexive infinitives are not supported; pass the bare infinitive "${reflexive[1]}" (the pronoun is not part of the form).`,
    );
  }
  if (!/^[a-zñáéíóúü]+$/.test(word)) fail(input, "it contains characters that are not Spanish letters");

  // ü is only written in güe/güi (argüir); anywhere else it is not Spanish spelling.
  if (/ü/.test(word) && !/^(?:[^ü]|gü(?=[eií]))*$/.test(word))
    fail(input, "ü is only written in güe and güi");

  // "reir"/"oir" are common spellings of reír/oír; no Spanish infinitive ends in an unaccented -eir/-oir.
  if (/[eo]ir$/.test(word)) word = `${word.slice(0, -2)}ír`;

  const match = /^([a-zñü]*)(ar|er|ir|ír)$/.exec(word);
  if (!match) {
    if (/(ar|er|ir|ír)$/.test(word))
      fail(input, "Spanish infinitives have no written accent except in -eír/-oír");
    fail(input, "it does not end in -ar, -er or -ir");
  }
  const stem = match[1] as string;
  const ending = match[2] as string;
  if (ending === "ír" && !/[eo]$/.test(stem))
    fail(input, "only -eír and -oír verbs (reír, oír) are written -ír");
  if (stem === "" && word !== "ir") fail(input, "it has no stem");
  return { infinitive: word, stem, theme: ending === "ír" ? "ir" : (ending as Theme) };
}

/** Whether the input has the shape of an infinitive (the lexicon decides whether it is a verb). */
export function isWellFormedInfinitive(input: string): boolean {
  try {
    parseInfinitive(input);
    return true;
  } catch (error) {
    if (error instanceof ConjugationError) return false;
    throw error;
  }
}
