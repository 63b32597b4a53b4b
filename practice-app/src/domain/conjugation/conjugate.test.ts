import { describe, expect, it } from "vitest";
import { ALL_FORM_SPECS, type FormSpec, PERSONS } from "../grammar.ts";
import { INDICATIVE_TABLE, SUBJUNCTIVE_TABLE } from "./conjugation-table.ts";
import {
  ConjugationError,
  conjugate,
  conjugateAlternatives,
  conjugateVerb,
  isSupportedInfinitive,
  pastParticiple,
} from "./index.ts";

const SUBJ_PRESENT: FormSpec = { mood: "subjunctive", tense: "present" };
const SUBJ_IMPERFECT: FormSpec = { mood: "subjunctive", tense: "imperfect" };
const SUBJ_PERFECT: FormSpec = { mood: "subjunctive", tense: "present-perfect" };
const SUBJ_PLUPERFECT: FormSpec = { mood: "subjunctive", tense: "pluperfect" };
const IND_PRESENT: FormSpec = { mood: "indicative", tense: "present" };
const IND_PRETERITE: FormSpec = { mood: "indicative", tense: "preterite" };
const IND_IMPERFECT: FormSpec = { mood: "indicative", tense: "imperfect" };
const IND_FUTURE: FormSpec = { mood: "indicative", tense: "future" };
const IND_CONDITIONAL: FormSpec = { mood: "indicative", tense: "conditional" };
const IND_PERFECT: FormSpec = { mood: "indicative", tense: "present-perfect" };

const simple = (forms: string) => forms.trim().split(/\s+/);
const compound = (forms: string) => forms.split(/\s*,\s*/);

function all(infinitive: string, spec: FormSpec, options?: { imperfectEnding?: "ra" | "se" }): string[] {
  return PERSONS.map((person) => conjugate(infinitive, spec, person, options));
}

describe("the reference table", () => {
  it("covers at least 80 distinct verbs, six forms per tense", () => {
    const verbs = new Set(SUBJUNCTIVE_TABLE.map((row) => row.infinitive));
    expect(verbs.size).toBe(SUBJUNCTIVE_TABLE.length);
    expect(verbs.size).toBeGreaterThanOrEqual(80);
    for (const row of SUBJUNCTIVE_TABLE) {
      for (const forms of [row.present, row.imperfectRa, row.imperfectSe]) {
        if (forms !== undefined) expect(simple(forms), row.infinitive).toHaveLength(6);
      }
      for (const forms of [row.presentPerfect, row.pluperfectRa, row.pluperfectSe]) {
        if (forms !== undefined) expect(compound(forms), row.infinitive).toHaveLength(6);
      }
    }
  });
});

describe.each(SUBJUNCTIVE_TABLE)("subjunctive of $infinitive", (row) => {
  it("present", () => {
    expect(all(row.infinitive, SUBJ_PRESENT)).toEqual(simple(row.present));
  });

  it("imperfect in -ra, the default", () => {
    expect(all(row.infinitive, SUBJ_IMPERFECT)).toEqual(simple(row.imperfectRa));
    expect(all(row.infinitive, SUBJ_IMPERFECT, { imperfectEnding: "ra" })).toEqual(simple(row.imperfectRa));
  });

  const { imperfectSe, presentPerfect, pluperfectRa, pluperfectSe } = row;
  if (imperfectSe !== undefined) {
    it("imperfect in -se, and both as alternatives", () => {
      const se = simple(imperfectSe);
      const ra = simple(row.imperfectRa);
      expect(all(row.infinitive, SUBJ_IMPERFECT, { imperfectEnding: "se" })).toEqual(se);
      PERSONS.forEach((person, i) => {
        expect(conjugateAlternatives(row.infinitive, SUBJ_IMPERFECT, person)).toEqual([ra[i], se[i]]);
      });
    });
  }

  if (presentPerfect !== undefined) {
    it("present perfect", () => {
      expect(all(row.infinitive, SUBJ_PERFECT)).toEqual(compound(presentPerfect));
    });
  }

  if (pluperfectRa !== undefined) {
    it("pluperfect in -ra", () => {
      expect(all(row.infinitive, SUBJ_PLUPERFECT)).toEqual(compound(pluperfectRa));
    });
  }

  if (pluperfectSe !== undefined) {
    it("pluperfect in -se", () => {
      expect(all(row.infinitive, SUBJ_PLUPERFECT, { imperfectEnding: "se" })).toEqual(compound(pluperfectSe));
    });
  }
});

describe.each(INDICATIVE_TABLE)("indicative of $infinitive", (row) => {
  it("present, preterite and future", () => {
    expect(all(row.infinitive, IND_PRESENT)).toEqual(simple(row.present));
    expect(all(row.infinitive, IND_PRETERITE)).toEqual(simple(row.preterite));
    expect(all(row.infinitive, IND_FUTURE)).toEqual(simple(row.future));
  });

  const { imperfect, conditional, presentPerfect } = row;
  if (imperfect !== undefined) {
    it("imperfect", () => {
      expect(all(row.infinitive, IND_IMPERFECT)).toEqual(simple(imperfect));
    });
  }

  if (conditional !== undefined) {
    it("conditional", () => {
      expect(all(row.infinitive, IND_CONDITIONAL)).toEqual(simple(conditional));
    });
  }

  if (presentPerfect !== undefined) {
    it("present perfect", () => {
      expect(all(row.infinitive, IND_PERFECT)).toEqual(compound(presentPerfect));
    });
  }
});

