// Time clauses about events that have not happened yet: cuando, hasta que, en cuanto, tan pronto como,
// después de que, mientras + a future event.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const PENDING_TIME_SEEDS = defineSeeds("pending-time", [
  // Present subjunctive
  ["pen-001", 2, "Te llamaré cuando ___ a Madrid.", "llegar", "1s", "PS", "I'll call you when I get to Madrid.", "cuando"],
  ["pen-002", 2, "Cuando tú ___ mayor, entenderás muchas cosas.", "ser", "2s", "PS", "When you're older, you'll understand many things.", "cuando"],
  ["pen-003", 1, "Esperaremos aquí hasta que ___ el autobús.", "pasar", "3s", "PS", "We'll wait here until the bus comes by.", "hasta que"],
  ["pen-004", 2, "En cuanto yo ___ algo, os lo contaré.", "saber", "1s", "PS", "As soon as I know anything, I'll tell you all.", "en cuanto"],
  ["pen-005", 1, "Tan pronto como nosotros ___ el proyecto, nos iremos de vacaciones.", "terminar", "1p", "PS", "As soon as we finish the project, we'll go on holiday.", "tan pronto como"],
  ["pen-006", 2, "Cuando mis hijos ___ de vacaciones, pintaremos la casa.", "estar", "3p", "PS", "When my children are on holiday, we'll paint the house.", "cuando"],
  ["pen-007", 2, "No me iré hasta que tú me ___ la verdad.", "decir", "2s", "PS", "I won't leave until you tell me the truth.", "hasta que"],
  ["pen-008", 2, "Después de que los invitados se ___, limpiaremos la cocina.", "ir", "3p", "PS", "After the guests leave, we'll clean the kitchen.", "después de que"],
  ["pen-009", 2, "Llámame en cuanto ___ del trabajo.", "salir", "2s", "PS", "Call me as soon as you leave work.", "en cuanto"],
  ["pen-010", 2, "Cuando yo ___ dinero, me compraré una casa en el campo.", "tener", "1s", "PS", "When I have money, I'll buy a house in the country.", "cuando"],
  ["pen-011", 2, "Mientras tú ___ en esta casa, seguirás mis normas.", "vivir", "2s", "PS", "As long as you live in this house, you'll follow my rules.", "mientras", { reason: "'{t}' here means 'as long as', a condition on what is to come, and in that sense it always takes the subjunctive" }],
  ["pen-012", 2, "Cuando ___ los almendros, iremos a verlos al valle.", "florecer", "3p", "PS", "When the almond trees blossom, we'll go to the valley to see them.", "cuando"],
  ["pen-013", 2, "Siga recto hasta que ___ una farmacia.", "ver", "3s", "PS", "Go straight on until you see a chemist's.", "hasta que"],
  ["pen-014", 2, "Cuando vosotros ___ a casa, cenaremos juntos.", "venir", "2p", "PS", "When you all come home, we'll have dinner together.", "cuando"],
  ["pen-015", 1, "Avísame cuando ___ la película.", "acabar", "3s", "PS", "Let me know when the film ends.", "cuando"],
  ["pen-016", 1, "Cuando usted ___ la sopa, le traigo el segundo plato.", "terminar", "3s", "PS", "When you finish the soup, I'll bring you the main course.", "cuando"],
  ["pen-017", 2, "Seguiremos buscando hasta que ___ al gato.", "encontrar", "1p", "PS", "We'll keep looking until we find the cat.", "hasta que"],
  ["pen-018", 2, "Te devolveré el libro en cuanto lo ___.", "leer", "1s", "PS", "I'll give you the book back as soon as I read it.", "en cuanto"],
  ["pen-019", 2, "Cuando ___ el invierno, las cigüeñas volarán al sur.", "llegar", "3s", "PS", "When winter comes, the storks will fly south.", "cuando"],
  ["pen-020", 2, "Tan pronto como el bebé se ___, podremos hablar tranquilos.", "dormir", "3s", "PS", "As soon as the baby falls asleep, we'll be able to talk in peace.", "tan pronto como"],
  // Imperfect subjunctive: a future seen from the past
  ["pen-021", 3, "Me dijo que me llamaría cuando ___ a casa.", "llegar", "3s", "IS", "He told me he would call me when he got home.", "cuando"],
  ["pen-022", 3, "Decidí esperar hasta que ___ de llover.", "dejar", "3s", "IS", "I decided to wait until it stopped raining.", "hasta que"],
  ["pen-023", 3, "Prometió que nos escribiría en cuanto ___ un momento libre.", "tener", "3s", "IS", "She promised she would write to us as soon as she had a free moment.", "en cuanto"],
]);
