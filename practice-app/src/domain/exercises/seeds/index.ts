// Every seed of the bank, in a stable order (the order the bank is built and hashed in).

import type { ExerciseSeed } from "../types.ts";
import { BELIEF_SEEDS } from "./belief.ts";
import { CERTAINTY_SEEDS } from "./certainty.ts";
import { CONJUNCTION_SEEDS } from "./conjunctions.ts";
import { DOUBT_SEEDS } from "./doubt.ts";
import { EMOTION_SEEDS } from "./emotions.ts";
import { HABITUAL_SEEDS } from "./habitual.ts";
import { HYPOTHETICAL_SEEDS } from "./hypothetical.ts";
import { IMPERSONAL_SEEDS } from "./impersonal.ts";
import { KNOWN_ANTECEDENT_SEEDS } from "./known-antecedent.ts";
import { OJALA_SEEDS } from "./ojala.ts";
import { PENDING_TIME_SEEDS } from "./pending-time.ts";
import { REAL_CONDITION_SEEDS } from "./real-condition.ts";
import { REQUEST_SEEDS } from "./requests.ts";
import { UNKNOWN_ANTECEDENT_SEEDS } from "./unknown-antecedent.ts";
import { WISH_SEEDS } from "./wishes.ts";

export const ALL_SEEDS: readonly ExerciseSeed[] = [
  ...WISH_SEEDS,
  ...EMOTION_SEEDS,
  ...IMPERSONAL_SEEDS,
  ...REQUEST_SEEDS,
  ...DOUBT_SEEDS,
  ...OJALA_SEEDS,
  ...CONJUNCTION_SEEDS,
  ...PENDING_TIME_SEEDS,
  ...UNKNOWN_ANTECEDENT_SEEDS,
  ...HYPOTHETICAL_SEEDS,
  ...CERTAINTY_SEEDS,
  ...BELIEF_SEEDS,
  ...KNOWN_ANTECEDENT_SEEDS,
  ...HABITUAL_SEEDS,
  ...REAL_CONDITION_SEEDS,
];
