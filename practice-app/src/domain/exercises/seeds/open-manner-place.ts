// Como, donde (and cuando) + subjunctive: whichever way, place or time, still left open.
// Partners (known-manner-place.ts): a specific, known way or place, with the indicative.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const OPEN_MANNER_PLACE_SEEDS = defineSeeds("open-manner-place", [
  ["cmo-001", 1, "Hazlo como ___.", "querer", "2s", "PS", "Do it however you like.", "como", { partner: "cmi-001" }],
  ["cmo-002", 1, "Podemos sentarnos donde ___.", "preferir", "2s", "PS", "We can sit wherever you prefer.", "donde", { partner: "cmi-002" }],
  ["cmo-003", 2, "Vamos a cenar donde tú ___.", "decir", "2s", "PS", "We'll have dinner wherever you say.", "donde", { partner: "cmi-003" }],
  ["cmo-004", 2, "Escribe la carta como te ___ mejor.", "parecer", "3s", "PS", "Write the letter however you think best.", "como", { partner: "cmi-004" }],
  ["cmo-005", 2, "Pon las cajas donde ___ sitio.", "haber", "3s", "PS", "Put the boxes wherever there's room.", "donde", { partner: "cmi-005" }],
  ["cmo-006", 3, "Decoraremos la casa como ustedes ___.", "decidir", "3p", "PS", "We'll decorate the house however you decide.", "como", { partner: "cmi-006" }],
]);
