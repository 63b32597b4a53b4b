// A minimal reader of Hunspell suffix rules, enough to list the forms the Spanish dictionary gives a
// verb (its SFX flags; prefixes and compound rules are not needed for that). Used only by the
// lexicon generator, never by the app.

export interface SuffixRule {
  readonly strip: string;
  readonly add: string;
  /** Flags the new form carries in turn (Hunspell's two-level suffixes: tuv + iste). */
  readonly continuation: string;
  readonly condition: RegExp;
}

export interface Hunspell {
  /** flag → its suffix rules */
  readonly suffixes: ReadonlyMap<string, readonly SuffixRule[]>;
  /** word → its flags, for every entry of the .dic file (a word listed twice keeps both sets of flags) */
  readonly entries: ReadonlyMap<string, string>;
}

/** Parses the .aff (SFX rules only) and .dic files. The dictionary declares FLAG UTF-8: one character per flag. */
export function readHunspell(aff: string, dic: string): Hunspell {
  const suffixes = new Map<string, SuffixRule[]>();
  for (const line of aff.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] !== "SFX" || parts.length < 5) continue;
    const [, flag, stripText, addText, condition] = parts as [string, string, string, string, string];
    const rules = suffixes.get(flag) ?? [];
    rules.push({
      strip: stripText === "0" ? "" : stripText,
      add: addText.split("/")[0] === "0" ? "" : (addText.split("/")[0] ?? ""),
      continuation: addText.split("/")[1] ?? "",
      condition: new RegExp(`${condition === "." ? "" : condition}$`, "u"),
    });
    suffixes.set(flag, rules);
  }
  const entries = new Map<string, string>();
  for (const line of dic.split("\n").slice(1)) {
    const [word, flags = ""] = line.trim().split("/");
    if (!word) continue;
    entries.set(word, (entries.get(word) ?? "") + flags);
  }
  return { suffixes, entries };
}

function applyFlags(
  hunspell: Hunspell,
  word: string,
  flags: string,
  depth: number,
  forms: Set<string>,
): void {
  for (const flag of flags) {
    for (const rule of hunspell.suffixes.get(flag) ?? []) {
      if (!word.endsWith(rule.strip) || !rule.condition.test(word)) continue;
      const form = word.slice(0, word.length - rule.strip.length) + rule.add;
      forms.add(form);
      if (depth > 0 && rule.continuation !== "")
        applyFlags(hunspell, form, rule.continuation, depth - 1, forms);
    }
  }
}

/** Every word a dictionary entry stands for: the word itself and its suffixes, two levels deep. */
export function expand(hunspell: Hunspell, word: string): Set<string> {
  const forms = new Set([word]);
  applyFlags(hunspell, word, hunspell.entries.get(word) ?? "", 1, forms);
  return forms;
}
