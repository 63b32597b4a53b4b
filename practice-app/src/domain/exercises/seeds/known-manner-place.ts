// Contrast items (indicative): como and donde for a specific way or place that is known.
// Partners (open-manner-place.ts): the same words for a way or place still left open.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const KNOWN_MANNER_PLACE_SEEDS = defineSeeds("known-manner-place", [
  ["cmi-001", 1, "Lo hice como tú ___.", "querer", "2s", "II", "I did it the way you wanted.", "como", { partner: "cmo-001" }],
  ["cmi-002", 2, "Nos sentamos donde nos ___ el camarero.", "decir", "3s", "PRET", "We sat where the waiter told us to.", "donde", { partner: "cmo-002" }],
  ["cmi-003", 2, "Cenamos en el restaurante donde nos ___ hace diez años.", "conocer", "1p", "PRET", "We had dinner at the restaurant where we met ten years ago.", "donde", { partner: "cmo-003" }],
  ["cmi-004", 2, "Escribí la carta como me ___ el abogado.", "aconsejar", "3s", "PRET", "I wrote the letter the way the lawyer advised me to.", "como", { partner: "cmo-004" }],
  ["cmi-005", 2, "Puse las cajas donde ___ sitio, en el garaje.", "haber", "3s", "II", "I put the boxes where there was room, in the garage.", "donde", { partner: "cmo-005" }],
  ["cmi-006", 2, "Decoramos la casa como ustedes ___.", "decidir", "3p", "PRET", "We decorated the house the way you decided.", "como", { partner: "cmo-006" }],
]);
