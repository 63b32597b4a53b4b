// Wishes and preferences: querer que, desear que, esperar que, preferir que, me gustaría que.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const WISH_SEEDS = defineSeeds("wish", [
  // Present subjunctive
  ["wish-001", 1, "Quiero que tú ___ más despacio.", "hablar", "2s", "PS", "I want you to speak more slowly.", "quiero que"],
  ["wish-002", 1, "Mis padres quieren que yo ___ medicina.", "estudiar", "1s", "PS", "My parents want me to study medicine.", "quieren que"],
  ["wish-003", 2, "Espero que el tren ___ a tiempo.", "llegar", "3s", "PS", "I hope the train arrives on time.", "espero que"],
  ["wish-004", 2, "Deseo que ustedes ___ un buen viaje.", "tener", "3p", "PS", "I hope you all have a good trip.", "deseo que"],
  ["wish-005", 1, "Espero que te ___ pronto.", "mejorar", "2s", "PS", "I hope you get better soon.", "espero que"],
  ["wish-006", 1, "¿Quieres que yo te ___ con la mudanza?", "ayudar", "1s", "PS", "Do you want me to help you with the move?", "quieres que"],
  ["wish-007", 1, "Prefiero que nosotros ___ en casa esta noche.", "cenar", "1p", "PS", "I'd rather we had dinner at home tonight.", "prefiero que"],
  ["wish-008", 1, "La profesora quiere que los alumnos ___ el capítulo cinco.", "leer", "3p", "PS", "The teacher wants the students to read chapter five.", "quiere que"],
  ["wish-009", 2, "Espero que vosotros lo ___ bien este fin de semana.", "pasar", "2p", "PS", "I hope you all have a good time this weekend.", "espero que"],
  ["wish-010", 2, "No quiero que tú ___ tarde otra vez.", "volver", "2s", "PS", "I don't want you to come back late again.", "no quiero que"],
  ["wish-011", 2, "Mi jefe quiere que yo ___ el informe antes del viernes.", "hacer", "1s", "PS", "My boss wants me to do the report before Friday.", "quiere que"],
  ["wish-012", 2, "Esperamos que ustedes ___ disfrutar de la cena.", "poder", "3p", "PS", "We hope you can enjoy the dinner.", "esperamos que"],
  ["wish-013", 2, "Deseo que todos tus sueños se ___ realidad.", "hacer", "3p", "PS", "I hope all your dreams come true.", "deseo que"],
  ["wish-014", 2, "Queremos que el niño ___ bien esta noche.", "dormir", "3s", "PS", "We want the child to sleep well tonight.", "queremos que"],
  ["wish-015", 2, "Espero que no ___ mañana, porque vamos a la playa.", "llover", "3s", "PS", "I hope it doesn't rain tomorrow, because we're going to the beach.", "espero que"],
  ["wish-016", 2, "Prefiero que tú ___ el restaurante esta vez.", "elegir", "2s", "PS", "I'd rather you chose the restaurant this time.", "prefiero que"],
  ["wish-017", 2, "Mi madre quiere que nosotros ___ a verla más a menudo.", "ir", "1p", "PS", "My mother wants us to go and see her more often.", "quiere que"],
  ["wish-018", 2, "Espero que ella ya ___ la noticia.", "saber", "3s", "PS", "I hope she already knows the news.", "espero que"],
  ["wish-019", 2, "Queremos que usted se ___ como en casa.", "sentir", "3s", "PS", "We want you to feel at home.", "queremos que"],
  ["wish-020", 1, "¿Qué quieres que yo te ___ para tu cumpleaños?", "regalar", "1s", "PS", "What do you want me to give you for your birthday?", "quieres que"],
  ["wish-021", 2, "Los vecinos quieren que nosotros no ___ ruido por la noche.", "hacer", "1p", "PS", "The neighbours want us not to make noise at night.", "quieren que"],
  ["wish-022", 2, "Espero que mis hijos ___ buenas personas.", "ser", "3p", "PS", "I hope my children will be good people.", "espero que"],
  ["wish-023", 2, "Deseamos que el nuevo año os ___ mucha felicidad.", "traer", "3s", "PS", "We hope the new year brings you all a lot of happiness.", "deseamos que"],
  ["wish-024", 1, "Prefiero que nadie ___ mi diario.", "leer", "3s", "PS", "I'd rather nobody read my diary.", "prefiero que"],
  ["wish-025", 1, "Espero que tus padres ___ bien.", "estar", "3p", "PS", "I hope your parents are well.", "espero que"],
  ["wish-026", 1, "El cliente quiere que nosotros le ___ el pedido hoy.", "enviar", "1p", "PS", "The customer wants us to send him the order today.", "quiere que"],
  ["wish-027", 2, "Prefiero que ustedes ___ por la puerta de atrás.", "entrar", "3p", "PS", "I'd rather you came in through the back door.", "prefiero que"],
  ["wish-028", 2, "Espero que mi equipo ___ la final este año.", "jugar", "3s", "PS", "I hope my team plays in the final this year.", "espero que"],
  ["wish-044", 1, "Quiero que mi abuelo me ___ a pescar.", "enseñar", "3s", "PS", "I want my grandfather to teach me to fish.", "quiero que"],
  // Imperfect subjunctive: past or conditional main clause
  ["wish-029", 1, "Quería que tú ___ conmigo al concierto.", "venir", "2s", "IS", "I wanted you to come with me to the concert.", "quería que"],
  ["wish-030", 1, "Mis padres querían que yo ___ abogado.", "ser", "1s", "IS", "My parents wanted me to be a lawyer.", "querían que"],
  ["wish-031", 2, "Esperaba que el examen ___ más fácil.", "ser", "3s", "IS", "I was hoping the exam would be easier.", "esperaba que"],
  ["wish-032", 3, "Me gustaría que vosotros ___ a mi boda.", "venir", "2p", "IS", "I would like you all to come to my wedding.", "me gustaría que"],
  ["wish-033", 2, "Preferiría que usted no ___ en el coche.", "fumar", "3s", "IS", "I would prefer you not to smoke in the car.", "preferiría que"],
  ["wish-034", 2, "El director quería que nosotros ___ el proyecto en junio.", "terminar", "1p", "IS", "The director wanted us to finish the project in June.", "quería que"],
  ["wish-035", 2, "Ella esperaba que él la ___ por teléfono.", "llamar", "3s", "IS", "She was hoping he would call her.", "esperaba que"],
  ["wish-036", 3, "Queríamos que los niños ___ un poco antes de la cena.", "dormir", "3p", "IS", "We wanted the children to sleep a little before dinner.", "queríamos que"],
  ["wish-037", 2, "Me gustaría que tú me ___ la verdad.", "decir", "2s", "IS", "I would like you to tell me the truth.", "me gustaría que"],
  ["wish-038", 2, "Mi abuela deseaba que toda la familia ___ junta en Navidad.", "estar", "3s", "IS", "My grandmother wished the whole family could be together at Christmas.", "deseaba que"],
  ["wish-039", 2, "Mi hermano no quiso que yo ___ su coche.", "conducir", "1s", "IS", "My brother didn't want me to drive his car.", "no quiso que"],
  // Present perfect subjunctive
  ["wish-040", 3, "Espero que vosotros lo ___ bien en la fiesta de anoche.", "pasar", "2p", "PPS", "I hope you all had a good time at the party last night.", "espero que", { also: ["IS", "For a finished event dated in the past (anoche), the imperfect subjunctive is as standard as the present perfect subjunctive after a present main verb."] }],
  ["wish-041", 1, "Espero que el paquete ya ___ a su destino.", "llegar", "3s", "PPS", "I hope the package has already reached its destination.", "espero que"],
  ["wish-042", 2, "Esperamos que usted ya ___ la información que le enviamos.", "recibir", "3s", "PPS", "We hope you have already received the information we sent you.", "esperamos que"],
  // Pluperfect subjunctive
  ["wish-043", 3, "Yo esperaba que ellos ya ___ la reunión cuando llegué.", "terminar", "3p", "PLS", "I was hoping they had already finished the meeting when I arrived.", "esperaba que"],
]);
