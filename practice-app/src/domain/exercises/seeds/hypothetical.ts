// Unreal conditions with si (imperfect / pluperfect subjunctive) and como si.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const HYPOTHETICAL_SEEDS = defineSeeds("hypothetical", [
  // Imperfect subjunctive: unreal present or unlikely future
  ["hyp-001", 3, "Si yo ___ dinero, viajaría por todo el mundo.", "tener", "1s", "IS", "If I had money, I would travel all over the world.", "si"],
  ["hyp-002", 3, "Si tú ___ más, aprobarías todos los exámenes.", "estudiar", "2s", "IS", "If you studied more, you would pass all your exams.", "si"],
  ["hyp-003", 3, "Si nosotros ___ en la costa, iríamos a nadar todos los días.", "vivir", "1p", "IS", "If we lived on the coast, we would go swimming every day.", "si"],
  ["hyp-004", 3, "Si ella ___ la verdad, no estaría tan tranquila.", "saber", "3s", "IS", "If she knew the truth, she wouldn't be so calm.", "si"],
  ["hyp-005", 3, "Si ustedes ___ más temprano, no llegarían tarde.", "salir", "3p", "IS", "If you left earlier, you wouldn't arrive late.", "si"],
  ["hyp-006", 3, "Si yo ___ tú, no lo haría.", "ser", "1s", "IS", "If I were you, I wouldn't do it.", "si"],
  ["hyp-007", 3, "Si ___ menos calor, saldríamos a pasear.", "hacer", "3s", "IS", "If it were less hot, we would go out for a walk.", "si"],
  ["hyp-008", 3, "Si mi coche no ___ tanta gasolina, lo usaría más.", "gastar", "3s", "IS", "If my car didn't use so much petrol, I would use it more.", "si"],
  ["hyp-009", 3, "¿Qué harías si ___ la lotería?", "ganar", "2s", "IS", "What would you do if you won the lottery?", "si"],
  ["hyp-010", 3, "Si vosotros ___ más, os sentiríais mejor.", "dormir", "2p", "IS", "If you all slept more, you would feel better.", "si"],
  ["hyp-011", 3, "Si ___ un buen médico en el pueblo, no tendríamos que ir a la ciudad.", "haber", "3s", "IS", "If there were a good doctor in the village, we wouldn't have to go to the city.", "si"],
  ["hyp-012", 3, "Si tú me lo ___, te ayudaría.", "pedir", "2s", "IS", "If you asked me, I would help you.", "si"],
  ["hyp-013", 3, "Si yo no ___ que trabajar mañana, me quedaría más tiempo.", "tener", "1s", "IS", "If I didn't have to work tomorrow, I would stay longer.", "si"],
  ["hyp-014", 3, "Si mis abuelos ___ más cerca, los visitaríamos cada semana.", "vivir", "3p", "IS", "If my grandparents lived closer, we would visit them every week.", "si"],
  ["hyp-015", 3, "Si tú ___ a la fiesta, todos se alegrarían.", "venir", "2s", "IS", "If you came to the party, everyone would be happy.", "si"],
  // After como si: imperfect for the same time, pluperfect for an earlier time
  ["hyp-016", 2, "Él habla como si ___ el jefe.", "ser", "3s", "IS", "He talks as if he were the boss.", "como si"],
  ["hyp-017", 2, "Ella me miró como si no me ___.", "conocer", "3s", "IS", "She looked at me as if she didn't know me.", "como si"],
  ["hyp-018", 2, "Mis vecinos gastan dinero como si ___ millonarios.", "ser", "3p", "IS", "My neighbours spend money as if they were millionaires.", "como si"],
  ["hyp-019", 2, "Actúas como si no te ___ nada.", "importar", "3s", "IS", "You act as if nothing mattered to you.", "como si"],
  ["hyp-020", 2, "Nos trataron como si ___ de la familia.", "ser", "1p", "IS", "They treated us as if we were family.", "como si"],
  ["hyp-021", 2, "Comes como si no ___ en una semana.", "comer", "2s", "PLS", "You eat as if you hadn't eaten for a week.", "como si"],
  // Pluperfect subjunctive: unreal past
  ["hyp-022", 3, "Si yo ___ la verdad, te lo habría dicho.", "saber", "1s", "PLS", "If I had known the truth, I would have told you.", "si"],
  ["hyp-023", 3, "Si tú ___ antes, habrías visto a Carlos.", "llegar", "2s", "PLS", "If you had arrived earlier, you would have seen Carlos.", "si"],
  ["hyp-024", 3, "Si nosotros ___ el mapa, no nos habríamos perdido.", "traer", "1p", "PLS", "If we had brought the map, we wouldn't have got lost.", "si"],
  ["hyp-025", 3, "Si ayer ___ buen tiempo, habríamos ido a la playa.", "hacer", "3s", "PLS", "If the weather had been good yesterday, we would have gone to the beach.", "si"],
  ["hyp-026", 3, "Si ellos ___ el tren de las ocho, ya estarían aquí.", "tomar", "3p", "PLS", "If they had taken the eight o'clock train, they would be here by now.", "si"],
  ["hyp-027", 3, "Ella habla de París como si ___ allí muchas veces.", "estar", "3s", "PLS", "She talks about Paris as if she had been there many times.", "como si"],
  ["hyp-028", 3, "Si usted me ___, habría evitado el problema.", "escuchar", "3s", "PLS", "If you had listened to me, you would have avoided the problem.", "si"],
  ["hyp-029", 3, "Si vosotros ___ el anuncio, habríais venido antes.", "ver", "2p", "PLS", "If you all had seen the advert, you would have come earlier.", "si"],
]);
