import { describe, expect, it } from "vitest";
import { conjugate, nonFiniteForm } from "../conjugation/index.ts";
import {
  buildExerciseBank,
  buildExercises,
  findExercise,
  INDICATIVE_CONTRAST_CATEGORIES,
} from "../exercises/index.ts";
import { cachedVerbCount, checkAnswer, normalizeAnswer, stripAccents, verbForms } from "./index.ts";

function item(id: string) {
  const exercise = findExercise(id);
  if (!exercise) throw new Error(`no exercise ${id}`);
  return exercise;
}

function check(id: string, answer: string) {
  return checkAnswer(item(id), answer);
}

describe("normalisation helpers", () => {
  it("trims, collapses spaces and lower-cases, keeping accents", () => {
    expect(normalizeAnswer("  Haya   HABLADO ")).toBe("haya hablado");
    expect(normalizeAnswer("Hablé.")).toBe("hablé");
    expect(normalizeAnswer("hable\u0301")).toBe("hablé"); // combining accent composed
  });

  it("strips accents and diaeresis but keeps ñ", () => {
    expect(stripAccents("hablásemos")).toBe("hablasemos");
    expect(stripAccents("averigüé")).toBe("averigue");
    expect(stripAccents("enseñé")).toBe("enseñe");
    expect(stripAccents("año")).not.toBe("ano");
  });
});

