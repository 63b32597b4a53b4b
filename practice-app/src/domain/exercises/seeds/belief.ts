// Contrast items (indicative): affirmative belief and statements. Creo que, pienso que, me parece que,
// supongo que, dice que…

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const BELIEF_SEEDS = defineSeeds("belief", [
  ["bel-001", 1, "Creo que Juan ___ en casa.", "estar", "3s", "PI", "I think Juan is at home.", "creo que"],
  ["bel-002", 2, "Pienso que tú ___ razón.", "tener", "2s", "PI", "I think you're right.", "pienso que"],
  ["bel-003", 2, "Me parece que ___ a llover.", "ir", "3s", "PI", "I think it's going to rain.", "me parece que"],
  ["bel-004", 2, "Creemos que el museo ___ los lunes.", "cerrar", "3s", "PI", "We think the museum closes on Mondays.", "creemos que"],
  ["bel-005", 2, "Supongo que vosotros ___ cansados después del viaje.", "estar", "2p", "PI", "I suppose you're all tired after the journey.", "supongo que"],
  ["bel-006", 2, "Creo que mañana ___ sol.", "hacer", "3s", "FUT", "I think it will be sunny tomorrow.", "creo que", { also: ["PI", "With mañana the present indicative is as natural as the future for what you expect, and both are indicative because creo que is affirmative."] }],
  ["bel-007", 1, "Mi hermana piensa que yo ___ demasiado.", "trabajar", "1s", "PI", "My sister thinks I work too much.", "piensa que"],
  ["bel-008", 3, "Mi padre me dijo que ___ muy cansado.", "estar", "3s", "II", "My father told me he was very tired.", "me dijo que"],
  ["bel-009", 2, "Creo que ellos ya ___ al hotel.", "llegar", "3p", "PPI", "I think they have already arrived at the hotel.", "creo que"],
  ["bel-010", 2, "Imagino que usted ya ___ a mi socio.", "conocer", "3s", "PI", "I imagine you already know my business partner.", "imagino que"],
  ["bel-011", 2, "Pensaba que tú ___ en Barcelona.", "vivir", "2s", "II", "I thought you lived in Barcelona.", "pensaba que"],
  ["bel-012", 3, "Creía que la película ___ a las ocho.", "empezar", "3s", "II", "I thought the film started at eight.", "creía que"],
  ["bel-013", 2, "Opino que el gobierno ___ razón en este tema.", "tener", "3s", "PI", "In my opinion the government is right on this issue.", "opino que"],
  ["bel-014", 3, "Me parece que vosotros ___ demasiado rápido.", "conducir", "2p", "PI", "I think you all drive too fast.", "me parece que"],
  ["bel-015", 2, "Creo que en casa nosotros ___ demasiado azúcar.", "comer", "1p", "PI", "I think we eat too much sugar at home.", "creo que"],
  ["bel-016", 2, "Estoy convencido de que ella ___ la verdad.", "decir", "3s", "PI", "I'm convinced she's telling the truth.", "estoy convencido de que"],
  ["bel-017", 2, "Pienso que el español no ___ tan difícil.", "ser", "3s", "PI", "I think Spanish isn't that difficult.", "pienso que"],
  ["bel-018", 3, "Ella me prometió que ___ a la fiesta.", "venir", "3s", "COND", "She promised me she would come to the party.", "me prometió que"],
  ["bel-019", 2, "Supongo que tú ya ___ la noticia.", "saber", "2s", "PI", "I suppose you already know the news.", "supongo que"],
  ["bel-020", 2, "Me parece que esta chaqueta te ___ grande.", "quedar", "3s", "PI", "I think this jacket is too big for you.", "me parece que"],
  ["bel-021", 2, "Creo que Ana y Luis se ___ el año pasado.", "casar", "3p", "PRET", "I think Ana and Luis got married last year.", "creo que"],
  ["bel-022", 2, "Sí, creo que ustedes ___ tiempo de sobra.", "tener", "3p", "PI", "Yes, I think you have plenty of time.", "creo que"],
  ["bel-023", 2, "Los expertos dicen que la economía ___ el año que viene.", "mejorar", "3s", "FUT", "The experts say the economy will improve next year.", "dicen que"],
  ["bel-024", 3, "Pensábamos que vosotros ___ el tren de las siete.", "coger", "2p", "II", "We thought you were catching the seven o'clock train.", "pensábamos que"],
]);
