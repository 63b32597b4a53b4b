// Human labels, rules and explanation templates for every trigger category.

import type { ItemSpec } from "../grammar.ts";
import type { CategoryInfo, TriggerCategory } from "./types.ts";

export const CATEGORY_INFO: Readonly<Record<TriggerCategory, CategoryInfo>> = {
  wish: {
    label: "Wishes and preferences",
    rule: "When you want, hope or prefer that someone else does something (querer que, esperar que, desear que, preferir que), the second verb goes in the subjunctive.",
    mood: "subjunctive",
    reason:
      "'{t}' expresses a wish about what someone or something else does, so the verb after it takes the subjunctive",
  },
  emotion: {
    label: "Emotions and reactions",
    rule: "A feeling about something (alegrarse de que, me sorprende que, temer que, sentir que, me molesta que) is followed by the subjunctive.",
    mood: "subjunctive",
    reason: "'{t}' expresses a feeling about a situation, and emotional reactions take the subjunctive",
  },
  impersonal: {
    label: "Impersonal expressions",
    rule: "Impersonal judgements of necessity, possibility or value (es importante que, es necesario que, es posible que, es una pena que) take the subjunctive, even when the clause is a known fact.",
    mood: "subjunctive",
    reason:
      "'{t}' is an impersonal judgement that weighs the clause (how necessary, likely or good it is) instead of asserting it, so the subjunctive follows",
  },
  request: {
    label: "Requests, advice and orders",
    rule: "When you try to influence what someone does (pedir, recomendar, aconsejar, sugerir, insistir en, prohibir, necesitar que), the subjunctive follows.",
    mood: "subjunctive",
    reason: "'{t}' tries to influence someone's behaviour, so the verb after it takes the subjunctive",
  },
  "doubt-denial": {
    label: "Doubt and denial",
    rule: "Doubt, denial and negated belief (dudar que, no creer que, no es cierto que, negar que) take the subjunctive.",
    mood: "subjunctive",
    reason: "'{t}' expresses doubt or denial, so the verb after it takes the subjunctive",
  },
  ojala: {
    label: "Ojalá",
    rule: 'Ojalá ("if only", "I hope") is always followed by the subjunctive: present for hopes that can come true, imperfect for unlikely wishes, pluperfect for regrets about the past.',
    mood: "subjunctive",
    reason: "'{t}' expresses a hope or a wish and is always followed by the subjunctive",
  },
  conjunction: {
    label: "Conjunctions of purpose and condition",
    rule: "Para que, antes de que, sin que, a menos que, a no ser que, con tal de que and en caso de que always take the subjunctive.",
    mood: "subjunctive",
    reason:
      "'{t}' introduces a purpose, condition or event that is not yet real, and always takes the subjunctive",
  },
  "pending-time": {
    label: "Time clauses about the future",
    rule: "Cuando, hasta que, en cuanto, tan pronto como, después de que and mientras take the subjunctive when the event has not happened yet.",
    mood: "subjunctive",
    reason: "'{t}' introduces an event that has not happened yet, so the subjunctive is needed",
  },
  "unknown-antecedent": {
    label: "Unknown or nonexistent people and things",
    rule: "A relative clause describing someone or something that may not exist or is not yet known (busco a alguien que…, no hay nadie que…) takes the subjunctive.",
    mood: "subjunctive",
    reason: "the clause after '{t}' describes something unknown or nonexistent, so it takes the subjunctive",
  },
  hypothetical: {
    label: "Unreal conditions and como si",
    rule: "An unreal or unlikely condition after si, and anything after como si, takes the imperfect subjunctive (the pluperfect subjunctive for the past).",
    mood: "subjunctive",
    reason: "'{t}' introduces an unreal or hypothetical situation, so the subjunctive is needed",
  },
  certainty: {
    label: "Certainty (indicative)",
    rule: "Expressions of certainty (es verdad que, es cierto que, es evidente que, está claro que, sé que, no dudo que) present facts and take the indicative.",
    mood: "indicative",
    reason: "'{t}' presents the statement as a certain fact, so the indicative is used",
  },
  belief: {
    label: "Belief and statements (indicative)",
    rule: "Affirmative verbs of thinking and saying (creo que, pienso que, me parece que, supongo que, dice que) take the indicative; only their negative forms take the subjunctive.",
    mood: "indicative",
    reason: "affirmative '{t}' states what someone believes or says is true, so the indicative is used",
  },
  "known-antecedent": {
    label: "Known people and things (indicative)",
    rule: "A relative clause describing a specific person or thing that exists and is known takes the indicative.",
    mood: "indicative",
    reason: "the clause after '{t}' describes a specific, known person or thing, so the indicative is used",
  },
  "habitual-cuando": {
    label: "Habits and past events in time clauses (indicative)",
    rule: "Cuando, en cuanto, tan pronto como, mientras and cada vez que take the indicative when they describe a habit or something that already happened.",
    mood: "indicative",
    reason:
      "'{t}' here refers to a habit or to something that already happened, not a pending event, so the indicative is used",
  },
  "real-condition": {
    label: "Real conditions with si (indicative)",
    rule: "Si introducing a real, possible condition takes the indicative; si is never followed by the present subjunctive.",
    mood: "indicative",
    reason:
      "'{t}' introduces a real, possible condition, which takes the indicative (never the present subjunctive)",
  },
  concessive: {
    label: "Aunque and por más que: hypotheses",
    rule: "Aunque ('even if') and por más que ('however much') take the subjunctive when the clause is a hypothesis or something the speaker does not assert as news; with an asserted fact they take the indicative.",
    mood: "subjunctive",
    reason:
      "'{t}' concedes something hypothetical or not asserted (even if, however much), so the subjunctive follows",
    pairedWith: "concessive-fact",
  },
  "concessive-fact": {
    label: "Aunque and por más que with facts (indicative)",
    rule: "Aunque ('although') and por más que take the indicative when the clause states a fact the speaker asserts as true.",
    mood: "indicative",
    reason: "'{t}' concedes a fact the speaker asserts as true, so the indicative is used",
    pairedWith: "concessive",
  },
  probability: {
    label: "Quizá(s) and tal vez",
    rule: "Quizá, quizás and tal vez before the verb usually take the subjunctive, which keeps the idea a mere possibility; the indicative is also correct when the speaker leans towards it being true.",
    mood: "subjunctive",
    reason:
      "'{t}' before the verb presents the idea as a mere possibility, so the subjunctive is the usual mood",
    pairedWith: "probability-indicative",
  },
  "probability-indicative": {
    label: "A lo mejor (indicative)",
    rule: "A lo mejor ('maybe') always takes the indicative, unlike quizá(s) and tal vez.",
    mood: "indicative",
    reason: "'{t}' is always followed by the indicative, unlike quizás and tal vez",
    pairedWith: "probability",
  },
  "fact-as-topic": {
    label: "El hecho de que",
    rule: "El hecho de que ('the fact that') usually takes the subjunctive, because the sentence comments on the fact instead of reporting it; es un hecho que, which asserts it, takes the indicative.",
    mood: "subjunctive",
    reason:
      "'{t}' makes the clause the topic that the rest of the sentence comments on, so the subjunctive is the usual mood even for a known fact",
    pairedWith: "certainty",
  },
  "independent-que": {
    label: "Que + subjunctive on its own: wishes and orders",
    rule: "A sentence that starts with que and has no main verb (¡Que te vaya bien!, ¡Que pase!) is a wish or an order with 'I hope' or 'I want' left out, so the subjunctive follows.",
    mood: "subjunctive",
    reason:
      "'{t}' opens a wish or an order whose main verb (I hope, I want) is left out, so the subjunctive follows",
    pairedWith: "reported-que",
  },
  "reported-que": {
    label: "Que repeating what was said (indicative)",
    rule: "Que at the start of a reply that repeats or insists on what was said (—¿Cómo? —¡Que llueve!) reports a statement with 'I said' left out, so the indicative follows.",
    mood: "indicative",
    reason: "'{t}' here repeats a statement, with 'I said' left out, so the indicative is used",
    pairedWith: "independent-que",
  },
  purpose: {
    label: "Para que (another subject)",
    rule: "Para que takes the subjunctive when the purpose is for someone else to do something; with the same subject Spanish uses para + infinitive instead.",
    mood: "subjunctive",
    reason:
      "'{t}' introduces a purpose for a different subject, and a purpose is not yet real, so the subjunctive follows",
    pairedWith: "purpose-infinitive",
  },
  "purpose-infinitive": {
    label: "Para + infinitive (same subject)",
    rule: "When the person who acts is the one the purpose is about, Spanish uses para + infinitive, never para que.",
    mood: "infinitive",
    reason:
      "'{t}' introduces a purpose with the same subject as the main verb, so the verb stays in the infinitive",
    pairedWith: "purpose",
  },
  "open-manner-place": {
    label: "Como, donde, cuando: any way, place or time",
    rule: "Como, donde and cuando take the subjunctive when the way, place or time is left open (como quieras, donde prefieras, cuando puedas) and the indicative when it is a known one.",
    mood: "subjunctive",
    reason:
      "'{t}' refers to a way, place or time that is left open (whichever one), so the subjunctive follows",
    pairedWith: "known-manner-place",
  },
  "known-manner-place": {
    label: "Como and donde: a known way or place (indicative)",
    rule: "Como and donde take the indicative when they refer to a specific way or place that is known (lo hice como me dijiste).",
    mood: "indicative",
    reason: "'{t}' refers to a specific, known way or place, so the indicative is used",
    pairedWith: "open-manner-place",
  },
};