describe("checkAnswer", () => {
  it("accepts a form RAE also accepts (yergo beside irgo), naming the other", () => {
    const [e] = buildExercises([
      {
        id: "test-001",
        category: "certainty",
        difficulty: 1,
        sentence: "Es verdad que yo me ___ cuando entra la directora.",
        verb: "erguir",
        person: "1s",
        spec: { mood: "indicative", tense: "present" },
        translation: "It's true that I straighten up when the headmistress comes in.",
        trigger: "es verdad que",
      },
    ]);
    if (!e) throw new Error("no exercise built");
    expect(e.accepted).toEqual(["irgo", "yergo"]);
    const r = checkAnswer(e, "yergo");
    expect(r).toMatchObject({ outcome: "correct", expected: "irgo" });
    expect(r.message).toBe("Correct! (irgo would also be right.)");
  });

  it("accepts the expected form", () => {
    const r = check("wish-001", "hables"); // Quiero que tú ___ más despacio.
    expect(r).toMatchObject({ outcome: "correct", correct: true, expected: "hables", accepted: ["hables"] });
    expect(r.explanation).toContain("quiero que");
  });

  it("accepts the -se imperfect subjunctive and mentions the -ra form", () => {
    const r = check("hyp-006", "fuese"); // Si yo ___ tú, no lo haría.
    expect(r.outcome).toBe("correct");
    expect(r.correct).toBe(true);
    expect(r.expected).toBe("fuera");
    expect(r.message).toContain("fuera");
    expect(check("hyp-024", "hubiésemos traído").outcome).toBe("correct");
  });

  it("accepts compound forms whatever the case and spacing", () => {
    expect(check("emo-037", "  Hayas   VENIDO ").outcome).toBe("correct");
    expect(check("wish-001", "\tHABLES\n").outcome).toBe("correct");
    expect(check("wish-001", "hables.").outcome).toBe("correct");
  });

  it("flags a missing accent", () => {
    const r = check("hyp-003", "vivieramos"); // Si nosotros ___ en la costa…
    expect(r.outcome).toBe("accent");
    expect(r.correct).toBe(false);
    expect(r.message).toBe("Almost: the accent is missing — viviéramos.");
    expect(check("hyp-003", "viviesemos").message).toContain("viviésemos");
    expect(check("con-018", "envies").outcome).toBe("accent");
    expect(check("unk-014", "de").outcome).toBe("accent"); // Haz lo que te ___ la gana: dé
  });

  it("flags an accent in the wrong place", () => {
    const r = check("hyp-003", "vivierámos");
    expect(r.outcome).toBe("accent");
    expect(r.message).toBe("Almost: check the accent — viviéramos.");
    expect(check("wish-001", "hablés")).toMatchObject({
      outcome: "accent",
      message: "Almost: no accent is needed — hables.",
    });
  });

  it("explains when a missing accent turns the answer into another form of the same mood", () => {
    const r = check("hab-013", "termino"); // Después de que ___ la película, fuimos a cenar: terminó
    expect(r.outcome).toBe("accent");
    expect(r.message).toContain("terminó");
    expect(r.message).toContain("present indicative");
  });

  it("diagnoses the other mood when the accent itself makes it indicative (hablé for hable)", () => {
    const r = check("emo-002", "hablé"); // Me sorprende que Juan no ___ nada de español.
    expect(r.outcome).toBe("wrong-mood");
    expect(r.message).toContain("indicative");
    expect(r.message).toContain("hable");
  });

  it("does not treat ñ as n, but says that the ñ is the slip", () => {
    const r = check("wish-044", "ensene"); // Quiero que mi abuelo me ___ a pescar: enseñe
    expect(r.outcome).toBe("wrong");
    expect(r.correct).toBe(false);
    expect(r.message).toBe("Close, but ñ is a letter of its own: ñ, not n — enseñe.");
    expect(check("wish-044", "ensené").message).toContain("ñ, not n, and mind the accent");
    expect(check("wish-044", "enseñe").outcome).toBe("correct");
    expect(check("hab-019", "sueno").outcome).toBe("wrong");
  });

  it("diagnoses the indicative where the subjunctive is needed", () => {
    const r = check("wish-001", "hablas");
    expect(r.outcome).toBe("wrong-mood");
    expect(r.message).toBe(
      "That is the indicative (hablas: present); after 'quiero que' Spanish needs the subjunctive: hables.",
    );
    expect(check("dou-002", "tiene").outcome).toBe("wrong-mood"); // No creo que Pablo ___ razón.
    expect(check("hyp-001", "tendría").message).toContain("conditional"); // Si yo ___ dinero, viajaría…
    expect(check("emo-037", "has venido").outcome).toBe("wrong-mood");
  });

  it("diagnoses the subjunctive where the indicative is needed (contrast items)", () => {
    const r = check("bel-001", "esté"); // Creo que Juan ___ en casa.
    expect(r.outcome).toBe("wrong-mood");
    expect(r.message).toBe(
      "That is the subjunctive (esté: present); after 'creo que' Spanish uses the indicative: está.",
    );
    expect(check("rea-008", "vaya").outcome).toBe("wrong-mood"); // Si mi hermano ___ a la fiesta…
    expect(check("kno-001", "hable").outcome).toBe("wrong-mood"); // Tengo un amigo que ___ alemán.
    expect(check("hab-005", "fueran").outcome).toBe("wrong-mood"); // Después de que los invitados se ___, limpiamos…
  });

  it("names the person given and the one needed", () => {
    const r = check("wish-001", "hablemos");
    expect(r.outcome).toBe("wrong-person");
    expect(r.message).toBe(
      "That is the nosotros form (hablemos); the subject here is tú, so the blank needs: hables.",
    );
  });

  it("prefers the closest diagnosis for ambiguous forms (hablara is yo and él)", () => {
    const r = check("hyp-002", "estudiara"); // Si tú ___ más…: estudiaras
    expect(r.outcome).toBe("wrong-person");
    expect(r.message).toContain("yo or él/ella/usted");
    expect(r.message).toContain("tú");
    expect(check("wish-001", "hable").outcome).toBe("wrong-person");
  });

  it("diagnoses the wrong tense in the right mood and person", () => {
    const r = check("wish-001", "hablaras");
    expect(r.outcome).toBe("wrong-tense");
    expect(r.message).toContain("imperfect subjunctive");
    expect(r.message).toContain("present subjunctive");
    expect(check("wish-029", "vengas").outcome).toBe("wrong-tense"); // Quería que tú ___ conmigo…
    expect(check("hyp-022", "supiera").outcome).toBe("wrong-tense"); // Si yo ___ la verdad, te lo habría dicho.
  });

  it("diagnoses forms whose accents are also off", () => {
    const r = check("wish-001", "hablarias"); // hablarías without its accent
    expect(r.outcome).toBe("wrong-mood");
    expect(r.message).toContain("hablarías");
    expect(r.message).toContain("Watch the accents too.");
  });

  it("calls another form of the same mood with another tense and person simply wrong, but says what it is", () => {
    const r = check("wish-001", "hablaran");
    expect(r.outcome).toBe("wrong");
    expect(r.message).toContain("imperfect subjunctive");
  });

  it("rejects gibberish, other verbs, empty and over-long answers", () => {
    expect(check("wish-001", "xyzzy")).toMatchObject({ outcome: "wrong", correct: false });
    expect(check("wish-001", "xyzzy").message).toContain("not a form of hablar");
    expect(check("wish-001", "comas").outcome).toBe("wrong");
    const empty = check("wish-001", "   ");
    expect(empty.outcome).toBe("wrong");
    expect(empty.message).toContain("No answer");
    const long = check("wish-001", "hables ".repeat(10));
    expect(long.outcome).toBe("wrong");
    expect(long.message).toContain("too long");
    expect(check("wish-001", "a".repeat(60)).message).not.toContain("too long");
  });

  it("accepts every accepted form of every item", () => {
    for (const e of buildExerciseBank()) {
      for (const form of e.accepted) expect(checkAnswer(e, form).outcome, `${e.id} ${form}`).toBe("correct");
      expect(checkAnswer(e, e.expected.toUpperCase()).outcome, e.id).toBe("correct");
    }
  });

  it("calls the other mood wrong-mood for every item", () => {
    for (const e of buildExerciseBank()) {
      const other =
        e.spec.mood === "subjunctive"
          ? conjugate(e.verb, { mood: "indicative", tense: "present" }, e.person)
          : conjugate(e.verb, { mood: "subjunctive", tense: "present" }, e.person);
      // Items that accept both moods (no dudo que, quizás, el hecho de que) take it as correct, or,
      // where they accept that mood in another tense only, call it a wrong tense.
      const acceptsOtherMood = e.also?.specs.some((spec) => spec.mood !== e.spec.mood) ?? false;
      const outcome = e.alsoForms?.includes(other)
        ? "correct"
        : acceptsOtherMood
          ? "wrong-tense"
          : "wrong-mood";
      expect(checkAnswer(e, other).outcome, `${e.id} ${other}`).toBe(outcome);
    }
    expect(INDICATIVE_CONTRAST_CATEGORIES.length).toBe(9);
  });

  it("memoises per-verb form tables and checks quickly", () => {
    const before = verbForms("hablar");
    expect(verbForms("hablar")).toBe(before);
    const count = cachedVerbCount();
    check("wish-001", "hablo");
    expect(cachedVerbCount()).toBe(count);
    const bank = buildExerciseBank();
    const start = performance.now();
    for (const e of bank) checkAnswer(e, "xyz");
    const perCheck = (performance.now() - start) / bank.length;
    expect(perCheck).toBeLessThan(5);
  });
});

