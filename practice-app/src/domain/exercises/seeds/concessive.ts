// Aunque and por más que + subjunctive: a hypothesis ("even if"), or something not asserted as news.
// Every item's partner (concessive-fact.ts) is the same trigger with an asserted fact.
// With a fact the speaker knows, the indicative is just as standard (aunque estás cansado...), so a
// sentence here must say that the conceded thing is unknown or still to come (no sé, todavía no,
// mañana): each item then teaches one thing, and the indicative is rightly refused.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const CONCESSIVE_SEEDS = defineSeeds("concessive", [
  ["conc-001", 1, "Aunque ___ mañana, iremos a la playa.", "llover", "3s", "PS", "Even if it rains tomorrow, we'll go to the beach.", "aunque", { partner: "conf-001" }],
  ["conc-002", 1, "Te voy a contar algo increíble: aunque no me lo ___, es la verdad.", "creer", "2s", "PS", "I'm going to tell you something incredible: even if you don't believe me, it's the truth.", "aunque", { partner: "conf-002" }],
  ["conc-003", 2, "Aunque ___ mucho dinero, no compraría ese coche.", "tener", "1s", "IS", "Even if I had a lot of money, I wouldn't buy that car.", "aunque", { partner: "conf-003" }],
  ["conc-004", 2, "No sé cómo volverán ustedes del viaje, pero aunque ___ cansados, tendrán que terminar el informe.", "estar", "3p", "PS", "I don't know what state you'll be in after the trip, but even if you're tired, you'll have to finish the report.", "aunque", { partner: "conf-004" }],
  ["conc-005", 2, "No lo haré aunque me lo ___ de rodillas.", "pedir", "2s", "PS", "I won't do it even if you beg me on your knees.", "aunque", { partner: "conf-005" }],
  ["conc-006", 3, "Aunque ___ el mejor candidato, no le darían el puesto.", "ser", "3s", "IS", "Even if he were the best candidate, they wouldn't give him the job.", "aunque", { partner: "conf-006" }],
  ["conc-007", 2, "Todavía no has probado mi receta; aunque te ___ rara, a mí me encanta.", "parecer", "3s", "PS", "You haven't tried my recipe yet; even if it seems strange to you, I love it.", "aunque", { partner: "conf-007" }],
  ["conc-008", 2, "Aunque nosotros ___ temprano, no encontraremos sitio.", "salir", "1p", "PS", "Even if we leave early, we won't find a seat.", "aunque", { partner: "conf-008" }],
  ["conc-009", 2, "Mañana puedes volver a intentarlo, pero por más que ___, no vas a convencerme.", "insistir", "2s", "PS", "You can try again tomorrow, but however much you insist, you won't convince me.", "por más que", { partner: "conf-009" }],
  ["conc-010", 2, "Por más que ___ esta noche, no aprobarás el examen.", "estudiar", "2s", "PS", "However much you study tonight, you won't pass the exam.", "por más que", { partner: "conf-010" }],
  ["conc-011", 2, "Por más que ___, no encontraréis las llaves aquí.", "buscar", "2p", "PS", "However hard you all look, you won't find the keys here.", "por más que", { partner: "conf-011" }],
  ["conc-012", 3, "Por más que me lo ___, no pienso ir a esa fiesta.", "repetir", "3p", "PS", "However many times they tell me, I'm not going to that party.", "por más que", { partner: "conf-012" }],
]);
