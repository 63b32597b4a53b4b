// Characters in an answer that are not what they look like.
//
// Invisible characters (zero-width space, joiners, byte order mark, soft hyphen, bidi marks) come
// from phone keyboards and copy-paste, never from intent: they are removed before checking, and the
// message says so. Letters from another alphabet that look Latin (Cyrillic а, Greek ο) are never
// accepted: the message names them by code point, because quoting them would show what looks like
// the right answer.

export interface NamedCharacter {
  /** The character itself. */
  char: string;
  /** "U+0430" */
  codePoint: string;
  /** "zero-width space", "Cyrillic letter", "fullwidth letter" */
  name: string;
  /** The Latin letter it imitates, for a look-alike. */
  looksLike?: string;
}

export interface CharacterScan {
  /** The text without its invisible characters. */
  text: string;
  /** Every invisible character removed, once each, in order of appearance. */
  invisible: NamedCharacter[];
  /** Letters that are not Latin (look-alikes first), once each. */
  foreign: NamedCharacter[];
}

const INVISIBLE_NAMES: Record<number, string> = {
  173: "soft hyphen",
  847: "combining grapheme joiner",
  1564: "Arabic letter mark",
  6158: "Mongolian vowel separator",
  8203: "zero-width space",
  8204: "zero-width non-joiner",
  8205: "zero-width joiner",
  8206: "left-to-right mark",
  8207: "right-to-left mark",
  8288: "word joiner",
  65279: "byte order mark",
};

/** Format characters (Cf: zero-width, bidi, BOM, soft hyphen), the grapheme joiner and variation selectors. */
function isInvisible(char: string): boolean {
  const cp = char.codePointAt(0) ?? 0;
  return /\p{Cf}/u.test(char) || cp === 0x034f || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/** Cyrillic and Greek letters that are drawn like a Latin letter. */
// biome-ignore format: one line per alphabet and case keeps the table readable
const LOOK_ALIKES: Record<string, string> = {
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", ԁ: "d", һ: "h", ӏ: "l", ԛ: "q", ԝ: "w", ё: "ë", ї: "ï", ѐ: "è",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", У: "Y", І: "I", Ј: "J", Ѕ: "S",
  α: "a", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", υ: "u", χ: "x", ά: "á", έ: "é", ί: "í", ό: "ó", ύ: "ú",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X",
};

export function codePointLabel(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A letter Spanish is typed with: Latin script in the Latin-1 and Latin Extended ranges. */
function isLatinLetter(char: string): boolean {
  return /\p{Script=Latin}/u.test(char) && (char.codePointAt(0) ?? 0) <= 0x024f;
}

function scriptName(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  if (/\p{Script=Cyrillic}/u.test(char)) return "Cyrillic letter";
  if (/\p{Script=Greek}/u.test(char)) return "Greek letter";
  if (cp >= 0xff21 && cp <= 0xff5a) return "fullwidth letter";
  return "letter from another alphabet";
}

function lookAlike(char: string): string | undefined {
  const known = LOOK_ALIKES[char];
  if (known) return known;
  const cp = char.codePointAt(0) ?? 0;
  // Fullwidth Latin (ａ, Ｂ), from East Asian input methods.
  if ((cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a))
    return String.fromCodePoint(cp - 0xfee0);
  return undefined;
}

export function scanCharacters(input: string): CharacterScan {
  const invisible = new Map<string, NamedCharacter>();
  const foreign = new Map<string, NamedCharacter>();
  let text = "";
  for (const char of input) {
    if (isInvisible(char)) {
      if (!invisible.has(char)) {
        const cp = char.codePointAt(0) ?? 0;
        const name = INVISIBLE_NAMES[cp] ?? "invisible formatting character";
        invisible.set(char, { char, codePoint: codePointLabel(char), name });
      }
      continue;
    }
    text += char;
    if (/\p{L}/u.test(char) && !isLatinLetter(char) && !foreign.has(char)) {
      const looksLike = lookAlike(char);
      foreign.set(char, {
        char,
        codePoint: codePointLabel(char),
        name: scriptName(char),
        ...(looksLike === undefined ? {} : { looksLike }),
      });
    }
  }
  const sorted = [...foreign.values()].sort((a, b) => Number(!a.looksLike) - Number(!b.looksLike));
  return { text, invisible: [...invisible.values()], foreign: sorted };
}

/** "an invisible character (U+200B, zero-width space)" */
export function invisibleNote(chars: readonly NamedCharacter[]): string {
  const list = chars.map((c) => `${c.codePoint}, ${c.name}`).join("; ");
  const what = chars.length === 1 ? "an invisible character" : "invisible characters";
  return `Your answer had ${what} (${list}), which we removed before checking.`;
}

/** Names the first foreign letters without quoting the answer around them. */
export function foreignMessage(chars: readonly NamedCharacter[]): string {
  const parts = chars
    .slice(0, 3)
    .map((c) =>
      c.looksLike
        ? `${c.codePoint} is a ${c.name} that looks like the Latin "${c.looksLike}" but is not`
        : `${c.codePoint} is a ${c.name}, not a Latin one`,
    );
  return `Your answer contains a letter Spanish does not use: ${parts.join("; ")}. Switch your keyboard to Spanish or English and type the answer again.`;
}