describe("checkAnswer recognises every form of the verb", () => {
  // [rule, item, answer, outcome, text the message must contain]
  const rows: [string, string, string, string, string][] = [
    [
      "conditional after si (unreal condition)",
      "hyp-022",
      "habría sabido",
      "wrong-mood",
      "habría sabido is the conditional perfect; after 'si' in an unreal condition Spanish never uses the conditional",
    ],
    [
      "conditional after si, other person",
      "hyp-022",
      "habrías sabido",
      "wrong-mood",
      "conditional perfect for tú",
    ],
    [
      "simple conditional after si",
      "hyp-001",
      "tendría",
      "wrong-mood",
      "tendría is the conditional; after 'si' in an unreal condition",
    ],
    [
      "conditional after como si",
      "hyp-016",
      "sería",
      "wrong-mood",
      "after 'como si' Spanish never uses the conditional",
    ],
    [
      "future after si (real condition)",
      "rea-002",
      "tendrás",
      "wrong-tense",
      "after 'si' in a condition Spanish never uses the future",
    ],
    [
      "infinitive where a conjugated verb is needed",
      "wish-001",
      "hablar",
      "wrong",
      "hablar is the infinitive",
    ],
    ["gerund", "wish-001", "hablando", "wrong", "hablando is the gerund"],
    [
      "participle for a simple tense",
      "wish-001",
      "hablado",
      "wrong",
      "hablado is the past participle; the blank needs a conjugated verb",
    ],
    [
      "participle without its auxiliary",
      "hyp-022",
      "sabido",
      "wrong",
      "past participle alone; the blank needs the pluperfect subjunctive, with its auxiliary",
    ],
    [
      "affirmative imperative (vosotros)",
      "wish-001",
      "hablad",
      "wrong-mood",
      "That is the imperative (hablad: affirmative, vosotros form)",
    ],
    ["future subjunctive, archaic", "hyp-022", "supiere", "wrong-tense", "supiere is the future subjunctive"],
    [
      "pluperfect indicative",
      "hyp-022",
      "había sabido",
      "wrong-mood",
      "That is the indicative (había sabido: pluperfect)",
    ],
    ["future perfect", "hyp-022", "habré sabido", "wrong-mood", "future perfect"],
    [
      "the indicative names the trigger",
      "dou-002",
      "tiene",
      "wrong-mood",
      "after 'no creo que' Spanish needs the subjunctive: tenga",
    ],
    [
      "a form found by reading n as ñ",
      "wish-044",
      "ensenes",
      "wrong-person",
      "Mind the spelling too: ñ, not n.",
    ],
  ];
  it.each(rows)("%s: %s %s", (_rule, id, answer, outcome, text) => {
    const r = check(id, answer);
    expect(r.outcome).toBe(outcome);
    expect(r.graded).toBe(true);
    expect(r.correct).toBe(false);
    expect(r.message).toContain(text);
  });

  it("never calls a form the engine makes 'not a form', for one item of every verb of the bank", () => {
    const byVerb = new Map(buildExerciseBank().map((e) => [e.verb, e]));
    for (const e of byVerb.values()) {
      for (const form of verbForms(e.verb).exact.keys()) {
        const r = checkAnswer(e, form);
        // Graded, except the vos form of exactly the form the blank needs (tenés for tienes).
        expect(r.graded || r.outcome === "vos-form", `${e.id} ${form}`).toBe(true);
        expect(r.message, `${e.id} ${form}`).not.toMatch(/not a form|undefined/);
      }
    }
  });

  it("recognises an irregular tú imperative (haz, ven, pon) as the imperative", () => {
    const item = buildExerciseBank().find(
      (e) => e.spec.mood === "subjunctive" && e.verb === "hacer" && e.person === "2s",
    );
    if (!item) throw new Error("no subjunctive item for hacer, tú");
    const r = checkAnswer(item, "haz");
    expect(r.outcome).toBe("wrong-mood");
    expect(r.message).toContain("That is the imperative (haz: affirmative)");
  });

  it("tells the non-finite forms of every verb of the bank apart from 'not a form'", () => {
    for (const e of buildExerciseBank()) {
      for (const which of ["infinitive", "gerund"] as const) {
        const form = nonFiniteForm(e.verb, which);
        const message = checkAnswer(e, form).message;
        // para + infinitive items: the infinitive is the answer.
        if (e.spec.mood === "infinitive" && which === "infinitive") expect(message).toBe("Correct!");
        else expect(message, `${e.id} ${form}`).toContain(`is the ${which}`);
      }
    }
  });
});

