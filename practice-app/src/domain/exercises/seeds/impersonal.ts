// Impersonal expressions: es importante que, es necesario que, es posible que, es raro que…

import { defineSeeds } from "./define.ts";

/** For factive judgements: the clause is a known fact, and the evaluation brings the subjunctive. */
const FACTIVE = {
  reason:
    "'{t}' evaluates something known to be true, and the subjunctive comes from that evaluation, not from any doubt about the fact",
} as const;

// biome-ignore format: one line per item keeps the bank easy to review
export const IMPERSONAL_SEEDS = defineSeeds("impersonal", [
  // Present subjunctive
  ["imp-001", 1, "Es importante que tú ___ agua todos los días.", "beber", "2s", "PS", "It's important for you to drink water every day.", "es importante que"],
  ["imp-002", 2, "Es necesario que nosotros ___ antes de las ocho.", "salir", "1p", "PS", "We need to leave before eight.", "es necesario que"],
  ["imp-003", 2, "Es posible que ___ esta tarde.", "llover", "3s", "PS", "It may rain this afternoon.", "es posible que"],
  ["imp-004", 1, "Es raro que Ana no ___ el teléfono.", "contestar", "3s", "PS", "It's strange that Ana isn't answering the phone.", "es raro que"],
  ["imp-005", 1, "Es mejor que ustedes ___ un taxi.", "tomar", "3p", "PS", "It's better for you to take a taxi.", "es mejor que"],
  ["imp-006", 2, "Es probable que el vuelo ___ retraso.", "tener", "3s", "PS", "The flight will probably be delayed.", "es probable que"],
  ["imp-007", 2, "Es una pena que tú no ___ quedarte más tiempo.", "poder", "2s", "PS", "It's a pity you can't stay longer.", "es una pena que", FACTIVE],
  ["imp-008", 2, "Es fundamental que los estudiantes ___ las instrucciones.", "entender", "3p", "PS", "It's essential that the students understand the instructions.", "es fundamental que"],
  ["imp-009", 1, "Es urgente que alguien ___ al médico.", "llamar", "3s", "PS", "Someone urgently needs to call the doctor.", "es urgente que"],
  ["imp-010", 2, "Hace falta que vosotros ___ la mesa.", "poner", "2p", "PS", "You all need to set the table.", "hace falta que"],
  ["imp-011", 1, "Es increíble que Laura ___ cinco idiomas.", "hablar", "3s", "PS", "It's incredible that Laura speaks five languages.", "es increíble que", FACTIVE],
  ["imp-012", 2, "Es lógico que tus padres ___ preocupados.", "estar", "3p", "PS", "It's natural that your parents are worried.", "es lógico que", FACTIVE],
  ["imp-013", 2, "Más vale que nos ___ prisa.", "dar", "1p", "PS", "We'd better hurry.", "más vale que"],
  ["imp-014", 2, "Es imposible que tú ___ todo ese trabajo en un día.", "hacer", "2s", "PS", "It's impossible for you to do all that work in one day.", "es imposible que"],
  ["imp-015", 2, "Es conveniente que usted ___ el pasaporte con antelación.", "renovar", "3s", "PS", "It's advisable for you to renew your passport in advance.", "es conveniente que"],
  ["imp-016", 2, "Es normal que los niños ___ miedo de la oscuridad.", "tener", "3p", "PS", "It's normal for children to be afraid of the dark.", "es normal que"],
  ["imp-017", 2, "Es preferible que tú no ___ de noche por esa carretera.", "conducir", "2s", "PS", "It's better that you don't drive on that road at night.", "es preferible que"],
  ["imp-018", 2, "Es una suerte que nosotros ___ unos vecinos tan amables.", "tener", "1p", "PS", "It's lucky that we have such kind neighbours.", "es una suerte que", FACTIVE],
  ["imp-019", 1, "Conviene que los viajeros ___ el equipaje antes de salir.", "revisar", "3p", "PS", "Travellers should check their luggage before leaving.", "conviene que"],
  ["imp-020", 2, "Es esencial que el equipo ___ la misma estrategia.", "seguir", "3s", "PS", "It's essential that the team follows the same strategy.", "es esencial que"],
  ["imp-021", 2, "Es ridículo que ellos ___ tanto por un café.", "pagar", "3p", "PS", "It's ridiculous that they pay so much for a coffee.", "es ridículo que", FACTIVE],
  ["imp-022", 1, "Es bueno que tú ___ tiempo con tu familia.", "pasar", "2s", "PS", "It's good that you spend time with your family.", "es bueno que"],
  ["imp-023", 2, "Puede que mi hermano ___ a cenar con nosotros.", "venir", "3s", "PS", "My brother may come to dinner with us.", "puede que"],
  ["imp-024", 2, "Es importante que los niños ___ bien antes de un examen.", "dormir", "3p", "PS", "It's important for children to sleep well before an exam.", "es importante que"],
  ["imp-025", 2, "Es necesario que cada usuario ___ su propia contraseña.", "recordar", "3s", "PS", "Each user needs to remember their own password.", "es necesario que"],
  ["imp-026", 2, "Es mejor que vosotros ___ el número de la oficina.", "buscar", "2p", "PS", "It's better for you all to look up the office number.", "es mejor que"],
  // Imperfect subjunctive: past or conditional main clause
  ["imp-027", 2, "Era importante que todos ___ a la reunión.", "asistir", "3p", "IS", "It was important for everyone to attend the meeting.", "era importante que"],
  ["imp-028", 2, "Fue una sorpresa que el equipo ___ el partido.", "ganar", "3s", "IS", "It was a surprise that the team won the match.", "fue una sorpresa que", FACTIVE],
  ["imp-029", 2, "Era necesario que yo ___ temprano para llegar a tiempo.", "salir", "1s", "IS", "I had to leave early to arrive on time.", "era necesario que"],
  ["imp-030", 2, "Sería mejor que tú les ___ la verdad.", "decir", "2s", "IS", "It would be better for you to tell them the truth.", "sería mejor que"],
  ["imp-031", 3, "No era posible que todos ___ en un solo coche.", "caber", "3p", "IS", "It wasn't possible for everyone to fit in one car.", "no era posible que"],
  ["imp-032", 2, "Fue increíble que ella ___ el maratón en tres horas.", "correr", "3s", "IS", "It was incredible that she ran the marathon in three hours.", "fue increíble que", FACTIVE],
  ["imp-033", 2, "Era raro que mi padre ___ la televisión por la mañana.", "ver", "3s", "IS", "It was unusual for my father to watch television in the morning.", "era raro que"],
  ["imp-034", 2, "Hacía falta que alguien ___ las luces.", "apagar", "3s", "IS", "Someone needed to turn off the lights.", "hacía falta que"],
  ["imp-035", 3, "Fue una pena que nosotros no ___ más tiempo en Roma.", "estar", "1p", "IS", "It was a pity that we didn't spend more time in Rome.", "fue una pena que", FACTIVE],
  // Present perfect subjunctive
  ["imp-036", 2, "Es posible que Marcos ya se ___ de viaje.", "ir", "3s", "PPS", "Marcos may have already left on his trip.", "es posible que"],
  ["imp-037", 2, "Es una pena que el restaurante de la esquina ___; era mi favorito.", "cerrar", "3s", "PPS", "It's a pity that the restaurant on the corner has closed; it was my favourite.", "es una pena que", FACTIVE],
  ["imp-038", 2, "Es increíble que tú ya ___ todo el libro en una noche.", "leer", "2s", "PPS", "It's incredible that you've read the whole book in one night.", "es increíble que", FACTIVE],
  // Pluperfect subjunctive
  ["imp-039", 3, "Habría sido mejor que tú me lo ___ antes.", "decir", "2s", "PLS", "It would have been better if you had told me before.", "habría sido mejor que", "the main clause 'habría sido' looks back at a past that can no longer change, so use the pluperfect subjunctive"],
]);
