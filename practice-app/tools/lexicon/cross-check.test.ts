// Runs the dictionary cross-check (about 7 s: nspell loads once, ~470,000 spellings are looked up)
// and compares it with the committed review file.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crossCheck } from "./cross-check.ts";

interface Review {
  bareInfinitives: { reason: string; verbs: string[] };
  forms: Record<string, { verb: string; where: string; reason: string }>;
}

const review = JSON.parse(readFileSync(new URL("review.json", import.meta.url), "utf8")) as Review;

describe("every form of every lexicon verb, looked up in the Hunspell dictionary", () => {
  const result = crossCheck();

  it("checks the whole lexicon", () => {
    expect(result.formsChecked).toBeGreaterThan(400_000);
  });

  it("knows every form except those in review.json, and review.json lists nothing it knows", () => {
    const unknown = Object.fromEntries(result.unknown.map((u) => [u.form, u.verb]));
    const reviewed = Object.fromEntries(Object.entries(review.forms).map(([form, f]) => [form, f.verb]));
    expect(unknown).toEqual(reviewed);
    expect(result.bareVerbs).toEqual(review.bareInfinitives.verbs);
  });

  it("gives every reviewed form a reason", () => {
    for (const [form, entry] of Object.entries(review.forms)) {
      expect(entry.reason, form).not.toBe("UNREVIEWED");
      expect(entry.reason.length, form).toBeGreaterThan(20);
    }
  });
});
