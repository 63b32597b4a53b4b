// Contrast items (indicative): time clauses about habits or things that already happened.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const HABITUAL_SEEDS = defineSeeds("habitual-cuando", [
  ["hab-001", 2, "Cuando ___ calor, vamos a la piscina.", "hacer", "3s", "PI", "When it's hot, we go to the swimming pool.", "cuando"],
  ["hab-002", 2, "Cuando yo ___ niño, vivía en el campo.", "ser", "1s", "II", "When I was a child, I lived in the country.", "cuando"],
  ["hab-003", 2, "Siempre me llamas cuando ___ un problema.", "tener", "2s", "PI", "You always call me when you have a problem.", "cuando"],
  ["hab-004", 2, "Cuando ___ a Madrid el año pasado, visitamos el Prado.", "ir", "1p", "PRET", "When we went to Madrid last year, we visited the Prado.", "cuando"],
  ["hab-005", 3, "Cuando los invitados se ___, limpiamos la cocina.", "ir", "3p", "PRET", "When the guests left, we cleaned the kitchen.", "cuando"],
  ["hab-006", 3, "En cuanto yo ___ la noticia, te llamé.", "saber", "1s", "PRET", "As soon as I heard the news, I called you.", "en cuanto"],
  ["hab-007", 3, "Ayer, tan pronto como ___ el sol, salimos a correr.", "salir", "3s", "PRET", "Yesterday, as soon as the sun came out, we went out for a run.", "tan pronto como"],
  ["hab-008", 2, "Cuando mi abuela ___ veinte años, bailaba todos los sábados.", "tener", "3s", "II", "When my grandmother was twenty, she went dancing every Saturday.", "cuando"],
  ["hab-009", 2, "Todos los días, tan pronto como ___ a casa, me ducho.", "llegar", "1s", "PI", "Every day, as soon as I get home, I have a shower.", "tan pronto como"],
  ["hab-010", 2, "Cuando los niños ___ del colegio, siempre tienen hambre.", "salir", "3p", "PI", "When the children come out of school, they're always hungry.", "cuando"],
  ["hab-011", 3, "Mientras tú ___, yo preparaba la cena.", "dormir", "2s", "II", "While you were sleeping, I was making dinner.", "mientras"],
  ["hab-012", 2, "Cuando ___ el teléfono, yo estaba en la ducha.", "sonar", "3s", "PRET", "When the phone rang, I was in the shower.", "cuando"],
  ["hab-013", 2, "En cuanto ___ la película, fuimos a cenar.", "terminar", "3s", "PRET", "As soon as the film finished, we went to have dinner.", "en cuanto"],
  ["hab-014", 2, "Cada vez que ___ a mis abuelos, me dan dinero.", "visitar", "1s", "PI", "Every time I visit my grandparents, they give me money.", "cada vez que"],
  ["hab-015", 2, "Cuando Elena ___ nerviosa, come chocolate.", "estar", "3s", "PI", "When Elena is nervous, she eats chocolate.", "cuando"],
  ["hab-016", 3, "Cuando vosotros ___ pequeños, os encantaba la playa.", "ser", "2p", "II", "When you were little, you all loved the beach.", "cuando"],
  ["hab-017", 2, "Todas las noches leo un rato mientras mi marido ___ la cocina.", "recoger", "3s", "PI", "Every night I read for a while as my husband tidies the kitchen.", "mientras"],
  ["hab-018", 2, "Cuando mi padre ___ del trabajo, siempre nos cuenta un cuento.", "volver", "3s", "PI", "When my father gets back from work, he always tells us a story.", "cuando"],
  ["hab-019", 2, "Cuando yo ___ con mi exnovio, me despierto de mal humor.", "soñar", "1s", "PI", "When I dream about my ex-boyfriend, I wake up in a bad mood.", "cuando"],
]);
