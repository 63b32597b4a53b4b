// Every seed of the bank, in a stable order (the order the bank is built and hashed in).

import type { ExerciseSeed } from "../types.ts";
import { BELIEF_SEEDS } from "./belief.ts";
import { CERTAINTY_SEEDS } from "./certainty.ts";
import { CONCESSIVE_SEEDS } from "./concessive.ts";
import { CONCESSIVE_FACT_SEEDS } from "./concessive-fact.ts";
import { CONJUNCTION_SEEDS } from "./conjunctions.ts";
import { DOUBT_SEEDS } from "./doubt.ts";
import { EMOTION_SEEDS } from "./emotions.ts";
import { FACT_AS_TOPIC_SEEDS } from "./fact-as-topic.ts";
import { HABITUAL_SEEDS } from "./habitual.ts";
import { HYPOTHETICAL_SEEDS } from "./hypothetical.ts";
import { IMPERSONAL_SEEDS } from "./impersonal.ts";
import { INDEPENDENT_QUE_SEEDS } from "./independent-que.ts";
import { KNOWN_ANTECEDENT_SEEDS } from "./known-antecedent.ts";
import { KNOWN_MANNER_PLACE_SEEDS } from "./known-manner-place.ts";
import { OJALA_SEEDS } from "./ojala.ts";
import { OPEN_MANNER_PLACE_SEEDS } from "./open-manner-place.ts";
import { PENDING_TIME_SEEDS } from "./pending-time.ts";
import { PROBABILITY_SEEDS } from "./probability.ts";
import { PROBABILITY_INDICATIVE_SEEDS } from "./probability-indicative.ts";
import { PURPOSE_SEEDS } from "./purpose.ts";
import { PURPOSE_INFINITIVE_SEEDS } from "./purpose-infinitive.ts";
import { REAL_CONDITION_SEEDS } from "./real-condition.ts";
import { REPORTED_QUE_SEEDS } from "./reported-que.ts";
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
  ...CONCESSIVE_SEEDS,
  ...CONCESSIVE_FACT_SEEDS,
  ...PROBABILITY_SEEDS,
  ...PROBABILITY_INDICATIVE_SEEDS,
  ...FACT_AS_TOPIC_SEEDS,
  ...INDEPENDENT_QUE_SEEDS,
  ...REPORTED_QUE_SEEDS,
  ...PURPOSE_SEEDS,
  ...PURPOSE_INFINITIVE_SEEDS,
  ...OPEN_MANNER_PLACE_SEEDS,
  ...KNOWN_MANNER_PLACE_SEEDS,
];