/** The categories whose items need the indicative. */
export const INDICATIVE_CONTRAST_CATEGORIES: readonly TriggerCategory[] = (
  Object.keys(CATEGORY_INFO) as TriggerCategory[]
).filter((category) => CATEGORY_INFO[category].mood === "indicative");

const SUBJUNCTIVE_TENSE_NOTES = {
  present: "the main clause refers to the present or future, so use the present subjunctive",
  imperfect:
    "the main verb is in the past or the conditional, so the sequence of tenses calls for the imperfect subjunctive",
  "present-perfect":
    "the action is already completed from the point of view of the present main clause, so use the present perfect subjunctive",
  pluperfect:
    "the action had already happened before the past main clause, so use the pluperfect subjunctive",
} as const;

const INDICATIVE_TENSE_NOTES = {
  present: "here the present indicative, for something true now or habitually",
  preterite: "here the preterite, for a completed past event",
  imperfect: "here the imperfect indicative, for a habit, description or ongoing situation in the past",
  future: "here the future, for a future event stated as a fact",
  conditional: "here the conditional, for a future seen from the past",
  "present-perfect": "here the present perfect indicative, for a completed action connected to the present",
} as const;

const CATEGORY_TENSE_NOTES: Partial<Record<TriggerCategory, Partial<Record<string, string>>>> = {
  concessive: {
    present: "use the present subjunctive for something that may be true now or later",
    imperfect: "use the imperfect subjunctive because the main clause is in the past or the conditional",
  },
  probability: {
    present: "use the present subjunctive for a possibility now or in the future",
    imperfect: "use the imperfect subjunctive for a possibility in the past",
    "present-perfect": "use the present perfect subjunctive for something that may already have happened",
  },
  "fact-as-topic": {
    present: "use the present subjunctive because the fact belongs to the present",
    imperfect: "use the imperfect subjunctive because the main verb is in the past",
    "present-perfect": "use the present perfect subjunctive for a fact already completed now",
  },
  "independent-que": {
    present: "use the present subjunctive for a wish or an order about now or later",
  },
  purpose: {
    present: "use the present subjunctive because the main verb refers to the present or future",
    imperfect: "use the imperfect subjunctive because the main verb is in the past",
  },
  "open-manner-place": {
    present: "use the present subjunctive because the choice is still to be made",
  },
  ojala: {
    present: "the present subjunctive expresses a hope that can still come true",
    imperfect: "the imperfect subjunctive expresses a wish that is unlikely or contrary to reality now",
    "present-perfect": "the present perfect subjunctive hopes that something has already happened",
    pluperfect: "the pluperfect subjunctive expresses regret about something in the past that did not happen",
  },
  hypothetical: {
    imperfect:
      "use the imperfect subjunctive because the condition is unreal or unlikely in the present or future",
    pluperfect: "use the pluperfect subjunctive because the condition lies in the past and did not happen",
  },
};

