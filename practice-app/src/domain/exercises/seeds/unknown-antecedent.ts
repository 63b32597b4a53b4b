// Relative clauses about people or things that are unknown, hypothetical or nonexistent.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const UNKNOWN_ANTECEDENT_SEEDS = defineSeeds("unknown-antecedent", [
  // Present subjunctive
  ["unk-001", 1, "Busco a alguien que ___ alemán.", "hablar", "3s", "PS", "I'm looking for someone who speaks German.", "alguien que"],
  ["unk-002", 2, "Necesitamos un piso que ___ tres habitaciones.", "tener", "3s", "PS", "We need a flat with three bedrooms.", "un piso que"],
  ["unk-003", 1, "No hay nadie que ___ esa canción tan bien como tú.", "cantar", "3s", "PS", "There's nobody who sings that song as well as you.", "no hay nadie que"],
  ["unk-004", 2, "¿Hay alguien aquí que ___ arreglar un ordenador?", "saber", "3s", "PS", "Is there anyone here who knows how to fix a computer?", "alguien aquí que"],
  ["unk-005", 1, "Quiero un trabajo que me ___ viajar.", "permitir", "3s", "PS", "I want a job that lets me travel.", "un trabajo que"],
  ["unk-006", 1, "No conozco a nadie que ___ tantos libros como ella.", "leer", "3s", "PS", "I don't know anyone who reads as many books as she does.", "nadie que"],
  ["unk-007", 1, "Buscamos un restaurante que ___ abierto los lunes.", "estar", "3s", "PS", "We're looking for a restaurant that is open on Mondays.", "un restaurante que"],
  ["unk-008", 2, "No hay ningún tren que ___ directo a ese pueblo.", "ir", "3s", "PS", "There's no train that goes straight to that village.", "ningún tren que"],
  ["unk-009", 2, "Necesito unos zapatos que no me ___ daño.", "hacer", "3p", "PS", "I need some shoes that don't hurt my feet.", "unos zapatos que"],
  ["unk-010", 2, "Se busca camarero que ___ experiencia.", "tener", "3s", "PS", "Waiter with experience wanted.", "camarero que"],
  ["unk-011", 2, "¿Conoces a alguien que ___ del chino al español?", "traducir", "3s", "PS", "Do you know anyone who translates from Chinese into Spanish?", "alguien que"],
  ["unk-012", 1, "No tengo ningún amigo que ___ en Valencia.", "vivir", "3s", "PS", "I don't have any friends who live in Valencia.", "ningún amigo que"],
  ["unk-013", 2, "Pide lo que tú ___; invito yo.", "querer", "2s", "PS", "Order whatever you want; it's on me.", "lo que"],
  ["unk-014", 3, "Haz lo que te ___ la gana.", "dar", "3s", "PS", "Do whatever you feel like.", "lo que"],
  ["unk-015", 2, "Los que ___ antes de las nueve tendrán descuento.", "llegar", "3p", "PS", "Whoever arrives before nine will get a discount.", "los que"],
  ["unk-016", 2, "Dame un libro que ___ interesante.", "ser", "3s", "PS", "Give me a book that's interesting.", "un libro que"],
  ["unk-017", 2, "Buscan una persona que ___ cuidar a sus hijos por las tardes.", "poder", "3s", "PS", "They're looking for someone who can look after their children in the afternoons.", "una persona que"],
  ["unk-018", 2, "No hay nada que yo ___ hacer.", "poder", "1s", "PS", "There's nothing I can do.", "no hay nada que"],
  ["unk-019", 1, "Queremos una casa que ___ cerca del colegio.", "quedar", "3s", "PS", "We want a house that is close to the school.", "una casa que"],
  ["unk-020", 1, "¿Hay algún supermercado por aquí que ___ los domingos?", "abrir", "3s", "PS", "Is there a supermarket around here that opens on Sundays?", "algún supermercado por aquí que"],
  ["unk-021", 2, "Necesito un coche que ___ poca gasolina.", "consumir", "3s", "PS", "I need a car that uses little petrol.", "un coche que"],
  ["unk-022", 2, "No existe ninguna dieta que ___ milagros.", "hacer", "3s", "PS", "There's no diet that works miracles.", "ninguna dieta que"],
  ["unk-023", 2, "Busco un regalo que le ___ a mi madre.", "gustar", "3s", "PS", "I'm looking for a present my mother will like.", "un regalo que"],
  // Imperfect subjunctive: past main clause
  ["unk-024", 2, "Buscaba un compañero de piso que no ___.", "fumar", "3s", "IS", "I was looking for a flatmate who didn't smoke.", "un compañero de piso que"],
  ["unk-025", 2, "No había nadie que ___ la respuesta.", "saber", "3s", "IS", "There was nobody who knew the answer.", "no había nadie que"],
  ["unk-026", 2, "Necesitábamos a alguien que ___ conducir un camión.", "poder", "3s", "IS", "We needed someone who could drive a lorry.", "alguien que"],
  ["unk-027", 2, "En aquel pueblo no había ninguna tienda que ___ periódicos.", "vender", "3s", "IS", "In that village there was no shop that sold newspapers.", "ninguna tienda que"],
  ["unk-028", 2, "Queríamos un hotel que ___ piscina.", "tener", "3s", "IS", "We wanted a hotel with a swimming pool.", "un hotel que"],
  // Present perfect subjunctive
  ["unk-029", 2, "¿Hay alguien aquí que ___ en Cuba?", "estar", "3s", "PPS", "Is there anyone here who has been to Cuba?", "alguien aquí que"],
]);
