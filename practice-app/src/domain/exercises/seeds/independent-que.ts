// Que + subjunctive on its own: a wish or an order whose main verb (espero, quiero) is left out.
// Partners (reported-que.ts): que opening a reply that repeats a statement, with the indicative.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const INDEPENDENT_QUE_SEEDS = defineSeeds("independent-que", [
  ["wque-001", 1, "¡Que te ___ bien en el nuevo trabajo!", "ir", "3s", "PS", "Good luck in the new job!", "que", { partner: "rque-001" }],
  ["wque-002", 1, "¡Que ___ un buen viaje!", "tener", "2p", "PS", "Have a good trip, all of you!", "que", { partner: "rque-002" }],
  ["wque-003", 1, "¡Que ___ el siguiente!", "pasar", "3s", "PS", "Next, please!", "que", { partner: "rque-003" }],
  ["wque-004", 2, "¡Que no se te ___ llamar a tu madre!", "olvidar", "3s", "PS", "Don't forget to call your mother!", "que", { partner: "rque-004" }],
  ["wque-005", 2, "¡Que ___ muy felices!", "ser", "2p", "PS", "May you be very happy!", "que", { partner: "rque-005" }],
  ["wque-006", 2, "¡Que alguien ___ la puerta, por favor!", "abrir", "3s", "PS", "Somebody open the door, please!", "que", { partner: "rque-006" }],
]);
