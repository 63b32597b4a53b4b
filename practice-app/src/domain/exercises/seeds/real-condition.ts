// Contrast items (indicative): real, possible conditions with si.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const REAL_CONDITION_SEEDS = defineSeeds("real-condition", [
  ["rea-001", 2, "Si ___ mañana, nos quedaremos en casa.", "llover", "3s", "PI", "If it rains tomorrow, we'll stay at home.", "si", { tenseNote: "after si the present indicative refers to the future here (Spanish does not use the future tense in this slot)" }],
  ["rea-002", 2, "Si tú ___ tiempo, llámame.", "tener", "2s", "PI", "If you have time, call me.", "si"],
  ["rea-003", 2, "Si nosotros ___ ahora, llegaremos a tiempo.", "salir", "1p", "PI", "If we leave now, we'll arrive on time.", "si"],
  ["rea-004", 2, "Si ustedes ___ hambre, hay comida en la nevera.", "tener", "3p", "PI", "If you're hungry, there's food in the fridge.", "si"],
  ["rea-005", 2, "Si el semáforo ___ en rojo, hay que parar.", "estar", "3s", "PI", "If the traffic light is red, you have to stop.", "si"],
  ["rea-006", 2, "Si ___ azul y amarillo, obtienes verde.", "mezclar", "2s", "PI", "If you mix blue and yellow, you get green.", "si"],
  ["rea-007", 3, "Si vosotros ___ el autobús de las ocho, llegaréis antes.", "coger", "2p", "PI", "If you all catch the eight o'clock bus, you'll get there earlier.", "si", { tenseNote: "after si the present indicative refers to the future here (Spanish does not use the future tense in this slot)" }],
  ["rea-008", 3, "Si mi hermano ___ a la fiesta, yo también iré.", "ir", "3s", "PI", "If my brother goes to the party, I'll go too.", "si", { tenseNote: "after si the present indicative refers to the future here (Spanish does not use the future tense in this slot)" }],
  ["rea-009", 2, "Si usted ___ algún problema, llame a recepción.", "encontrar", "3s", "PI", "If you find any problem, call reception.", "si"],
  ["rea-010", 3, "Si ayer ___ a clase, ya sabes la respuesta.", "ir", "2s", "PRET", "If you went to class yesterday, you already know the answer.", "si"],
  ["rea-011", 2, "Si ___ buen tiempo el sábado, haremos una barbacoa.", "hacer", "3s", "PI", "If the weather is good on Saturday, we'll have a barbecue.", "si", { tenseNote: "after si the present indicative refers to the future here (Spanish does not use the future tense in this slot)" }],
  ["rea-012", 3, "Si te ___ la cabeza, tómate una aspirina.", "doler", "3s", "PI", "If you have a headache, take an aspirin.", "si"],
]);
