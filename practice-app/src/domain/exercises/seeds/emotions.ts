// Emotions and reactions: alegrarse de que, me sorprende que, temer que, sentir que, me molesta que…

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const EMOTION_SEEDS = defineSeeds("emotion", [
  // Present subjunctive
  ["emo-001", 1, "Me alegro de que tú ___ aquí.", "estar", "2s", "PS", "I'm glad you're here.", "me alegro de que"],
  ["emo-002", 1, "Me sorprende que Juan no ___ nada de español.", "hablar", "3s", "PS", "It surprises me that Juan doesn't speak any Spanish.", "me sorprende que"],
  ["emo-003", 2, "Temo que nosotros ___ el último autobús.", "perder", "1p", "PS", "I'm afraid we'll miss the last bus.", "temo que"],
  ["emo-004", 2, "Siento que tu abuelo ___ enfermo.", "estar", "3s", "PS", "I'm sorry that your grandfather is ill.", "siento que"],
  ["emo-005", 1, "Me molesta que mis compañeros ___ tan alto.", "hablar", "3p", "PS", "It bothers me that my colleagues talk so loudly.", "me molesta que"],
  ["emo-006", 1, "Nos encanta que nuestros nietos nos ___ los domingos.", "visitar", "3p", "PS", "We love it when our grandchildren visit us on Sundays.", "nos encanta que"],
  ["emo-007", 1, "A Marta le preocupa que su hijo no ___ lo suficiente.", "comer", "3s", "PS", "Marta is worried that her son doesn't eat enough.", "le preocupa que"],
  ["emo-008", 1, "Tengo miedo de que el perro se ___ de casa.", "escapar", "3s", "PS", "I'm afraid the dog will run away from home.", "tengo miedo de que"],
  ["emo-009", 2, "Me da pena que ustedes se ___ tan pronto.", "ir", "3p", "PS", "It makes me sad that you're leaving so soon.", "me da pena que"],
  ["emo-010", 2, "Estoy contenta de que mi hermana ___ a vivir cerca de mí.", "venir", "3s", "PS", "I'm happy that my sister is coming to live near me.", "estoy contenta de que"],
  ["emo-011", 1, "Odio que la gente ___ basura en la calle.", "tirar", "3s", "PS", "I hate it when people throw rubbish in the street.", "odio que"],
  ["emo-012", 2, "Me gusta que tú ___ la guitarra por las noches.", "tocar", "2s", "PS", "I like it that you play the guitar in the evenings.", "me gusta que"],
  ["emo-013", 2, "Nos sorprende que el museo ___ tan temprano.", "cerrar", "3s", "PS", "We're surprised that the museum closes so early.", "nos sorprende que"],
  ["emo-014", 2, "Me alegro de que vosotros ___ venir a la fiesta.", "poder", "2p", "PS", "I'm glad you all can come to the party.", "me alegro de que"],
  ["emo-015", 2, "Siento mucho que tú no te ___ bien.", "sentir", "2s", "PS", "I'm very sorry you're not feeling well.", "siento mucho que"],
  ["emo-016", 2, "Temo que la empresa ___ a cerrar la fábrica.", "ir", "3s", "PS", "I'm afraid the company is going to close the factory.", "temo que"],
  ["emo-017", 1, "Me encanta que mi pareja me ___ el desayuno los sábados.", "preparar", "3s", "PS", "I love that my partner makes me breakfast on Saturdays.", "me encanta que"],
  ["emo-018", 2, "Me fastidia que el autobús siempre ___ retraso.", "tener", "3s", "PS", "It annoys me that the bus is always late.", "me fastidia que"],
  ["emo-019", 2, "Me alegro de que por fin ___ las vacaciones.", "empezar", "3p", "PS", "I'm glad the holidays are finally starting.", "me alegro de que"],
  ["emo-020", 2, "A mis padres les molesta que yo me ___ tan tarde.", "acostar", "1s", "PS", "It bothers my parents that I go to bed so late.", "les molesta que"],
  ["emo-021", 1, "Me preocupa que mis alumnos no ___ los deberes.", "entregar", "3p", "PS", "It worries me that my students don't hand in their homework.", "me preocupa que"],
  ["emo-022", 2, "Es una alegría para mí que tú ___ con nosotros.", "seguir", "2s", "PS", "It is a joy for me that you are still with us.", "es una alegría para mí que"],
  ["emo-023", 2, "Me extraña que el banco no te ___ el préstamo.", "dar", "3s", "PS", "I'm surprised the bank won't give you the loan.", "me extraña que"],
  ["emo-024", 1, "Tememos que los precios ___ otra vez.", "subir", "3p", "PS", "We're afraid prices will go up again.", "tememos que"],
  ["emo-025", 2, "Me da miedo que mi hijo ___ en moto.", "ir", "3s", "PS", "It scares me that my son rides a motorbike.", "me da miedo que"],
  // Imperfect subjunctive: past main clause
  ["emo-026", 2, "Me alegré de que tú ___ el trabajo.", "conseguir", "2s", "IS", "I was glad that you got the job.", "me alegré de que"],
  ["emo-027", 2, "Nos sorprendió que el concierto ___ tan corto.", "ser", "3s", "IS", "We were surprised that the concert was so short.", "nos sorprendió que"],
  ["emo-028", 2, "Ella temía que su novio la ___.", "dejar", "3s", "IS", "She was afraid her boyfriend would leave her.", "temía que"],
  ["emo-029", 3, "Sentí mucho que vosotros no ___ venir a la boda.", "poder", "2p", "IS", "I was very sorry that you all couldn't come to the wedding.", "sentí mucho que"],
  ["emo-030", 2, "A mi madre le molestaba que nosotros ___ con la boca abierta.", "comer", "1p", "IS", "It bothered my mother that we ate with our mouths open.", "le molestaba que"],
  ["emo-031", 2, "Me encantó que mis alumnos me ___ una tarjeta.", "escribir", "3p", "IS", "I loved that my students wrote me a card.", "me encantó que"],
  ["emo-032", 2, "Tenía miedo de que nadie ___ a mi fiesta.", "venir", "3s", "IS", "I was afraid nobody would come to my party.", "tenía miedo de que"],
  ["emo-033", 2, "Les extrañó que el hotel no ___ agua caliente.", "tener", "3s", "IS", "They found it strange that the hotel had no hot water.", "les extrañó que"],
  ["emo-034", 2, "Me dolió que mi mejor amigo no me ___ la verdad.", "decir", "3s", "IS", "It hurt me that my best friend didn't tell me the truth.", "me dolió que"],
  ["emo-035", 2, "Nos preocupaba que el niño ___ tanta fiebre.", "tener", "3s", "IS", "We were worried that the child had such a high fever.", "nos preocupaba que"],
  ["emo-036", 3, "A los vecinos les molestó que nosotros ___ música hasta las tres.", "poner", "1p", "IS", "The neighbours were annoyed that we played music until three.", "les molestó que"],
  // Present perfect subjunctive
  ["emo-037", 1, "Me alegro de que tú ___ a verme esta mañana.", "venir", "2s", "PPS", "I'm glad you came to see me this morning.", "me alegro de que"],
  ["emo-038", 2, "Me sorprende que ellos todavía no te ___ nada.", "decir", "3p", "PPS", "I'm surprised they haven't told you anything.", "me sorprende que"],
  ["emo-039", 2, "Siento mucho que tu perro ___ la semana pasada.", "morir", "3s", "PPS", "I'm very sorry that your dog died last week.", "siento mucho que", { also: ["IS", "After a present main verb, a past event dated like this one (la semana pasada) takes the present perfect or the imperfect subjunctive, and both are standard."] }],
  ["emo-040", 2, "Me extraña que Pedro no ___ todavía.", "llegar", "3s", "PPS", "I find it strange that Pedro hasn't arrived yet.", "me extraña que"],
  ["emo-041", 2, "Lamentamos que usted ___ que esperar tanto; ya puede pasar.", "tener", "3s", "PPS", "We're sorry you've had to wait so long; you can go in now.", "lamentamos que"],
  // Pluperfect subjunctive
  ["emo-042", 3, "Me sorprendió que ella ya ___ la película dos veces.", "ver", "3s", "PLS", "I was surprised that she had already seen the film twice.", "me sorprendió que"],
  ["emo-043", 3, "Me dio mucha pena que ellos ya se ___ cuando llegamos.", "ir", "3p", "PLS", "It made me very sad that they had already left when we arrived.", "me dio mucha pena que"],
]);