describe("how the imperfect subjunctive is derived", () => {
  it("is the preterite ellos form with -ron replaced by -ra, for every verb in the tables", () => {
    const verbs = new Set([...SUBJUNCTIVE_TABLE, ...INDICATIVE_TABLE].map((row) => row.infinitive));
    for (const verb of verbs) {
      const theyPreterite = conjugate(verb, IND_PRETERITE, "3p");
      expect(conjugate(verb, SUBJ_IMPERFECT, "3p"), verb).toBe(theyPreterite.replace(/ron$/, "ran"));
    }
  });
});

describe("irregular futures and conditionals", () => {
  it.each([
    ["tener", "tendré", "tendría"],
    ["poder", "podré", "podría"],
    ["querer", "querré", "querría"],
    ["saber", "sabré", "sabría"],
    ["caber", "cabré", "cabría"],
    ["hacer", "haré", "haría"],
    ["decir", "diré", "diría"],
    ["poner", "pondré", "pondría"],
    ["salir", "saldré", "saldría"],
    ["valer", "valdré", "valdría"],
    ["venir", "vendré", "vendría"],
    ["haber", "habré", "habría"],
    ["satisfacer", "satisfaré", "satisfaría"],
    ["deshacer", "desharé", "desharía"],
    ["proponer", "propondré", "propondría"],
    ["mantener", "mantendré", "mantendría"],
    ["convenir", "convendré", "convendría"],
  ])("%s → %s, %s", (verb, future, conditional) => {
    expect(conjugate(verb, IND_FUTURE, "1s")).toBe(future);
    expect(conjugate(verb, IND_CONDITIONAL, "1s")).toBe(conditional);
  });
});

describe("pastParticiple", () => {
  it.each([
    ["hablar", "hablado"],
    ["comer", "comido"],
    ["vivir", "vivido"],
    ["hacer", "hecho"],
    ["decir", "dicho"],
    ["escribir", "escrito"],
    ["describir", "descrito"],
    ["ver", "visto"],
    ["prever", "previsto"],
    ["poner", "puesto"],
    ["proponer", "propuesto"],
    ["volver", "vuelto"],
    ["devolver", "devuelto"],
    ["envolver", "envuelto"],
    ["resolver", "resuelto"],
    ["morir", "muerto"],
    ["abrir", "abierto"],
    ["romper", "roto"],
    ["cubrir", "cubierto"],
    ["descubrir", "descubierto"],
    ["imprimir", "impreso"],
    ["satisfacer", "satisfecho"],
    ["deshacer", "deshecho"],
    ["predecir", "predicho"],
    ["freír", "frito"],
    ["leer", "leído"],
    ["creer", "creído"],
    ["oír", "oído"],
    ["caer", "caído"],
    ["traer", "traído"],
    ["reír", "reído"],
    ["sonreír", "sonreído"],
    ["construir", "construido"],
    ["huir", "huido"],
    ["ir", "ido"],
    ["ser", "sido"],
    ["tener", "tenido"],
    ["bendecir", "bendecido"],
    ["corromper", "corrompido"],
  ])("%s → %s", (verb, participle) => {
    expect(pastParticiple(verb)).toBe(participle);
  });
});

describe("conjugateAlternatives", () => {
  it("gives -ra then -se for the imperfect subjunctive", () => {
    expect(conjugateAlternatives("hablar", SUBJ_IMPERFECT, "1p")).toEqual(["habláramos", "hablásemos"]);
    expect(conjugateAlternatives("ser", SUBJ_IMPERFECT, "2p")).toEqual(["fuerais", "fueseis"]);
  });

  it("gives hubiera and hubiese for the pluperfect subjunctive", () => {
    expect(conjugateAlternatives("hacer", SUBJ_PLUPERFECT, "3s")).toEqual(["hubiera hecho", "hubiese hecho"]);
    expect(conjugateAlternatives("ver", SUBJ_PLUPERFECT, "1p")).toEqual([
      "hubiéramos visto",
      "hubiésemos visto",
    ]);
  });

  it("gives exactly one form for every other tense", () => {
    for (const spec of ALL_FORM_SPECS) {
      if (spec.mood === "subjunctive" && (spec.tense === "imperfect" || spec.tense === "pluperfect"))
        continue;
      for (const person of PERSONS) {
        const forms = conjugateAlternatives("tener", spec, person);
        expect(forms).toEqual([conjugate("tener", spec, person)]);
      }
    }
  });

  it("ignores the -ra/-se option outside the imperfect and pluperfect", () => {
    expect(conjugate("tener", SUBJ_PRESENT, "1s", { imperfectEnding: "se" })).toBe("tenga");
    expect(conjugate("tener", IND_PERFECT, "1s", { imperfectEnding: "se" })).toBe("he tenido");
    expect(conjugate("tener", SUBJ_PERFECT, "3p", { imperfectEnding: "se" })).toBe("hayan tenido");
  });
});

