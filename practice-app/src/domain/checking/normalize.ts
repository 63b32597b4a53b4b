// Text normalisation for answers and forms.

/** Longest answer the checker looks at; anything longer is rejected as "wrong". */
export const MAX_ANSWER_LENGTH = 60;

const EDGE_PUNCTUATION = /^[\s.,;:!?¡¿"'«»“”]+|[\s.,;:!?¡¿"'«»“”]+$/g;

/**
 * Trim, collapse inner whitespace, lower-case, and compose accents (NFC), so that "Hablé" typed with
 * a combining accent equals "hablé". Accents are kept. Punctuation at the edges ("hable.") is dropped.
 */
export function normalizeAnswer(text: string): string {
  return text.normalize("NFC").replace(EDGE_PUNCTUATION, "").replace(/\s+/g, " ").toLowerCase();
}

/** Acute and grave accents and the diaeresis; the tilde of ñ is NOT among them (ñ is its own letter). */
const STRIPPED_MARKS = /[\u0300\u0301\u0308]/g;

/** Remove accents and diaeresis (á→a, ü→u) but keep ñ: "año" stays "año", never "ano". */
export function stripAccents(text: string): string {
  return text.normalize("NFD").replace(STRIPPED_MARKS, "").normalize("NFC");
}

/** Whether the text carries any accent or diaeresis. */
export function hasAccentMarks(text: string): boolean {
  return stripAccents(text) !== text.normalize("NFC");
}

/** ñ written as n, for the "ñ, not n" hint; apply after stripAccents. */
export function foldN(text: string): string {
  return text.replaceAll("ñ", "n");
}
