// Contrast items (indicative): a lo mejor, which never takes the subjunctive.
// Partners (probability.ts): quizá(s) and tal vez, where the subjunctive is the usual mood.

import { defineSeeds, PRESENT_FOR_FUTURE } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const PROBABILITY_INDICATIVE_SEEDS = defineSeeds("probability-indicative", [
  ["alm-001", 1, "A lo mejor ___ mañana por la tarde.", "llover", "3s", "PI", "Maybe it'll rain tomorrow afternoon.", "a lo mejor", { partner: "qui-001", tenseNote: PRESENT_FOR_FUTURE }],
  ["alm-002", 1, "A lo mejor tu hermano ___ en casa; llámalo.", "estar", "3s", "PI", "Maybe your brother is at home; call him.", "a lo mejor", { partner: "qui-002" }],
  ["alm-003", 2, "A lo mejor ellos no ___ dónde vivimos.", "saber", "3p", "PI", "Maybe they don't know where we live.", "a lo mejor", { partner: "qui-003" }],
  ["alm-004", 2, "A lo mejor nosotros ___ ir a la playa el domingo.", "poder", "1p", "PI", "Maybe we can go to the beach on Sunday.", "a lo mejor", { partner: "qui-004", tenseNote: PRESENT_FOR_FUTURE }],
  ["alm-005", 2, "A lo mejor ya ___ la carta.", "llegar", "3s", "PPI", "Maybe the letter has already arrived.", "a lo mejor", { partner: "qui-005" }],
  ["alm-006", 1, "A lo mejor tú ___ razón y yo me equivoco.", "tener", "2s", "PI", "Maybe you're right and I'm wrong.", "a lo mejor", { partner: "qui-006" }],
  ["alm-007", 2, "A lo mejor vosotros ___ antes que nosotros.", "llegar", "2p", "PI", "Maybe you'll all get there before us.", "a lo mejor", { partner: "qui-007", tenseNote: PRESENT_FOR_FUTURE }],
  ["alm-008", 2, "A lo mejor mi abuelo no ___ bien lo que le dijimos.", "entender", "3s", "PRET", "Maybe my grandfather didn't quite understand what we told him.", "a lo mejor", { partner: "qui-008" }],
]);
