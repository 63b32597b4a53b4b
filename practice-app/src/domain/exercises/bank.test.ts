import { describe, expect, it } from "vitest";
import { checkAnswer } from "../checking/index.ts";
import { PERSONS } from "../grammar.ts";
import {
  ALL_SEEDS,
  BLANK,
  buildExerciseBank,
  buildExercises,
  CATEGORY_INFO,
  EXERCISE_BANK_VERSION,
  type ExerciseSeed,
  findExercise,
  INDICATIVE_CONTRAST_CATEGORIES,
  partnerProblems,
  seedsVersion,
  TRIGGER_CATEGORIES,
} from "./index.ts";

const bank = buildExerciseBank();

function item(id: string) {
  const exercise = findExercise(id);
  if (!exercise) throw new Error(`no exercise ${id}`);
  return exercise;
}

describe("the exercise bank", () => {
  it("has at least 300 items, built once and memoised", () => {
    expect(bank.length).toBeGreaterThanOrEqual(300);
    expect(bank.length).toBe(ALL_SEEDS.length);
    expect(buildExerciseBank()).toBe(bank);
  });

  it("has unique ids and unique sentences", () => {
    expect(new Set(bank.map((e) => e.id)).size).toBe(bank.length);
    expect(new Set(bank.map((e) => e.sentence)).size).toBe(bank.length);
  });

  it("has exactly one blank in every sentence and a translation without one", () => {
    for (const e of bank) {
      expect(e.sentence.split(BLANK).length - 1, e.id).toBe(1);
      expect(e.translation, e.id).not.toContain(BLANK);
      expect(e.translation.length, e.id).toBeGreaterThan(5);
    }
  });

  it("covers every category, with several items each", () => {
    for (const category of TRIGGER_CATEGORIES) {
      const count = bank.filter((e) => e.category === category).length;
      // The paired categories of issue 18 are smaller: each holds one side of its contrast pairs.
      expect(count, category).toBeGreaterThanOrEqual(CATEGORY_INFO[category].pairedWith ? 5 : 10);
      expect(CATEGORY_INFO[category].label.length).toBeGreaterThan(0);
      expect(CATEGORY_INFO[category].rule).toMatch(/\.$/);
    }
  });

  it("has at least 60 indicative contrast items, all in the indicative", () => {
    const contrast = bank.filter((e) => INDICATIVE_CONTRAST_CATEGORIES.includes(e.category));
    expect(contrast.length).toBeGreaterThanOrEqual(60);
    for (const e of contrast) expect(e.spec.mood, e.id).toBe("indicative");
    for (const e of bank.filter((x) => !INDICATIVE_CONTRAST_CATEGORIES.includes(x.category))) {
      expect(e.spec.mood, e.id).toBe(e.category === "purpose-infinitive" ? "infinitive" : "subjunctive");
    }
  });

  it("uses every subjunctive tense, mostly the present, and all three difficulties", () => {
    const count = (tense: string) =>
      bank.filter((e) => e.spec.mood === "subjunctive" && e.spec.tense === tense).length;
    expect(count("present")).toBeGreaterThan(bank.length / 3);
    expect(count("imperfect")).toBeGreaterThanOrEqual(60);
    expect(count("present-perfect")).toBeGreaterThanOrEqual(10);
    expect(count("pluperfect")).toBeGreaterThanOrEqual(10);
    for (const d of [1, 2, 3])
      expect(bank.filter((e) => e.difficulty === d).length).toBeGreaterThanOrEqual(30);
  });

  it("shows only simple, non-reflexive infinitives, and many different verbs", () => {
    for (const e of bank) expect(e.verb, e.id).toMatch(/^[a-záéíóúüñ]*(ar|er|ir|ír)$/);
    expect(new Set(bank.map((e) => e.verb)).size).toBeGreaterThanOrEqual(120);
  });

  it("gives every item a person, a trigger found in the sentence and a one-sentence explanation", () => {
    for (const e of bank) {
      expect(PERSONS, e.id).toContain(e.person);
      expect(e.trigger, e.id).toBeTruthy();
      expect(e.sentence.toLowerCase(), e.id).toContain(e.trigger?.toLowerCase());
      expect(e.explanation, e.id).toMatch(/^[A-Z'].*\.$/);
      expect(e.explanation, e.id).toContain(`'${e.trigger?.toLowerCase()}'`);
      expect(e.explanation.split(". ").length, e.id).toBe(1);
    }
  });

  it("always includes the expected form among the accepted ones", () => {
    for (const e of bank) {
      expect(e.accepted, e.id).toContain(e.expected);
      const own = e.accepted.length - (e.alsoForms?.length ?? 0);
      if (e.spec.mood === "subjunctive" && (e.spec.tense === "imperfect" || e.spec.tense === "pluperfect")) {
        expect(own, e.id).toBe(2); // -ra and -se
      }
    }
  });

  it("compound forms have two words, simple forms one", () => {
    for (const e of bank) {
      const compound = e.spec.tense === "present-perfect" || e.spec.tense === "pluperfect";
      expect(e.expected.split(" ").length, e.id).toBe(compound ? 2 : 1);
    }
  });

  it("respects the sequence of tenses after a past or conditional main clause", () => {
    // Words that put the main clause in the past (or conditional) in this bank's sentences.
    const PAST_MAIN = new Set([
      "quería",
      "querían",
      "queríamos",
      "quiso",
      "pidió",
      "pedí",
      "pedía",
      "era",
      "fue",
      "alegré",
      "esperaba",
      "dudaba",
      "recomendó",
      "sugirió",
      "prohibió",
      "prohibieron",
      "temía",
      "tenía",
      "sorprendió",
      "molestó",
      "molestaba",
      "encantó",
      "preocupaba",
      "dolió",
      "extrañó",
      "dio",
      "sentí",
      "aconsejé",
      "insistió",
      "ordenó",
      "permitió",
      "rogué",
      "dije",
      "dijo",
      "creía",
      "pensábamos",
      "negó",
      "estaba",
      "había",
      "buscaba",
      "necesitábamos",
      "fuimos",
      "entró",
      "dejé",
      "hablaban",
      "acepté",
      "fui",
      "escondí",
      "decidí",
      "prometió",
      "miró",
      "trataron",
      "deseaba",
      "gustaría",
      "preferiría",
      "sería",
      "saldríamos",
      "hacía",
    ]);
    const pastItems = bank.filter(
      (e) =>
        e.spec.mood === "subjunctive" &&
        // The main clause comes before the blank in every subjunctive item that has a past one.
        (
          e.sentence
            .split(BLANK)[0]
            ?.toLowerCase()
            .match(/\p{L}+/gu) ?? []
        ).some((word) => PAST_MAIN.has(word)),
    );
    expect(pastItems.length).toBeGreaterThanOrEqual(60);
    for (const e of pastItems)
      expect(["imperfect", "pluperfect"], `${e.id}: ${e.sentence}`).toContain(e.spec.tense);
  });

  it("uses the imperfect or pluperfect subjunctive in every si-clause and after como si", () => {
    for (const e of bank.filter((x) => x.category === "hypothetical")) {
      expect(["imperfect", "pluperfect"], e.id).toContain(e.spec.tense);
    }
    for (const e of bank.filter((x) => x.category === "real-condition")) {
      expect(e.spec.mood, e.id).toBe("indicative");
    }
  });

  it("matches a hand-checked table of expected forms", () => {
    const table: [string, string, string[]?][] = [
      ["wish-001", "hables"],
      ["wish-004", "tengan"],
      ["wish-014", "duerma"],
      ["wish-016", "elijas"],
      ["wish-017", "vayamos"],
      ["wish-028", "juegue"],
      ["wish-032", "vinierais", ["vinierais", "vinieseis"]],
      ["wish-040", "hayáis pasado", ["hayáis pasado", "pasarais", "pasaseis"]],
      ["wish-043", "hubieran terminado", ["hubieran terminado", "hubiesen terminado"]],
      ["wish-044", "enseñe"],
      ["emo-012", "toques"],
      ["emo-020", "acueste"],
      ["emo-023", "dé"],
      ["emo-042", "hubiera visto", ["hubiera visto", "hubiese visto"]],
      ["imp-013", "demos"],
      ["imp-031", "cupieran", ["cupieran", "cupiesen"]],
      ["imp-039", "hubieras dicho", ["hubieras dicho", "hubieses dicho"]],
      ["req-016", "almuerce"],
      ["req-035", "condujera", ["condujera", "condujese"]],
      ["dou-014", "resolváis"],
      ["dou-018", "haya"],
      ["dou-032", "haya roto"],
      ["oja-019", "haya salido"],
      ["con-017", "prefiráis"],
      ["con-018", "envíes"],
      ["con-019", "surja"],
      ["con-027", "oyera", ["oyera", "oyese"]],
      ["pen-012", "florezcan"],
      ["unk-011", "traduzca"],
      ["unk-014", "dé"],
      ["hyp-006", "fuera", ["fuera", "fuese"]],
      ["hyp-010", "durmierais", ["durmierais", "durmieseis"]],
      ["hyp-024", "hubiéramos traído", ["hubiéramos traído", "hubiésemos traído"]],
      ["cer-011", "hierve"],
      ["cer-021", "haréis"],
      ["bel-014", "conducís"],
      ["bel-018", "vendría"],
      ["kno-005", "sienta"],
      ["hab-006", "supe"],
      ["hab-019", "sueño"],
      ["rea-007", "cogéis"],
    ];
    for (const [id, expected, accepted] of table) {
      const e = item(id);
      expect(e.expected, id).toBe(expected);
      expect(e.accepted, id).toEqual(accepted ?? [expected]);
    }
  });

  it("explains mood and tense in one sentence that quotes the trigger", () => {
    expect(item("wish-029").explanation).toBe(
      "'quería que' expresses a wish about what someone or something else does, so the verb after it takes the subjunctive; the main verb is in the past or the conditional, so the sequence of tenses calls for the imperfect subjunctive.",
    );
    expect(item("bel-001").explanation).toContain("indicative");
    expect(item("oja-022").explanation).toContain("regret");
    expect(item("imp-039").explanation).toContain("habría sido");
    expect(item("hyp-021").explanation).toContain("earlier than the main verb"); // como si + pluperfect
    expect(item("hyp-022").explanation).toContain("did not happen"); // si + pluperfect
  });

  it("has a stable content version that changes when a seed changes", () => {
    expect(EXERCISE_BANK_VERSION).toMatch(/^[0-9a-f]{16}$/);
    expect(seedsVersion(ALL_SEEDS)).toBe(EXERCISE_BANK_VERSION);
    const changed = ALL_SEEDS.map((s, i) => (i === 0 ? { ...s, translation: `${s.translation} ` } : s));
    expect(seedsVersion(changed)).not.toBe(EXERCISE_BANK_VERSION);
  });
});

describe("the items issue 18 doubted", () => {
  it.each([
    // [id, the form the engine expects, the second right form, a phrase of its note]
    ["cer-005", "serás", "seas", "both moods are standard"],
    ["emo-039", "haya muerto", "muriera", "both are standard"],
    ["wish-040", "hayáis pasado", "pasarais", "anoche"],
    ["cer-012", "lloverá", "llueve", "as natural as the future"],
    ["bel-006", "hará", "hace", "as natural as the future"],
  ])("%s accepts %s and %s, saying why both are right", (id, expected, also, note) => {
    const e = item(id);
    expect(e.expected).toBe(expected);
    expect(e.alsoForms).toContain(also);
    const checked = checkAnswer(e, also);
    expect(checked.outcome).toBe("correct");
    expect(checked.message).toContain(note);
    expect(checkAnswer(e, expected).outcome).toBe("correct");
  });

  it("explains the factive impersonal items by the evaluation, not by doubt", () => {
    for (const n of ["007", "011", "012", "018", "021", "028", "032", "035", "037", "038"]) {
      const e = item(`imp-${n}`);
      expect(e.explanation, e.id).toContain("known to be true");
      expect(e.explanation, e.id).toContain("evaluation");
    }
    for (const e of bank) expect(e.explanation, e.id).not.toContain("not a statement of fact");
  });

  it("does not call a present with future meaning 'true now or habitually'", () => {
    for (const id of ["rea-001", "rea-007", "rea-008", "rea-011", "cer-002"]) {
      expect(item(id).explanation, id).not.toContain("true now or habitually");
      expect(item(id).explanation, id).toContain("future");
    }
  });

  it("explains mientras in pen-011 as 'as long as', and fixes the minor items", () => {
    expect(item("pen-011").explanation).toContain("'as long as'");
    expect(item("pen-011").explanation).not.toContain("not happened yet");
    expect(item("dou-032").sentence).toBe("Mi hermano niega que su perro ___ el jarrón.");
    expect(item("imp-025").sentence).not.toContain(" yo ");
    expect(item("kno-018").difficulty).toBe(1);
  });
});

/** The categories of issue 18 and the triggers their items use. */
const NEW_TRIGGERS: Record<string, readonly string[]> = {
  concessive: ["aunque", "por más que"],
  "concessive-fact": ["aunque", "por más que"],
  probability: ["quizá", "quizás", "tal vez"],
  "probability-indicative": ["a lo mejor"],
  "fact-as-topic": ["el hecho de que"],
  "independent-que": ["que"],
  "reported-que": ["que"],
  purpose: ["para que"],
  "purpose-infinitive": ["para"],
  "open-manner-place": ["como", "donde"],
  "known-manner-place": ["como", "donde"],
};

describe("the new triggers and their contrast partners", () => {
  const paired = bank.filter((e) => e.partner !== undefined);
  const inNewCategories = bank.filter((e) => e.category in NEW_TRIGGERS);

  it("has at least 80 new items, every one of them paired with its contrast", () => {
    // 83 in the new categories plus the five es-un-hecho-que partners in certainty.
    expect(inNewCategories.length + bank.filter((e) => e.category === "certainty" && e.partner).length).toBe(
      88,
    );
    expect(paired.length).toBe(88);
    for (const e of inNewCategories) {
      expect(e.partner, e.id).toBeDefined();
      expect(NEW_TRIGGERS[e.category], e.id).toContain(e.trigger);
    }
  });

  it("pairs each item with one of the other mood and the same trigger family, both ways", () => {
    for (const e of paired) {
      const partner = item(e.partner ?? "");
      expect(partner.partner, e.id).toBe(e.id);
      expect(partner.spec.mood, e.id).not.toBe(e.spec.mood);
      const pairedWith = CATEGORY_INFO[e.category].pairedWith;
      if (pairedWith) expect(partner.category, e.id).toBe(pairedWith);
      // Same trigger on both sides, except where the contrast IS the trigger (quizás / a lo mejor,
      // el hecho de que / es un hecho que, para que / para).
      const differs = [
        "probability",
        "probability-indicative",
        "fact-as-topic",
        "certainty",
        "purpose",
        "purpose-infinitive",
      ];
      if (e.category === "purpose") expect(partner.trigger, e.id).toBe("para");
      if (!differs.includes(e.category)) expect(partner.trigger, e.id).toBe(e.trigger);
    }
    expect(partnerProblems(ALL_SEEDS)).toEqual([]);
  });

  it("counts the pairs per trigger", () => {
    const count = (category: string, trigger?: string) =>
      bank.filter((e) => e.category === category && (trigger === undefined || e.trigger === trigger)).length;
    expect(count("concessive", "aunque") + count("concessive-fact", "aunque")).toBe(16);
    expect(count("concessive", "por más que") + count("concessive-fact", "por más que")).toBe(8);
    expect(count("probability") + count("probability-indicative")).toBe(16);
    expect(count("fact-as-topic") * 2).toBe(10);
    expect(count("independent-que") + count("reported-que")).toBe(12);
    expect(count("purpose") + count("purpose-infinitive")).toBe(14);
    expect(count("open-manner-place") + count("known-manner-place")).toBe(12);
  });

  it("takes the infinitive after para with the same subject, and the checker says so", () => {
    const e = item("pinf-003");
    expect(e.spec).toEqual({ mood: "infinitive", tense: "infinitive" });
    expect(e.expected).toBe("oír");
    expect(e.accepted).toEqual(["oír"]);
    expect(checkAnswer(e, "oír").outcome).toBe("correct");
    expect(checkAnswer(e, "oir").outcome).toBe("accent");
    const conjugated = checkAnswer(e, "oiga");
    expect(conjugated.outcome).toBe("wrong-mood");
    expect(conjugated.message).toContain("the infinitive: oír");
    expect(checkAnswer(item("pque-003"), "oír").message).toContain("infinitive");
  });

  it("accepts the indicative after quizás and el hecho de que, never after a lo mejor", () => {
    expect(checkAnswer(item("qui-002"), "está").outcome).toBe("correct");
    expect(checkAnswer(item("hec-001"), "viene").outcome).toBe("correct");
    expect(checkAnswer(item("alm-002"), "esté").outcome).toBe("wrong-mood");
    expect(checkAnswer(item("conf-004"), "esté").outcome).toBe("wrong-mood");
    expect(checkAnswer(item("conc-004"), "están").outcome).toBe("wrong-mood");
  });

  it.each([
    // [id, the indicative a learner may type, the other indicative accepted]
    ["qui-001", "llueve", "lloverá"],
    ["qui-004", "podemos", "podremos"],
    ["qui-007", "llegáis", "llegaréis"],
    ["qui-008", "ha entendido", "entendió"],
  ])("%s accepts the indicative %s and %s, and says both moods are right", (id, indicative, other) => {
    const e = item(id);
    for (const form of [e.expected, indicative, other]) {
      const checked = checkAnswer(e, form);
      expect(checked.outcome, form).toBe("correct");
      expect(checked.message, form).toContain("both are right here");
      expect(checked.message, form).toContain("the subjunctive sounds more doubtful");
      expect(checked.message, form).not.toContain("needs the subjunctive");
    }
  });

  it("calls another indicative tense after quizás a wrong tense, never a wrong mood", () => {
    const checked = checkAnswer(item("qui-001"), "llovía");
    expect(checked.outcome).toBe("wrong-tense");
    expect(checked.message).toBe(
      "Right mood and person, wrong tense: llovía is the imperfect indicative, but here you need the present subjunctive, future or present indicative: llueva (or lloverá, llueve). Before the verb, quizás and tal vez take either mood, so both are right here: the subjunctive sounds more doubtful, the indicative more confident.",
    );
    // Another person of an accepted indicative is a wrong person, as anywhere else.
    expect(checkAnswer(item("qui-004"), "pueden").outcome).toBe("wrong-person");
  });

  it.each([
    // [id, the words that make the conceded thing unknown or still to come, the indicative refused]
    ["conc-002", "te voy a contar", "crees"],
    ["conc-004", "no sé", "están"],
    ["conc-007", "todavía no", "parece"],
    ["conc-009", "mañana", "insistes"],
  ])("%s says why only the subjunctive fits (%s), so %s is a wrong mood", (id, words, indicative) => {
    // With a known fact the indicative is standard after aunque and por más que (aunque estáis
    // cansados...): these sentences must rule that reading out, or the item would refuse good Spanish.
    const e = item(id);
    expect(e.sentence.toLowerCase()).toContain(words);
    expect(e.also).toBeUndefined();
    const checked = checkAnswer(e, indicative);
    expect(checked.outcome).toBe("wrong-mood");
    expect(checked.message).toContain(`after '${e.trigger}' Spanish needs the subjunctive`);
  });

  it("refuses an unpaired item of a paired category, and a partner that does not point back", () => {
    const seed = (id: string, partner?: string): ExerciseSeed => ({
      id,
      category: "concessive",
      difficulty: 1,
      sentence: `Aunque ___ mañana, iremos (${id}).`,
      verb: "llover",
      person: "3s",
      spec: { mood: "subjunctive", tense: "present" },
      translation: "Even if it rains tomorrow, we'll go.",
      trigger: "aunque",
      ...(partner ? { partner } : {}),
    });
    expect(() => buildExercises([seed("test-001")])).toThrow(/test-001.*needs a contrast partner/);
    expect(() => buildExercises([seed("test-001", "test-002"), seed("test-002", "test-001")])).toThrow(
      /test-001.*needs the same mood/,
    );
    expect(() => buildExercises([seed("test-001", "test-009")])).toThrow(/test-009.*not in the bank/);
  });
});

describe("buildExercises validation", () => {
  const PRESENT_INDICATIVE = { mood: "indicative", tense: "present" } as const;
  const good: ExerciseSeed = {
    id: "test-001",
    category: "wish",
    difficulty: 1,
    sentence: "Quiero que tú ___ más despacio.",
    verb: "hablar",
    person: "2s",
    spec: { mood: "subjunctive", tense: "present" },
    translation: "I want you to speak more slowly.",
    trigger: "quiero que",
  };

  it("builds a valid seed", () => {
    const [e] = buildExercises([good]);
    expect(e?.expected).toBe("hables");
  });

  it.each([
    ["a duplicate id", [good, { ...good, sentence: "Quiero que tú ___ menos." }], /test-001.*duplicate id/],
    [
      "two blanks",
      [{ ...good, sentence: "Quiero que tú ___ y ___." }],
      /test-001.*exactly one "___" \(found 2\)/,
    ],
    ["no blank", [{ ...good, sentence: "Quiero que tú hables." }], /test-001.*exactly one/],
    ["a reflexive verb", [{ ...good, verb: "levantarse" }], /test-001.*reflexive/],
    ["a missing trigger", [{ ...good, trigger: undefined }], /test-001.*trigger is missing/],
    ["a trigger not in the sentence", [{ ...good, trigger: "espero que" }], /test-001.*does not occur/],
    [
      "the wrong mood for the category",
      [{ ...good, spec: { mood: "indicative", tense: "present" } as const }],
      /test-001.*needs the subjunctive/,
    ],
    ["a bad difficulty", [{ ...good, difficulty: 4 as 1 }], /test-001.*difficulty/],
    ["an unknown category", [{ ...good, category: "nope" as "wish" }], /test-001.*unknown category/],
    ["a bad id", [{ ...good, id: "Test 1" }], /Test 1.*id must look like/],
    [
      "an also-form that repeats the expected one",
      [{ ...good, also: { specs: [{ mood: "subjunctive", tense: "present" }], note: "Both are right." } }],
      /test-001.*also repeats the expected form/,
    ],
    [
      "an also-form listed twice",
      [{ ...good, also: { specs: [PRESENT_INDICATIVE, PRESENT_INDICATIVE], note: "Both are right." } }],
      /test-001.*also lists indicative present twice/,
    ],
    [
      "an also without a form",
      [{ ...good, also: { specs: [], note: "Both are right." } }],
      /test-001.*also lists no form/,
    ],
  ])("rejects %s, naming the item", (_name, seeds, pattern) => {
    expect(() => buildExercises(seeds as ExerciseSeed[])).toThrow(pattern);
  });

  it("builds several also-forms with the engine, in the order given", () => {
    const future = { mood: "indicative", tense: "future" } as const;
    const [e] = buildExercises([
      { ...good, also: { specs: [future, PRESENT_INDICATIVE], note: "Both moods are right here." } },
    ]);
    expect(e?.alsoForms).toEqual(["hablarás", "hablas"]);
    expect(e?.accepted).toEqual(["hables", "hablarás", "hablas"]);
  });
});
