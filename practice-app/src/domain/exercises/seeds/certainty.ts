// Contrast items (indicative): certainty. Es verdad que, es cierto que, es evidente que, está claro que,
// sé que, no dudo que…

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const CERTAINTY_SEEDS = defineSeeds("certainty", [
  ["cer-001", 2, "Es verdad que Madrid ___ muchos museos.", "tener", "3s", "PI", "It's true that Madrid has a lot of museums.", "es verdad que"],
  ["cer-002", 2, "Es cierto que el examen ___ mañana.", "ser", "3s", "PI", "It's true that the exam is tomorrow.", "es cierto que", { tenseNote: "here the present indicative, which Spanish uses for a scheduled future event (mañana)" }],
  ["cer-003", 2, "Es evidente que tú ___ razón.", "tener", "2s", "PI", "It's obvious that you're right.", "es evidente que"],
  ["cer-004", 2, "Está claro que ellos no ___ venir.", "querer", "3p", "PI", "It's clear that they don't want to come.", "está claro que"],
  ["cer-005", 3, "No dudo que tú ___ un buen médico algún día.", "ser", "2s", "FUT", "I don't doubt that you'll be a good doctor one day.", "no dudo que", { also: ["PS", "After 'no dudo que' both moods are standard: the indicative presents it as certain, and the subjunctive, which many speakers keep after dudar even when it is negated, is just as correct."] }],
  ["cer-006", 2, "Sé que mis padres ___ orgullosos de mí.", "estar", "3p", "PI", "I know my parents are proud of me.", "sé que"],
  ["cer-007", 2, "Estoy seguro de que el tren ___ a las diez, como todos los días.", "salir", "3s", "PI", "I'm sure the train leaves at ten, as it does every day.", "estoy seguro de que"],
  ["cer-008", 2, "Es obvio que el niño ___ sueño.", "tener", "3s", "PI", "It's obvious that the child is sleepy.", "es obvio que"],
  ["cer-009", 2, "Es verdad que ayer nosotros ___ demasiado.", "comer", "1p", "PRET", "It's true that we ate too much yesterday.", "es verdad que"],
  ["cer-010", 2, "No hay duda de que ella ___ la mejor jugadora del equipo.", "ser", "3s", "PI", "There's no doubt that she's the best player on the team.", "no hay duda de que"],
  ["cer-011", 2, "Todo el mundo sabe que el agua ___ a cien grados.", "hervir", "3s", "PI", "Everybody knows that water boils at a hundred degrees.", "sabe que"],
  ["cer-012", 2, "Es seguro que mañana ___; lo dice el pronóstico.", "llover", "3s", "FUT", "It's certain that it will rain tomorrow; the forecast says so.", "es seguro que", { also: ["PI", "With mañana the present indicative is as natural as the future for a forecast event, and both state it as certain."] }],
  ["cer-013", 3, "Era evidente que él ___ mintiendo.", "estar", "3s", "II", "It was obvious that he was lying.", "era evidente que"],
  ["cer-014", 3, "Estaba claro que nadie ___ la respuesta.", "saber", "3s", "II", "It was clear that nobody knew the answer.", "estaba claro que"],
  ["cer-015", 3, "Es cierto que vosotros ___ mucho este año.", "trabajar", "2p", "PPI", "It's true that you all have worked a lot this year.", "es cierto que"],
  ["cer-016", 2, "No cabe duda de que ese restaurante ___ el mejor de la ciudad.", "ser", "3s", "PI", "There's no doubt that restaurant is the best in the city.", "no cabe duda de que"],
  ["cer-017", 3, "Me consta que usted ___ todo lo posible.", "hacer", "3s", "PPI", "I know for a fact that you have done everything possible.", "me consta que"],
  ["cer-018", 3, "Es indudable que la tecnología ___ nuestras vidas en los últimos años.", "cambiar", "3s", "PPI", "Technology has undoubtedly changed our lives in recent years.", "es indudable que"],
  ["cer-019", 3, "Sabíamos que tú nos ___ la verdad.", "decir", "2s", "II", "We knew you were telling us the truth.", "sabíamos que"],
  ["cer-020", 1, "Es verdad que yo ___ cansado hoy.", "estar", "1s", "PI", "It's true that I'm tired today.", "es verdad que"],
  ["cer-021", 3, "Estoy segura de que vosotros lo ___ muy bien en la entrevista.", "hacer", "2p", "FUT", "I'm sure you'll all do very well in the interview.", "estoy segura de que"],
  ["cer-022", 2, "Es evidente que a Lucía le ___ los animales.", "gustar", "3p", "PI", "It's obvious that Lucía likes animals.", "es evidente que"],
  ["cer-023", 2, "Todos sabemos que fumar ___ malo para la salud.", "ser", "3s", "PI", "We all know that smoking is bad for your health.", "sabemos que"],
  ["cer-024", 3, "Es evidente que ustedes ___ muy duro para conseguirlo.", "trabajar", "3p", "PPI", "It's obvious that you have worked very hard to achieve it.", "es evidente que"],
  // Partners of the el hecho de que items (fact-as-topic.ts): the fact asserted, in the indicative.
  ["cer-025", 1, "Es un hecho que Ana no ___ a las reuniones.", "venir", "3s", "PI", "It's a fact that Ana doesn't come to meetings.", "es un hecho que", { partner: "hec-001" }],
  ["cer-026", 1, "Está claro que este vino ___ caro, pero ¿es bueno?", "ser", "3s", "PI", "It's clear that this wine is expensive, but is it good?", "está claro que", { partner: "hec-002" }],
  ["cer-027", 2, "Es verdad que nosotros ___ juntos muchos años.", "trabajar", "1p", "PPI", "It's true that we've worked together for many years.", "es verdad que", { partner: "hec-003" }],
  ["cer-028", 2, "Todo el mundo sabe que tú ___ más que yo.", "ganar", "2s", "PI", "Everybody knows that you earn more than I do.", "sabe que", { partner: "hec-004" }],
  ["cer-029", 2, "Es cierto que nadie me ___ las gracias.", "dar", "3s", "PRET", "It's true that nobody thanked me.", "es cierto que", { partner: "hec-005" }],
]);
