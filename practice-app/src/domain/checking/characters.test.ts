import { describe, expect, it } from "vitest";
import { codePointLabel, foreignMessage, invisibleNote, scanCharacters } from "./characters.ts";

describe("scanCharacters", () => {
  // [rule, input, text left, invisible code points]
  const invisibles: [string, string, string, string[]][] = [
    ["zero-width space", "hab\u200bles", "hables", ["U+200B"]],
    ["joiner and non-joiner", "\u200chables\u200d", "hables", ["U+200C", "U+200D"]],
    ["byte order mark", "\ufeffhables", "hables", ["U+FEFF"]],
    ["soft hyphen", "ha\u00adbles", "hables", ["U+00AD"]],
    [
      "bidi marks and isolates",
      "\u200e\u2066hables\u2069\u200f",
      "hables",
      ["U+200E", "U+2066", "U+2069", "U+200F"],
    ],
    ["word joiner, counted once", "ha\u2060bl\u2060es", "hables", ["U+2060"]],
    ["nothing to remove", "hablásemos", "hablásemos", []],
  ];
  it.each(invisibles)("removes %s", (_rule, input, text, codePoints) => {
    const scan = scanCharacters(input);
    expect(scan.text).toBe(text);
    expect(scan.invisible.map((c) => c.codePoint)).toEqual(codePoints);
    expect(scan.foreign).toEqual([]);
  });

  // [rule, input, code point, name, looks like]
  const foreign: [string, string, string, string, string | undefined][] = [
    ["Cyrillic а", "h\u0430bles", "U+0430", "Cyrillic letter", "a"],
    ["Cyrillic е", "habl\u0435s", "U+0435", "Cyrillic letter", "e"],
    ["Cyrillic о", "h\u043eblo", "U+043E", "Cyrillic letter", "o"],
    ["Cyrillic с", "\u0441omas", "U+0441", "Cyrillic letter", "c"],
    ["Cyrillic р", "\u0440ida", "U+0440", "Cyrillic letter", "p"],
    ["Greek omicron", "habl\u03bf", "U+03BF", "Greek letter", "o"],
    ["fullwidth Latin", "\uff48", "U+FF48", "fullwidth letter", "h"],
    ["a letter that looks like nothing Latin", "\u0436", "U+0436", "Cyrillic letter", undefined],
  ];
  it.each(foreign)("names %s", (_rule, input, codePoint, name, looksLike) => {
    const [first] = scanCharacters(input).foreign;
    expect(first).toMatchObject({ codePoint, name });
    expect(first?.looksLike).toBe(looksLike);
  });

  it("accepts every letter Spanish is typed with", () => {
    expect(scanCharacters("áéíóúüñÁÉÍÓÚÜÑ abcxyz").foreign).toEqual([]);
  });

  it("lists look-alikes before other foreign letters", () => {
    expect(scanCharacters("\u0436\u0430").foreign.map((c) => c.codePoint)).toEqual(["U+0430", "U+0436"]);
  });
});

describe("messages about characters", () => {
  it("names code points, never the answer", () => {
    expect(codePointLabel("\u200b")).toBe("U+200B");
    expect(codePointLabel("ñ")).toBe("U+00F1");
    expect(invisibleNote(scanCharacters("a\u200b").invisible)).toBe(
      "Your answer had an invisible character (U+200B, zero-width space), which we removed before checking.",
    );
    expect(foreignMessage(scanCharacters("h\u0430bles").foreign)).toBe(
      'Your answer contains a letter Spanish does not use: U+0430 is a Cyrillic letter that looks like the Latin "a" but is not. Switch your keyboard to Spanish or English and type the answer again.',
    );
  });
});