describe("checkAnswer with words around the verb", () => {
  // [rule, item, answer, words named]
  const rows: [string, string, string, string][] = [
    ["subject pronoun before the right form", "wish-001", "tú hables", "tú"],
    ["pronoun without its accent", "wish-001", "tu hables", "tu"],
    ["que before the right form", "wish-001", "que hables", "que"],
    ["pronoun before a wrong person", "wish-001", "yo hable", "yo"],
    ["que and pronoun", "wish-001", "que tú hables", "que tú"],
    ["pronoun after the verb", "wish-001", "hables tú", "tú"],
    ["no before the verb", "wish-001", "no hables", "no"],
    ["reflexive pronoun of the sentence", "hab-005", "se fueron", "se"],
    ["the sentence's own words", "hyp-001", "si yo tuviera", "si yo"],
    ["a compound form with a pronoun", "emo-037", "tú hayas venido", "tú"],
  ];
  it.each(rows)("%s: %s %s", (_rule, id, answer, words) => {
    const r = check(id, answer);
    expect(r).toMatchObject({ outcome: "extra-words", graded: false, correct: false });
    expect(r.message).toBe(`Type only the verb, without "${words}", and try again.`);
  });

  it("still calls words around something that is not the verb 'not a form'", () => {
    expect(check("wish-001", "tú comas")).toMatchObject({ outcome: "wrong", graded: true });
    expect(check("wish-001", "que tú").message).toContain("not a form of hablar");
  });

  it("does not take a compound form's auxiliary for an extra word", () => {
    expect(check("emo-037", "hayas venido").outcome).toBe("correct");
    expect(check("emo-037", "has venido").outcome).toBe("wrong-mood");
  });
});