describe("input", () => {
  it("accepts surrounding spaces, capitals and decomposed accents", () => {
    expect(conjugate("  hablar ", SUBJ_PRESENT, "1s")).toBe("hable");
    expect(conjugate("Hablar", SUBJ_PRESENT, "1s")).toBe("hable");
    expect(conjugate("rei\u0301r", SUBJ_PRESENT, "1p")).toBe("riamos");
    expect(isSupportedInfinitive(" hablar ")).toBe(true);
  });

  it("accepts reir and oir without the accent", () => {
    expect(conjugate("reir", SUBJ_PRESENT, "1s")).toBe("ría");
    expect(conjugate("oir", IND_PRESENT, "1p")).toBe("oímos");
  });

  it("refuses a made-up verb unless asked to guess, and then says it guessed", () => {
    expect(() => conjugate("xyzar", SUBJ_PRESENT, "1s")).toThrow(/"xyzar" is not a verb in the lexicon/);
    expect(isSupportedInfinitive("xyzar")).toBe(false);
    const guessed = conjugateVerb("xyzar", SUBJ_PRESENT, "1s", { guess: true });
    expect(guessed).toEqual({ forms: ["xyce"], model: "amar", guessed: true });
    expect(conjugateVerb("hablar", SUBJ_PRESENT, "1s", { guess: true }).guessed).toBe(false);
    // A guess is not remembered as a fact: the next strict call still refuses.
    expect(() => conjugate("xyzar", SUBJ_PRESENT, "1s")).toThrow(ConjugationError);
  });

  // Dictionary entries shaped like infinitives that are no verbs (the generator's NOT_VERBS).
  it.each(["der", "dir", "eser"])("refuses %s, which only looks like an infinitive", (input) => {
    expect(isSupportedInfinitive(input)).toBe(false);
    expect(() => conjugate(input, SUBJ_PRESENT, "1s")).toThrow(`"${input}" is not a verb in the lexicon`);
  });

  it.each(["hablar", "comer", "vivir", "ir", "reír", "oír", "sonreír", "argüir", "soler", "apostar"])(
    "supports %s",
    (verb) => {
      expect(isSupportedInfinitive(verb)).toBe(true);
    },
  );

  it.each(["", "   ", "xyz", "levantarse", "hablo", "hablar mañana", "háblar", "ar", "ír", "huír", "h4blar"])(
    "rejects %j",
    (input) => {
      expect(isSupportedInfinitive(input)).toBe(false);
      expect(() => conjugate(input, SUBJ_PRESENT, "1s")).toThrow(ConjugationError);
      expect(() => conjugateAlternatives(input, SUBJ_PRESENT, "1s")).toThrow(ConjugationError);
      expect(() => pastParticiple(input)).toThrow(ConjugationError);
    },
  );

  it("names the verb and what is expected", () => {
    expect(() => conjugate("xyz", SUBJ_PRESENT, "1s")).toThrow(/"xyz".*-ar, -er or -ir/);
    expect(() => conjugate("", SUBJ_PRESENT, "1s")).toThrow(/empty/);
  });

  it("tells the caller to drop the reflexive pronoun", () => {
    expect(() => conjugate("levantarse", SUBJ_PRESENT, "1s")).toThrow(/"levantarse".*pass.*"levantar"/);
    expect(() => conjugate("irse", SUBJ_PRESENT, "1s")).toThrow(/"ir"/);
  });

  it("rejects an unknown form or person", () => {
    const bad = { mood: "subjunctive", tense: "preterite" } as unknown as FormSpec;
    expect(() => conjugate("hablar", bad, "1s")).toThrow(ConjugationError);
    expect(() => conjugate("hablar", SUBJ_PRESENT, "4s" as never)).toThrow(ConjugationError);
    expect(() => conjugate("hablar", SUBJ_IMPERFECT, "1s", { imperfectEnding: "xx" as never })).toThrow(
      ConjugationError,
    );
  });

  it("is an Error whose name is ConjugationError", () => {
    try {
      conjugate("xyz", SUBJ_PRESENT, "1s");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("ConjugationError");
    }
  });
});

describe("every form of every table verb", () => {
  it("is lower-case Spanish with no internal markers left", () => {
    const verbs = new Set([...SUBJUNCTIVE_TABLE, ...INDICATIVE_TABLE].map((row) => row.infinitive));
    for (const verb of verbs) {
      for (const spec of ALL_FORM_SPECS) {
        for (const person of PERSONS) {
          for (const form of conjugateAlternatives(verb, spec, person)) {
            expect(form, `${verb} ${spec.mood} ${spec.tense} ${person}`).toMatch(
              /^[a-zñáéíóúü]+( [a-zñáéíóúü]+)?$/,
            );
          }
        }
      }
    }
  });
});
