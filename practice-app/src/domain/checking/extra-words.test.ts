import { describe, expect, it } from "vitest";
import { splitExtraWords } from "./extra-words.ts";

const SENTENCE = "Si yo ___ la verdad, te lo habría dicho.";

describe("splitExtraWords", () => {
  // [rule, answer, words taken off, what is left]
  const rows: [string, string, string[], string][] = [
    ["subject pronoun", "yo supiera", ["yo"], "supiera"],
    ["que", "que sepa", ["que"], "sepa"],
    ["several, at both ends", "que tú sepas tú", ["que", "tú", "tú"], "sepas"],
    ["the sentence's own words", "si yo hubiera sabido", ["si", "yo"], "hubiera sabido"],
    ["no", "no sepas", ["no"], "sepas"],
  ];
  it.each(rows)("takes off %s", (_rule, answer, words, rest) => {
    expect(splitExtraWords(answer, SENTENCE)).toEqual({ words, rest });
  });

  it("is null when nothing is taken off or nothing would be left", () => {
    expect(splitExtraWords("hubiera sabido", SENTENCE)).toBeNull();
    expect(splitExtraWords("que tú", SENTENCE)).toBeNull();
    expect(splitExtraWords("supiera", SENTENCE)).toBeNull();
  });
});