describe("checkAnswer with characters that are not what they look like", () => {
  it("never accepts a look-alike letter, and names it instead of quoting the answer", () => {
    const r = check("wish-001", "h\u0430bles"); // Cyrillic а
    expect(r).toMatchObject({ outcome: "foreign-characters", graded: false, correct: false });
    expect(r.message).toContain('U+0430 is a Cyrillic letter that looks like the Latin "a"');
    expect(r.message).not.toContain("hables");
    const greek = check("wish-001", "hables\u03bf");
    expect(greek.message).toContain("U+03BF is a Greek letter");
  });

  it("removes invisible characters, says so, and grades what is left", () => {
    const r = check("wish-001", "hab\u200bles");
    expect(r).toMatchObject({ outcome: "correct", correct: true, graded: true });
    expect(r.message).toBe(
      "Correct! Your answer had an invisible character (U+200B, zero-width space), which we removed before checking.",
    );
    const several = check("wish-001", "\ufeffhabl\u00adas\u200d");
    expect(several.outcome).toBe("wrong-mood");
    expect(several.message).toContain(
      "U+FEFF, byte order mark; U+00AD, soft hyphen; U+200D, zero-width joiner",
    );
    expect(check("wish-001", "\u200ehables\u200f").outcome).toBe("correct");
  });

  it("keeps the plain message when there is nothing invisible", () => {
    expect(check("wish-001", "hables").message).toBe("Correct!");
  });
});

describe("checkAnswer with vos forms", () => {
  it("does not grade the vos form of exactly what the blank needs, and asks for the tú form", () => {
    const r = check("bel-002", "tenés"); // Pienso que tú ___ razón: tienes
    expect(r).toMatchObject({ outcome: "vos-form", graded: false, correct: false });
    expect(r.message).toBe(
      "tenés is the vos form, right where vos is used; this item asks for the tú form. Try again.",
    );
    expect(check("bel-002", "tenes").message).toContain("Watch the accents too.");
    expect(check("bel-002", "tienes").outcome).toBe("correct");
  });

  it("says 'vos' when a vos form is in the wrong mood or person", () => {
    const mood = check("wish-001", "hablás"); // Quiero que tú ___: hables
    expect(mood.outcome).toBe("wrong-mood");
    expect(mood.message).toContain("That is the indicative (hablás: present, vos form)");
    const person = check("bel-019", "sabés"); // Supongo que tú ya ___: sabes
    expect(person.outcome).toBe("vos-form");
    const imperative = check("wish-001", "hablá");
    expect(imperative.message).toContain("imperative (hablá: affirmative, vos form)");
    // An accent on the third person is a slip, not a vos imperative: still "accent".
    const slip = check("kno-001", "hablá"); // Tengo un amigo que ___ alemán: habla
    expect(slip.outcome).toBe("accent");
    expect(slip.message).toBe(
      "Almost: no accent is needed — habla. As written, hablá is a different form: the affirmative imperative for vos.",
    );
  });
});
