// Para que + subjunctive: a purpose for someone else. Partners (purpose-infinitive.ts): para +
// infinitive, when the subject stays the same.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const PURPOSE_SEEDS = defineSeeds("purpose", [
  ["pque-001", 1, "Te lo explico para que lo ___.", "entender", "2s", "PS", "I'm explaining it to you so that you understand it.", "para que", { partner: "pinf-001" }],
  ["pque-002", 1, "Mis padres trabajan mucho para que nosotros ___ estudiar.", "poder", "1p", "PS", "My parents work hard so that we can study.", "para que", { partner: "pinf-002" }],
  ["pque-003", 2, "Hablad más alto para que todos os ___.", "oír", "3p", "PS", "Speak up so that everyone can hear you.", "para que", { partner: "pinf-003" }],
  ["pque-004", 2, "Dejé la luz encendida para que el niño no ___ miedo.", "tener", "3s", "IS", "I left the light on so that the child wouldn't be scared.", "para que", { partner: "pinf-004" }],
  ["pque-005", 2, "Te doy mi número para que me ___ si hay algún problema.", "llamar", "2s", "PS", "I'm giving you my number so that you can call me if there's a problem.", "para que", { partner: "pinf-005" }],
  ["pque-006", 3, "El profesor repitió la explicación para que los alumnos la ___.", "comprender", "3p", "IS", "The teacher repeated the explanation so that the students would understand it.", "para que", { partner: "pinf-006" }],
  ["pque-007", 2, "Os aviso con tiempo para que ___ organizaros.", "poder", "2p", "PS", "I'm letting you know in advance so that you can get organised.", "para que", { partner: "pinf-007" }],
]);
