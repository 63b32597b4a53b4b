// El hecho de que: the subjunctive is the usual mood when the sentence comments on the fact; the
// indicative is also heard (accepted, with a note). Partners (certainty.ts): es un hecho que, está
// claro que, es verdad que…, which assert the fact and take the indicative.

import { defineSeeds } from "./define.ts";

const BOTH =
  "The indicative is also heard after el hecho de que when the fact itself is the news, so it is accepted, though when the sentence comments on the fact the subjunctive is the usual choice.";

// biome-ignore format: one line per item keeps the bank easy to review
export const FACT_AS_TOPIC_SEEDS = defineSeeds("fact-as-topic", [
  ["hec-001", 2, "El hecho de que Ana no ___ a las reuniones me preocupa.", "venir", "3s", "PS", "The fact that Ana doesn't come to meetings worries me.", "el hecho de que", { partner: "cer-025", also: ["PI", BOTH] }],
  ["hec-002", 2, "El hecho de que un vino ___ caro no significa que sea bueno.", "ser", "3s", "PS", "The fact that a wine is expensive doesn't mean it's good.", "el hecho de que", { partner: "cer-026", also: ["PI", BOTH] }],
  ["hec-003", 3, "El hecho de que nosotros ___ juntos tantos años explica que nos entendamos tan bien.", "trabajar", "1p", "PPS", "The fact that we've worked together for so many years explains why we understand each other so well.", "el hecho de que", { partner: "cer-027", also: ["PPI", BOTH] }],
  ["hec-004", 2, "El hecho de que tú ___ más que yo no te da derecho a mandar.", "ganar", "2s", "PS", "The fact that you earn more than I do doesn't give you the right to give orders.", "el hecho de que", { partner: "cer-028", also: ["PI", BOTH] }],
  ["hec-005", 3, "Me molestó el hecho de que nadie me ___ las gracias.", "dar", "3s", "IS", "The fact that nobody thanked me bothered me.", "el hecho de que", { partner: "cer-029", also: ["PRET", BOTH] }],
]);
