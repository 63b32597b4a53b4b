// Contrast items (indicative): relative clauses about specific, known people and things.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const KNOWN_ANTECEDENT_SEEDS = defineSeeds("known-antecedent", [
  ["kno-001", 2, "Tengo un amigo que ___ alemán.", "hablar", "3s", "PI", "I have a friend who speaks German.", "un amigo que"],
  ["kno-002", 2, "Vivo en un piso que ___ tres habitaciones.", "tener", "3s", "PI", "I live in a flat that has three bedrooms.", "un piso que"],
  ["kno-003", 2, "Conozco a alguien que ___ arreglar ordenadores.", "saber", "3s", "PI", "I know someone who knows how to fix computers.", "conozco a alguien que"],
  ["kno-004", 2, "Hay un restaurante en mi calle que ___ abierto los lunes.", "estar", "3s", "PI", "There's a restaurant on my street that is open on Mondays.", "un restaurante en mi calle que"],
  ["kno-005", 3, "La chica que se ___ a mi lado en clase es de Chile.", "sentar", "3s", "PI", "The girl who sits next to me in class is from Chile.", "la chica que"],
  ["kno-006", 2, "Ese es el tren que ___ directo a Sevilla.", "ir", "3s", "PI", "That's the train that goes straight to Seville.", "el tren que"],
  ["kno-007", 3, "Busco a la mujer que ___ en el segundo piso.", "vivir", "3s", "PI", "I'm looking for the woman who lives on the second floor.", "la mujer que"],
  ["kno-008", 2, "Hay alguien en la puerta que ___ hablar contigo.", "querer", "3s", "PI", "There's someone at the door who wants to talk to you.", "alguien en la puerta que"],
  ["kno-009", 2, "Tengo unos zapatos que no me ___ daño.", "hacer", "3p", "PI", "I have some shoes that don't hurt my feet.", "unos zapatos que"],
  ["kno-010", 3, "Los estudiantes que ___ el examen ayer ya tienen las notas.", "hacer", "3p", "PRET", "The students who took the exam yesterday already have their marks.", "los estudiantes que"],
  ["kno-011", 2, "Leí el libro que tú me ___.", "recomendar", "2s", "PRET", "I read the book you recommended to me.", "el libro que"],
  ["kno-012", 3, "En mi pueblo había una tienda que ___ periódicos.", "vender", "3s", "II", "In my village there was a shop that sold newspapers.", "una tienda que"],
  ["kno-013", 2, "Conozco un bar que ___ los mejores churros de la ciudad.", "servir", "3s", "PI", "I know a bar that serves the best churros in the city.", "un bar que"],
  ["kno-014", 1, "Mi hermano tiene una novia que ___ en Londres.", "trabajar", "3s", "PI", "My brother has a girlfriend who works in London.", "una novia que"],
  ["kno-015", 2, "Hay muchas personas que ___ el transporte público todos los días.", "usar", "3p", "PI", "There are many people who use public transport every day.", "muchas personas que"],
  ["kno-016", 3, "Haz lo que te ___ el médico ayer.", "decir", "3s", "PRET", "Do what the doctor told you yesterday.", "lo que"],
  ["kno-017", 2, "El hotel donde nos ___ tiene una piscina enorme.", "alojar", "1p", "PI", "The hotel where we're staying has a huge swimming pool.", "el hotel donde"],
  ["kno-018", 1, "Tengo una vecina que ___ cinco gatos.", "tener", "3s", "PI", "I have a neighbour who has five cats.", "una vecina que"],
]);
