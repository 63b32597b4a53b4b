import { describe, expect, it } from "vitest";
import { formChoices } from "./recognition.ts";
import { diffSegments, searchVerbs, verbReference } from "./verb-reference.ts";

const marked = (segments: Array<{ text: string; irregular: boolean }>) =>
  segments.map((s) => (s.irregular ? `[${s.text}]` : s.text)).join("");

describe("diffSegments", () => {
  it.each([
    ["an equal form is one plain run", "hable", "hable", "hable"],
    ["an irregular stem is marked, the shared ending is not", "tenga", "tena", "ten[g]a"],
    ["a stem change is marked in the middle", "pienso", "penso", "p[i]enso"],
    ["a whole new word is marked whole", "fue", "ió", "[fue]"],
  ])("%s", (_rule, form, regular, expected) => {
    expect(marked(diffSegments(form, regular))).toBe(expected);
  });
});

describe("verbReference", () => {
  it("marks tener's irregular parts against temer's model and lists verbs of its model", () => {
    const tener = verbReference("tener");
    expect(tener.model).toMatchObject({ id: "tener", regular: false });
    expect(tener.regularModel).toBe("temer");
    const present = tener.tenses.find((t) => t.mood === "subjunctive" && t.tense === "present");
    expect(present?.name).toBe("present subjunctive");
    expect(present?.rows.map((row) => marked(row.forms[0] ?? []))).toEqual([
      "ten[g]a",
      "ten[g]as",
      "ten[g]a",
      "ten[g]amos",
      "ten[g]áis",
      "ten[g]an",
    ]);
    const preterite = tener.tenses.find((t) => t.tense === "preterite");
    expect(preterite?.rows[0]?.irregular).toBe(true);
    expect(tener.sameModel.verbs).toContain("obtener");
    expect(tener.sameModel.verbs).not.toContain("tener");
    expect(tener.sameModel.count).toBeGreaterThan(5);
  });

  it("has no irregular part for a regular verb, both imperfect endings, and no yo imperative", () => {
    const hablar = verbReference("Hablar");
    expect(hablar.model.regular).toBe(true);
    expect(hablar.tenses.every((t) => t.rows.every((row) => !row.irregular))).toBe(true);
    const imperfect = hablar.tenses.find((t) => t.mood === "subjunctive" && t.tense === "imperfect");
    expect(imperfect?.rows[0]?.forms.map(marked)).toEqual(["hablara", "hablase"]);
    const imperative = hablar.tenses.find((t) => t.mood === "imperative" && t.tense === "affirmative");
    expect(imperative?.rows.map((row) => row.person)).toEqual(["2s", "3s", "1p", "2p", "3p"]);
    expect(hablar.tenses).toHaveLength(17);
  });

  it("shows a form RAE also accepts beside the one produced, marked against the regular form", () => {
    const present = verbReference("erguir").tenses.find(
      (t) => t.mood === "indicative" && t.tense === "present",
    );
    expect(present?.rows[0]?.forms.map(marked)).toEqual(["[i]rgo", "[y]ergo"]);
    expect(present?.rows[3]?.forms.map(marked)).toEqual(["erguimos"]);
  });

  it("marks an irregular participle and refuses a word outside the lexicon", () => {
    const hacer = verbReference("hacer");
    expect(hacer.nonFinite.find((f) => f.form === "participle")?.irregular).toBe(true);
    expect(() => verbReference("blorpar")).toThrow(/not a verb in the lexicon/);
  });
});

describe("searchVerbs", () => {
  it("finds infinitives by their beginning, ignoring accents, alphabetically and bounded", () => {
    expect(searchVerbs("reir", 3)).toContain("reír");
    const ten = searchVerbs("ten", 4);
    expect(ten).toHaveLength(4);
    expect(ten.every((verb) => verb.startsWith("ten"))).toBe(true);
    expect(searchVerbs("  ", 4)).toEqual([]);
  });
});

describe("formChoices", () => {
  it("offers the right form first and wrong forms that are never accepted answers", () => {
    const choices = formChoices({
      verb: "tener",
      person: "1s",
      spec: { mood: "subjunctive", tense: "present" },
      accepted: ["tenga"],
    });
    expect(choices[0]).toBe("tenga");
    expect(choices).toContain("tengo");
    expect(new Set(choices).size).toBe(4);
  });

  it("never offers the -se form as wrong when the -ra form is right", () => {
    const choices = formChoices({
      verb: "hablar",
      person: "3s",
      spec: { mood: "subjunctive", tense: "imperfect" },
      accepted: ["hablara", "hablase"],
    });
    expect(choices).not.toContain("hablase");
    expect(choices).toHaveLength(4);
  });

  it("still finds four forms when the item accepts both moods and the persons coincide", () => {
    // quizás + llover: llueva, lloverá and llueve are all right, and llueva is yo and él.
    const accepted = ["llueva", "lloverá", "llueve"];
    const choices = formChoices({
      verb: "llover",
      person: "3s",
      spec: { mood: "subjunctive", tense: "present" },
      accepted,
    });
    expect(choices[0]).toBe("llueva");
    expect(new Set(choices).size).toBe(4);
    expect(choices.slice(1).filter((form) => accepted.includes(form))).toEqual([]);
  });
});
