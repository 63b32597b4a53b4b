// Contrast items (indicative): que opening a reply that repeats or explains a statement ("I said
// that…"). Partners (independent-que.ts): que + subjunctive for a wish or an order.

import { defineSeeds, PRESENT_FOR_FUTURE } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const REPORTED_QUE_SEEDS = defineSeeds("reported-que", [
  ["rque-001", 2, "—¿Cómo dices? —¡Que ayer me ___ muy bien la entrevista!", "ir", "3s", "PRET", "—What did you say? —That my interview went really well yesterday!", "que", { partner: "wque-001" }],
  ["rque-002", 2, "—¿Cómo? No te oigo. —¡Que el tren ___ a las seis, no a las siete!", "salir", "3s", "PI", "—What? I can't hear you. —I said the train leaves at six, not seven!", "que", { partner: "wque-002", tenseNote: PRESENT_FOR_FUTURE }],
  ["rque-003", 1, "—¿Qué ha dicho la enfermera? —Que ya ___ los resultados.", "estar", "3p", "PI", "—What did the nurse say? —That the results are ready.", "que", { partner: "wque-003" }],
  ["rque-004", 2, "—¿Qué te pasa? —¡Que se me ___ las llaves en casa!", "olvidar", "3p", "PRET", "—What's wrong? —I left my keys at home!", "que", { partner: "wque-004" }],
  ["rque-005", 2, "—¿Qué le has dicho a tu madre? —Que ___ muy felices en Madrid desde que nos mudamos.", "ser", "1p", "PI", "—What did you tell your mother? —That we've been very happy in Madrid since we moved.", "que", { partner: "wque-005" }],
  ["rque-006", 3, "—¿Por qué gritas? —¡Que alguien ___ la puerta del garaje!", "abrir", "3s", "PPI", "—Why are you shouting? —Somebody has opened the garage door!", "que", { partner: "wque-006" }],
]);
