import { describe, expect, it } from "vitest";
import { PERSONS } from "../grammar.ts";
import { INDICATIVE_TABLE, SUBJUNCTIVE_TABLE } from "./conjugation-table.ts";
import {
  conjugate,
  conjugateAlternatives,
  conjugateVerb,
  MODELS,
  nonFiniteForm,
  pastParticiple,
} from "./index.ts";

const PI = { mood: "indicative", tense: "present" } as const;
const PS = { mood: "subjunctive", tense: "present" } as const;
const PRET = { mood: "indicative", tense: "preterite" } as const;
const row = (verb: string, spec: Parameters<typeof conjugate>[1]) =>
  PERSONS.map((p) => conjugate(verb, spec, p)).join(" ");

// Reference forms written from the RAE model tables (DLE "conjug." and NGLE appendix), for verbs
// beyond the exercise bank: the engine must generalise, not enumerate.
const OUTSIDE_THE_BANK = [
  ["tentar", PS, "tiente tientes tiente tentemos tentéis tienten"], // c. acertar
  ["cegar", PS, "ciegue ciegues ciegue ceguemos ceguéis cieguen"],
  ["reventar", PI, "reviento revientas revienta reventamos reventáis revientan"],
  ["enmendar", PS, "enmiende enmiendes enmiende enmendemos enmendéis enmienden"],
  ["arrepentir", PRET, "arrepentí arrepentiste arrepintió arrepentimos arrepentisteis arrepintieron"],
  ["discernir", PS, "discierna disciernas discierna discernamos discernáis disciernan"], // c. discernir
  ["concernir", PI, "concierno conciernes concierne concernimos concernís conciernen"],
  ["volcar", PS, "vuelque vuelques vuelque volquemos volquéis vuelquen"], // c. contar
  ["soldar", PI, "sueldo sueldas suelda soldamos soldáis sueldan"],
  ["agorar", PI, "agüero agüeras agüera agoramos agoráis agüeran"],
  ["moler", PS, "muela muelas muela molamos moláis muelan"], // c. mover
  ["colegir", PI, "colijo coliges colige colegimos colegís coligen"], // c. pedir
  ["constreñir", PRET, "constreñí constreñiste constriñó constreñimos constreñisteis constriñeron"],
  ["desleír", PI, "deslío deslíes deslíe desleímos desleís deslíen"], // c. reír
  ["desandar", PRET, "desanduve desanduviste desanduvo desanduvimos desanduvisteis desanduvieron"],
  ["malquerer", PRET, "malquise malquisiste malquiso malquisimos malquisisteis malquisieron"],
  ["rehuir", PS, "rehúya rehúyas rehúya rehuyamos rehuyáis rehúyan"],
  ["prohijar", PI, "prohíjo prohíjas prohíja prohijamos prohijáis prohíjan"],
  ["europeizar", PS, "europeíce europeíces europeíce europeicemos europeicéis europeícen"],
  ["podrir", PI, "pudro pudres pudre pudrimos pudrís pudren"],
  ["rehacer", PRET, "rehíce rehiciste rehízo rehicimos rehicisteis rehicieron"],
  // soler is defective (no future, conditional or imperative in use): only the forms it has.
  ["soler", PI, "suelo sueles suele solemos soléis suelen"], // c. mover
  ["soler", PS, "suela suelas suela solamos soláis suelan"],
  ["soler", { mood: "indicative", tense: "imperfect" }, "solía solías solía solíamos solíais solían"],
] as const;

describe("verbs outside the bank follow their RAE model", () => {
  it.each(OUTSIDE_THE_BANK)("%s", (verb, spec, forms) => {
    expect(row(verb, spec)).toBe(forms);
  });

  it("gives podrir and pudrir the participle podrido", () => {
    expect(pastParticiple("pudrir")).toBe("podrido");
    expect(pastParticiple("podrir")).toBe("podrido");
  });

  it("has reference forms for every model, in the tables or above", () => {
    // A model without a single reference row is tested by nothing but "does not throw".
    const verbs = new Set([
      ...SUBJUNCTIVE_TABLE.map((r) => r.infinitive),
      ...INDICATIVE_TABLE.map((r) => r.infinitive),
      ...OUTSIDE_THE_BANK.map(([verb]) => verb),
    ]);
    const covered = new Set([...verbs].map((verb) => conjugateVerb(verb, PI, "3s").model));
    expect([...MODELS.keys()].filter((id) => !covered.has(id))).toEqual([]);
  });

  it("every model verb is in the lexicon and conjugates", () => {
    for (const id of MODELS.keys())
      expect(() => conjugate(id.replace(/^contradecir$/, id), PI, "3s")).not.toThrow();
  });
});

