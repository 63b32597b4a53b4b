// Contrast items (indicative): aunque and por más que with a fact the speaker asserts.
// Every item's partner (concessive.ts) is the same trigger with a hypothesis.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const CONCESSIVE_FACT_SEEDS = defineSeeds("concessive-fact", [
  ["conf-001", 1, "Aunque ___ ahora mismo, vamos a salir a pasear.", "llover", "3s", "PI", "Although it's raining right now, we're going out for a walk.", "aunque", { partner: "conc-001" }],
  ["conf-002", 2, "Aunque no me ___, sé que tengo razón.", "creer", "2s", "PI", "Although you don't believe me, I know I'm right.", "aunque", { partner: "conc-002" }],
  ["conf-003", 2, "Aunque ___ mucho dinero, vive en un piso pequeño.", "tener", "3s", "PI", "Although he has a lot of money, he lives in a small flat.", "aunque", { partner: "conc-003" }],
  ["conf-004", 1, "Aunque ___ cansada, Marta quiere terminar el capítulo esta noche.", "estar", "3s", "PI", "Although she's tired, Marta wants to finish the chapter tonight.", "aunque", { partner: "conc-004" }],
  ["conf-005", 2, "Aunque me lo ___ de rodillas, no lo hice.", "pedir", "2s", "PRET", "Although you begged me on your knees, I didn't do it.", "aunque", { partner: "conc-005" }],
  ["conf-006", 2, "Aunque ___ el mejor candidato, no le dieron el puesto.", "ser", "3s", "II", "Although he was the best candidate, they didn't give him the job.", "aunque", { partner: "conc-006" }],
  ["conf-007", 2, "Aunque a todos les ___ raro, Pablo se vistió de amarillo para la boda.", "parecer", "3s", "PRET", "Although everyone found it strange, Pablo wore yellow to the wedding.", "aunque", { partner: "conc-007" }],
  ["conf-008", 2, "Aunque nosotros ___ temprano, no encontramos sitio.", "salir", "1p", "PRET", "Although we left early, we didn't find a seat.", "aunque", { partner: "conc-008" }],
  ["conf-009", 2, "Por más que ___, no me convences.", "insistir", "2s", "PI", "No matter how much you insist, you don't convince me.", "por más que", { partner: "conc-009" }],
  ["conf-010", 2, "Por más que ___, nunca apruebo los exámenes de química.", "estudiar", "1s", "PI", "No matter how much I study, I never pass chemistry exams.", "por más que", { partner: "conc-010" }],
  ["conf-011", 2, "Por más que ___, no encontramos las llaves.", "buscar", "1p", "PRET", "However hard we looked, we didn't find the keys.", "por más que", { partner: "conc-011" }],
  ["conf-012", 3, "Por más que se lo ___, mi hijo no ordenaba su cuarto.", "repetir", "1s", "II", "However often I told him, my son wouldn't tidy his room.", "por más que", { partner: "conc-012" }],
]);
