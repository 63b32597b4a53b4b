// Words typed around the verb: "tú hables", "que hables", "no hables", "se fueran", "si yo tuviera".
// The blank is only the verb, so such an answer is not graded: the learner is asked to type the verb
// alone. The words taken off are pronouns, que, no, and any word of the sentence itself.

import { normalizeAnswer } from "./normalize.ts";

// biome-ignore format: grouped by kind
const EXTRA_WORDS = new Set([
  // subject pronouns, with and without their accents
  "yo", "tú", "tu", "vos", "él", "el", "ella", "usted", "ud", "ud.", "vd", "vd.", "nosotros", "nosotras",
  "vosotros", "vosotras", "ellos", "ellas", "ustedes", "uds", "uds.", "vds", "vds.",
  // que and no
  "que", "qué", "no",
  // object and reflexive pronouns (the sentence keeps them: "Después de que se ___")
  "me", "te", "se", "nos", "os", "lo", "la", "le", "los", "las", "les",
]);

function sentenceWords(sentence: string): Set<string> {
  return new Set(
    normalizeAnswer(sentence.replace("___", " "))
      .split(/[\s.,;:!?¡¿"'«»“”()]+/)
      .filter((word) => word !== ""),
  );
}

export interface ExtraWords {
  /** The words taken off, as typed (lower case), in order. */
  words: string[];
  /** What is left: the verb, presumably. */
  rest: string;
}

/**
 * Takes pronouns, que, no and the sentence's own words off both ends of a normalised answer.
 * Null when there is nothing to take off or nothing would be left.
 */
export function splitExtraWords(given: string, sentence: string): ExtraWords | null {
  const fromSentence = sentenceWords(sentence);
  const isExtra = (word: string) => EXTRA_WORDS.has(word) || fromSentence.has(word);
  const tokens = given.split(" ");
  let start = 0;
  let end = tokens.length;
  while (start < end && isExtra(tokens[start] as string)) start++;
  while (end > start && isExtra(tokens[end - 1] as string)) end--;
  if (start === end || (start === 0 && end === tokens.length)) return null;
  return {
    words: [...tokens.slice(0, start), ...tokens.slice(end)],
    rest: tokens.slice(start, end).join(" "),
  };
}