describe("forms RAE also accepts", () => {
  const FUT = { mood: "indicative", tense: "future" } as const;
  const COND = { mood: "indicative", tense: "conditional" } as const;
  it.each([
    // [verb, form, person, every form, the one produced first]
    ["erguir", PI, "1s", ["irgo", "yergo"]],
    ["erguir", PI, "3p", ["irguen", "yerguen"]],
    ["erguir", PI, "1p", ["erguimos"]], // stressed on the ending: no ye- form
    ["erguir", PS, "2s", ["irgas", "yergas"]],
    ["erguir", PS, "1p", ["irgamos"]],
    ["yacer", PI, "1s", ["yazco", "yazgo", "yago"]],
    ["yacer", PS, "1p", ["yazcamos", "yazgamos", "yagamos"]],
    ["subyacer", PI, "1s", ["subyazco", "subyazgo", "subyago"]], // compounds inherit them
    ["raer", PI, "1s", ["raigo", "rayo"]],
    ["raer", PS, "2p", ["raigáis", "rayáis"]],
    ["predecir", FUT, "1s", ["predeciré", "prediré"]],
    ["contradecir", COND, "3s", ["contradeciría", "contradiría"]],
    ["desdecir", FUT, "3p", ["desdecirán", "desdirán"]],
  ] as const)("%s %o %s: %o, the first produced", (verb, spec, person, forms) => {
    expect(conjugateAlternatives(verb, spec, person)).toEqual(forms);
    expect(conjugate(verb, spec, person)).toBe(forms[0]);
  });
});

describe("the forms beyond the bank's tenses", () => {
  it("imperative, affirmative and negative", () => {
    const aff = { mood: "imperative", tense: "affirmative" } as const;
    expect(["2s", "3s", "1p", "2p", "3p"].map((p) => conjugate("tener", aff, p as never))).toEqual([
      "ten",
      "tenga",
      "tengamos",
      "tened",
      "tengan",
    ]);
    expect(conjugate("obtener", aff, "2s")).toBe("obtén");
    expect(conjugate("bendecir", aff, "2s")).toBe("bendice");
    expect(conjugate("hablar", { mood: "imperative", tense: "negative" }, "2s")).toBe("no hables");
    expect(() => conjugate("hablar", aff, "1s")).toThrow(/no yo form/);
  });

  it("the future subjunctive and the compound tenses the checker recognises", () => {
    expect(conjugate("tener", { mood: "subjunctive", tense: "future" }, "3s")).toBe("tuviere");
    expect(conjugate("saber", { mood: "indicative", tense: "conditional-perfect" }, "1s")).toBe(
      "habría sabido",
    );
    expect(conjugate("ver", { mood: "indicative", tense: "pluperfect" }, "1p")).toBe("habíamos visto");
    expect(conjugate("hacer", { mood: "indicative", tense: "future-perfect" }, "3p")).toBe("habrán hecho");
  });

  it("non-finite forms", () => {
    expect(
      ["hablar", "sentir", "dormir", "leer", "ir", "poder", "reír", "decir"].map((v) =>
        nonFiniteForm(v, "gerund"),
      ),
    ).toEqual(["hablando", "sintiendo", "durmiendo", "leyendo", "yendo", "pudiendo", "riendo", "diciendo"]);
  });

  it("voseo, as an option", () => {
    const vos = { voseo: true };
    expect(conjugate("hablar", PI, "2s", vos)).toBe("hablás");
    expect(conjugate("querer", PI, "2s", vos)).toBe("querés");
    expect(conjugate("ser", PI, "2s", vos)).toBe("sos");
    expect(conjugate("vivir", { mood: "imperative", tense: "affirmative" }, "2s", vos)).toBe("viví");
    expect(conjugate("hablar", PI, "2s")).toBe("hablas");
  });
});
