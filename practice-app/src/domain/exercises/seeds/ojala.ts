// Ojalá: present (possible hopes), imperfect (unlikely wishes), present perfect, pluperfect (regrets).

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const OJALA_SEEDS = defineSeeds("ojala", [
  // Present subjunctive: hopes that can come true
  ["oja-001", 2, "Ojalá que ___ buen tiempo mañana.", "hacer", "3s", "PS", "I hope the weather is good tomorrow.", "ojalá"],
  ["oja-002", 2, "Ojalá tú ___ el examen de mañana.", "aprobar", "2s", "PS", "I hope you pass tomorrow's exam.", "ojalá"],
  ["oja-003", 2, "Ojalá mis padres ___ a visitarnos este verano.", "venir", "3p", "PS", "I hope my parents come to visit us this summer.", "ojalá"],
  ["oja-004", 2, "Ojalá no ___ mucho tráfico en la autopista.", "haber", "3s", "PS", "I hope there isn't much traffic on the motorway.", "ojalá"],
  ["oja-005", 2, "Ojalá nosotros ___ entradas para el concierto.", "conseguir", "1p", "PS", "I hope we get tickets for the concert.", "ojalá"],
  ["oja-006", 1, "¡Ojalá que te ___ el regalo!", "gustar", "3s", "PS", "I hope you like the present!", "ojalá"],
  ["oja-007", 1, "Ojalá ellos se ___ pronto.", "casar", "3p", "PS", "I hope they get married soon.", "ojalá"],
  ["oja-008", 1, "Ojalá vosotros ___ un buen viaje.", "tener", "2p", "PS", "I hope you all have a good trip.", "ojalá"],
  ["oja-009", 2, "Ojalá el médico me ___ hoy.", "atender", "3s", "PS", "I hope the doctor sees me today.", "ojalá"],
  ["oja-010", 1, "Ojalá mi hermana ___ un trabajo pronto.", "encontrar", "3s", "PS", "I hope my sister finds a job soon.", "ojalá"],
  // Imperfect subjunctive: unlikely or contrary-to-fact wishes
  ["oja-011", 1, "Ojalá yo ___ más tiempo libre, pero trabajo diez horas al día.", "tener", "1s", "IS", "I wish I had more free time, but I work ten hours a day.", "ojalá"],
  ["oja-012", 2, "Ojalá ___ aquí mi abuela; la echo mucho de menos.", "estar", "3s", "IS", "I wish my grandmother were here; I miss her a lot.", "ojalá"],
  ["oja-013", 2, "Ojalá yo ___ cantar como tú, pero desafino muchísimo.", "saber", "1s", "IS", "I wish I could sing like you, but I sing terribly out of tune.", "ojalá"],
  ["oja-014", 2, "Ojalá nosotros ___ cerca del mar, pero vivimos en Madrid.", "vivir", "1p", "IS", "I wish we lived near the sea, but we live in Madrid.", "ojalá"],
  ["oja-015", 2, "Ojalá ___ verano todo el año, pero aquí los inviernos son largos.", "ser", "3s", "IS", "I wish it were summer all year round, but the winters here are long.", "ojalá"],
  ["oja-016", 2, "Ojalá mis hijos me ___ más a menudo, pero casi nunca lo hacen.", "llamar", "3p", "IS", "I wish my children called me more often, but they hardly ever do.", "ojalá"],
  ["oja-017", 3, "Ojalá tú ___ aquí conmigo, pero estás tan lejos…", "estar", "2s", "IS", "I wish you were here with me, but you're so far away…", "ojalá"],
  // Present perfect subjunctive: hoping something has already happened
  ["oja-018", 2, "Ojalá el avión ya ___ sin problemas.", "aterrizar", "3s", "PPS", "I hope the plane has already landed safely.", "ojalá"],
  ["oja-019", 3, "Ojalá te ___ bien el examen de esta mañana.", "salir", "3s", "PPS", "I hope this morning's exam went well for you.", "ojalá"],
  ["oja-020", 2, "Ojalá ellos ya ___ la carta.", "recibir", "3p", "PPS", "I hope they have already received the letter.", "ojalá"],
  // Pluperfect subjunctive: regrets about the past
  ["oja-021", 3, "Ojalá tú ___ antes; te has perdido lo mejor.", "llegar", "2s", "PLS", "I wish you had arrived earlier; you've missed the best part.", "ojalá"],
  ["oja-022", 3, "Ojalá yo ___ más cuando era joven.", "estudiar", "1s", "PLS", "I wish I had studied more when I was young.", "ojalá"],
  ["oja-023", 3, "Ojalá nosotros no ___ ese coche; no ha dejado de dar problemas.", "comprar", "1p", "PLS", "I wish we hadn't bought that car; it has never stopped giving trouble.", "ojalá"],
  ["oja-024", 3, "Ojalá ella me lo ___ a tiempo, pero no me dijo nada.", "decir", "3s", "PLS", "I wish she had told me in time, but she didn't tell me anything.", "ojalá"],
  ["oja-025", 3, "Ojalá yo no ___ tanto anoche; me duele la cabeza.", "beber", "1s", "PLS", "I wish I hadn't drunk so much last night; I've got a headache.", "ojalá"],
]);
