// Doubt, denial and negated belief: dudar que, no creer que, no es cierto que, negar que…

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const DOUBT_SEEDS = defineSeeds("doubt-denial", [
  // Present subjunctive
  ["dou-001", 1, "Dudo que el restaurante ___ abierto a estas horas.", "estar", "3s", "PS", "I doubt the restaurant is open at this time.", "dudo que"],
  ["dou-002", 2, "No creo que Pablo ___ razón.", "tener", "3s", "PS", "I don't think Pablo is right.", "no creo que"],
  ["dou-003", 2, "No es cierto que los gatos ___ siete vidas.", "tener", "3p", "PS", "It isn't true that cats have seven lives.", "no es cierto que"],
  ["dou-004", 2, "No pienso que ellos ___ a tiempo.", "llegar", "3p", "PS", "I don't think they'll arrive on time.", "no pienso que"],
  ["dou-005", 2, "Dudamos que el precio ___ a bajar.", "ir", "3s", "PS", "We doubt the price is going to drop.", "dudamos que"],
  ["dou-006", 2, "No es verdad que yo siempre ___ tarde.", "llegar", "1s", "PS", "It's not true that I always arrive late.", "no es verdad que"],
  ["dou-007", 2, "No estoy seguro de que esta ___ la calle correcta.", "ser", "3s", "PS", "I'm not sure this is the right street.", "no estoy seguro de que"],
  ["dou-008", 1, "Es dudoso que el gobierno ___ los impuestos.", "bajar", "3s", "PS", "It's doubtful that the government will lower taxes.", "es dudoso que"],
  ["dou-009", 1, "No creo que tú ___ ir solo.", "deber", "2s", "PS", "I don't think you should go alone.", "no creo que"],
  ["dou-010", 2, "No parece que ___ a nevar.", "ir", "3s", "PS", "It doesn't look as if it's going to snow.", "no parece que"],
  ["dou-011", 3, "No digo que tú ___ mentiras.", "decir", "2s", "PS", "I'm not saying you tell lies.", "no digo que"],
  ["dou-012", 2, "Dudo que mis amigos ___ la dirección.", "saber", "3p", "PS", "I doubt my friends know the address.", "dudo que"],
  ["dou-013", 2, "No es seguro que nosotros ___ vacaciones en agosto.", "tener", "1p", "PS", "It isn't certain that we'll have holidays in August.", "no es seguro que"],
  ["dou-014", 2, "No creo que vosotros ___ este problema sin ayuda.", "resolver", "2p", "PS", "I don't think you all can solve this problem without help.", "no creo que"],
  ["dou-015", 2, "No me parece que el plan ___ tan malo.", "ser", "3s", "PS", "I don't think the plan is that bad.", "no me parece que"],
  ["dou-016", 1, "No está claro que el tratamiento ___.", "funcionar", "3s", "PS", "It isn't clear that the treatment works.", "no está claro que"],
  ["dou-017", 2, "Dudo que ustedes ___ el camino sin mapa.", "encontrar", "3p", "PS", "I doubt you'll find the way without a map.", "dudo que"],
  ["dou-018", 2, "No creo que ___ suficiente comida para todos.", "haber", "3s", "PS", "I don't think there is enough food for everyone.", "no creo que"],
  ["dou-019", 2, "Mi padre no cree que yo ___ conducir de noche.", "saber", "1s", "PS", "My father doesn't think I can drive at night.", "no cree que"],
  ["dou-020", 2, "Niego que mi empresa ___ a los trabajadores.", "engañar", "3s", "PS", "I deny that my company deceives its workers.", "niego que"],
  ["dou-021", 2, "Los científicos dudan que ese medicamento ___ efectos secundarios.", "producir", "3s", "PS", "Scientists doubt that this medicine produces side effects.", "dudan que"],
  ["dou-022", 2, "No es verdad que los hombres no ___.", "llorar", "3p", "PS", "It isn't true that men don't cry.", "no es verdad que"],
  // Imperfect subjunctive: past main clause
  ["dou-023", 2, "Dudaba que mi hermano ___ la verdad.", "decir", "3s", "IS", "I doubted my brother was telling the truth.", "dudaba que"],
  ["dou-024", 2, "No creía que tú ___ capaz de hacerlo.", "ser", "2s", "IS", "I didn't think you were capable of doing it.", "no creía que"],
  ["dou-025", 2, "El ministro negó que ___ problemas en el gobierno.", "haber", "3s", "IS", "The minister denied that there were problems in the government.", "negó que"],
  ["dou-026", 2, "No estaba segura de que el tren ___ en esa estación.", "parar", "3s", "IS", "I wasn't sure the train stopped at that station.", "no estaba segura de que"],
  ["dou-027", 2, "No pensábamos que el examen ___ tan difícil.", "ser", "3s", "IS", "We didn't think the exam would be so difficult.", "no pensábamos que"],
  ["dou-028", 2, "Nadie creía que nosotros ___ ganar.", "poder", "1p", "IS", "Nobody believed we could win.", "nadie creía que"],
  ["dou-029", 2, "No era cierto que los vecinos ___ ruido toda la noche.", "hacer", "3p", "IS", "It wasn't true that the neighbours made noise all night.", "no era cierto que"],
  // Present perfect subjunctive
  ["dou-030", 2, "No creo que ellos ya ___; su coche sigue en el garaje.", "salir", "3p", "PPS", "I don't think they've left yet; their car is still in the garage.", "no creo que"],
  ["dou-031", 2, "Dudo que tú ya ___ todos los deberes.", "terminar", "2s", "PPS", "I doubt you've already finished all your homework.", "dudo que"],
  ["dou-032", 2, "Mi hermano niega que su perro ___ el jarrón.", "romper", "3s", "PPS", "My brother denies that his dog has broken the vase.", "niega que"],
  ["dou-033", 3, "No es verdad que yo te ___ esta mañana.", "mentir", "1s", "PPS", "It isn't true that I lied to you this morning.", "no es verdad que"],
  // Pluperfect subjunctive
  ["dou-034", 3, "Yo no creía que ella ya se ___ de la noticia.", "enterar", "3s", "PLS", "I didn't think she had already heard the news.", "no creía que"],
]);
