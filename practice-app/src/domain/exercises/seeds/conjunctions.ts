// Conjunctions that always take the subjunctive: para que, antes de que, sin que, a menos que,
// a no ser que, con tal de que, en caso de que.

import { defineSeeds } from "./define.ts";

// biome-ignore format: one line per item keeps the bank easy to review
export const CONJUNCTION_SEEDS = defineSeeds("conjunction", [
  // Present subjunctive
  ["con-001", 2, "Te lo explico otra vez para que lo ___.", "entender", "2s", "PS", "I'll explain it to you again so that you understand it.", "para que"],
  ["con-002", 2, "Vamos a limpiar la casa antes de que ___ los invitados.", "llegar", "3p", "PS", "Let's clean the house before the guests arrive.", "antes de que"],
  ["con-003", 2, "Siempre salgo de casa sin que nadie me ___.", "ver", "3s", "PS", "I always leave the house without anybody seeing me.", "sin que"],
  ["con-004", 2, "Iremos a la playa a menos que ___.", "llover", "3s", "PS", "We'll go to the beach unless it rains.", "a menos que"],
  ["con-005", 2, "Te presto el coche con tal de que me lo ___ limpio.", "devolver", "2s", "PS", "I'll lend you the car as long as you give it back to me clean.", "con tal de que"],
  ["con-006", 2, "Lleva un paraguas en caso de que ___ a llover.", "empezar", "3s", "PS", "Take an umbrella in case it starts to rain.", "en caso de que"],
  ["con-007", 2, "Hablo despacio para que mis alumnos ___ tomar apuntes.", "poder", "3p", "PS", "I speak slowly so that my students can take notes.", "para que"],
  ["con-008", 2, "Dejo la luz encendida para que el niño no ___ miedo.", "tener", "3s", "PS", "I leave the light on so that the child isn't scared.", "para que"],
  ["con-009", 2, "Tenemos que terminar antes de que el jefe ___.", "volver", "3s", "PS", "We have to finish before the boss comes back.", "antes de que"],
  ["con-010", 2, "No puedes salir sin que tus padres lo ___.", "saber", "3p", "PS", "You can't go out without your parents knowing.", "sin que"],
  ["con-011", 2, "No iré a la fiesta a menos que tú ___ conmigo.", "ir", "2s", "PS", "I won't go to the party unless you go with me.", "a menos que"],
  ["con-012", 2, "Puedes quedarte con tal de que no ___ ruido.", "hacer", "2s", "PS", "You can stay as long as you don't make any noise.", "con tal de que"],
  ["con-013", 1, "Aquí tienes mi número en caso de que ___ algo.", "necesitar", "2s", "PS", "Here's my number in case you need anything.", "en caso de que"],
  ["con-014", 2, "Mis padres trabajan mucho para que mi hermano y yo ___ ir a la universidad.", "poder", "1p", "PS", "My parents work hard so that my brother and I can go to university.", "para que"],
  ["con-015", 2, "Apaga el móvil antes de que ___ la película.", "comenzar", "3s", "PS", "Switch off your phone before the film starts.", "antes de que"],
  ["con-016", 1, "No firmes nada sin que un abogado lo ___.", "revisar", "3s", "PS", "Don't sign anything without a lawyer checking it.", "sin que"],
  ["con-017", 3, "Vamos en coche, a no ser que vosotros ___ ir andando.", "preferir", "2p", "PS", "Let's go by car, unless you'd rather walk.", "a no ser que"],
  ["con-018", 2, "Te doy mi dirección para que me ___ una postal.", "enviar", "2s", "PS", "I'm giving you my address so that you can send me a postcard.", "para que"],
  ["con-019", 2, "Guarda algo de dinero en caso de que ___ un imprevisto.", "surgir", "3s", "PS", "Keep some money aside in case something unexpected comes up.", "en caso de que"],
  ["con-020", 1, "Cierro la ventana para que no ___ los mosquitos.", "entrar", "3p", "PS", "I'm closing the window so that the mosquitoes don't come in.", "para que"],
  ["con-021", 2, "Te acompaño para que no ___ sola a casa.", "volver", "2s", "PS", "I'll go with you so that you don't go home alone.", "para que"],
  ["con-022", 1, "Pon la leche en la nevera antes de que se ___.", "estropear", "3s", "PS", "Put the milk in the fridge before it goes off.", "antes de que"],
  ["con-023", 2, "Te lo digo para que lo ___ por mí y no por otros.", "saber", "2s", "PS", "I'm telling you so that you hear it from me and not from others.", "para que"],
  ["con-024", 2, "No podemos empezar la reunión sin que la directora ___ presente.", "estar", "3s", "PS", "We can't start the meeting without the director being present.", "sin que"],
  // Imperfect subjunctive: past or conditional main clause
  ["con-025", 2, "Mi madre me dio dinero para que yo ___ un regalo.", "comprar", "1s", "IS", "My mother gave me money so that I could buy a present.", "para que"],
  ["con-026", 2, "Nos fuimos antes de que ___ a llover.", "empezar", "3s", "IS", "We left before it started to rain.", "antes de que"],
  ["con-027", 2, "Entró en la habitación sin que nadie lo ___.", "oír", "3s", "IS", "He came into the room without anyone hearing him.", "sin que"],
  ["con-028", 2, "Le dejé una nota en caso de que él ___ antes que yo.", "llegar", "3s", "IS", "I left him a note in case he arrived before me.", "en caso de que"],
  ["con-029", 2, "Los profesores hablaban despacio para que los estudiantes extranjeros los ___.", "entender", "3p", "IS", "The teachers spoke slowly so that the foreign students could understand them.", "para que"],
  ["con-030", 2, "Acepté el trabajo con tal de que la empresa me ___ trabajar desde casa.", "dejar", "3s", "IS", "I accepted the job on condition that the company let me work from home.", "con tal de que"],
  ["con-031", 3, "Me fui de la fiesta antes de que mis amigos se ___ a bailar.", "poner", "3p", "IS", "I left the party before my friends started dancing.", "antes de que"],
  ["con-032", 3, "No saldríamos a menos que ___ buen tiempo.", "hacer", "3s", "IS", "We wouldn't go out unless the weather was good.", "a menos que"],
  ["con-033", 2, "Escondí las galletas para que los niños no las ___.", "encontrar", "3p", "IS", "I hid the biscuits so that the children wouldn't find them.", "para que"],
]);
