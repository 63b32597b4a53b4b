// Quizá(s) and tal vez before the verb: the subjunctive is the usual mood, the indicative is also
// standard, so every indicative that fits the sentence is accepted (the present and the future for
// tomorrow; the preterite and the present perfect for a past event), with a note on what the mood
// changes. Partners (probability-indicative.ts): a lo mejor, which only takes the indicative.

import { defineSeeds } from "./define.ts";

const BOTH =
  "Before the verb, quizás and tal vez take either mood, so both are right here: the subjunctive sounds more doubtful, the indicative more confident.";

// biome-ignore format: one line per item keeps the bank easy to review
export const PROBABILITY_SEEDS = defineSeeds("probability", [
  ["qui-001", 1, "Quizás ___ mañana por la tarde.", "llover", "3s", "PS", "Maybe it will rain tomorrow afternoon.", "quizás", { partner: "alm-001", also: [["FUT", "PI"], BOTH] }],
  ["qui-002", 1, "Tal vez Marta ___ enferma; hoy no ha venido.", "estar", "3s", "PS", "Maybe Marta is ill; she hasn't come in today.", "tal vez", { partner: "alm-002", also: ["PI", BOTH] }],
  ["qui-003", 2, "Quizá ellos no ___ la dirección.", "saber", "3p", "PS", "Maybe they don't know the address.", "quizá", { partner: "alm-003", also: ["PI", BOTH] }],
  ["qui-004", 2, "Tal vez nosotros ___ ir al cine el sábado.", "poder", "1p", "PS", "Maybe we can go to the cinema on Saturday.", "tal vez", { partner: "alm-004", also: [["FUT", "PI"], BOTH] }],
  ["qui-005", 2, "Quizás ya ___ el paquete.", "llegar", "3s", "PPS", "Maybe the parcel has already arrived.", "quizás", { partner: "alm-005", also: ["PPI", BOTH] }],
  ["qui-006", 1, "Tal vez tú ___ razón.", "tener", "2s", "PS", "Maybe you're right.", "tal vez", { partner: "alm-006", also: ["PI", BOTH] }],
  ["qui-007", 2, "Tal vez vosotros ___ antes que nosotros.", "llegar", "2p", "PS", "Maybe you'll all get there before us.", "tal vez", { partner: "alm-007", also: [["FUT", "PI"], BOTH] }],
  ["qui-008", 3, "Quizá mi abuela no ___ bien lo que le dijimos.", "entender", "3s", "PPS", "Maybe my grandmother didn't quite understand what we told her.", "quizá", { partner: "alm-008", also: [["PRET", "PPI", "IS"], BOTH] }],
]);