/** After "como si" the tense only shows whether the unreal situation is simultaneous or earlier. */
const COMO_SI_NOTES: Partial<Record<string, string>> = {
  imperfect: "use the imperfect subjunctive for an unreal situation at the same time as the main verb",
  pluperfect: "use the pluperfect subjunctive for an unreal situation earlier than the main verb",
};

/** The tense half for an infinitive blank. */
const INFINITIVE_NOTE = "only a different subject would need para que and a conjugated verb";

/** The tense half of an explanation: why this tense for this category. */
export function tenseNoteFor(category: TriggerCategory, spec: ItemSpec, trigger?: string): string {
  if (spec.mood === "infinitive") return INFINITIVE_NOTE;
  const comoSi = trigger?.toLowerCase() === "como si" ? COMO_SI_NOTES[spec.tense] : undefined;
  const special = comoSi ?? CATEGORY_TENSE_NOTES[category]?.[spec.tense];
  if (special && spec.mood === "subjunctive") return special;
  return spec.mood === "subjunctive"
    ? SUBJUNCTIVE_TENSE_NOTES[spec.tense]
    : INDICATIVE_TENSE_NOTES[spec.tense];
}

/** One sentence: why this mood (from the trigger) and why this tense. */
export function explain(
  category: TriggerCategory,
  trigger: string,
  spec: ItemSpec,
  tenseNote?: string,
  reasonOverride?: string,
): string {
  const reason = (reasonOverride ?? CATEGORY_INFO[category].reason).replace("{t}", trigger.toLowerCase());
  const text = `${reason}; ${tenseNote ?? tenseNoteFor(category, spec, trigger)}.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
