// Para + infinitive: the purpose of whoever does the main verb, so there is no que and no
// conjugated verb. The blank takes the infinitive. Partners (purpose.ts): para que + subjunctive.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const PURPOSE_INFINITIVE_SEEDS = defineSeeds("purpose-infinitive", [
  ["pinf-001", 1, "Leo despacio para ___ mejor.", "entender", "1s", "INF", "I read slowly to understand better.", "para", { partner: "pque-001" }],
  ["pinf-002", 1, "Trabajamos mucho para ___ viajar en verano.", "poder", "1p", "INF", "We work hard to be able to travel in summer.", "para", { partner: "pque-002" }],
  ["pinf-003", 2, "Me senté en la primera fila para ___ mejor al profesor.", "oír", "1s", "INF", "I sat in the front row to hear the teacher better.", "para", { partner: "pque-003" }],
  ["pinf-004", 2, "Dejé la luz encendida para no ___ al volver.", "tropezar", "1s", "INF", "I left the light on so as not to trip when I got back.", "para", { partner: "pque-004" }],
  ["pinf-005", 1, "Te llamo para ___ cómo estás.", "saber", "1s", "INF", "I'm calling to find out how you are.", "para", { partner: "pque-005" }],
  ["pinf-006", 2, "El profesor repitió la explicación para no ___ a nadie atrás.", "dejar", "3s", "INF", "The teacher repeated the explanation so as not to leave anyone behind.", "para", { partner: "pque-006" }],
  ["pinf-007", 2, "Nos levantamos a las seis para ___ el primer tren.", "tomar", "1p", "INF", "We got up at six to catch the first train.", "para", { partner: "pque-007" }],
]);
