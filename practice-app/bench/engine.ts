// Benchmark of the conjugation engine: every form of every verb of the lexicon, timed.
// Prints forms per second and p50/p95 per form, and writes practice-app/bench/engine.json.
// Run: npm run bench:engine

import { writeFileSync } from "node:fs";
import { conjugateAlternatives, lexiconVerbs } from "../src/domain/conjugation/index.ts";
import { ENGINE_FORM_SPECS, PERSONS } from "../src/domain/grammar.ts";

const verbs = lexiconVerbs();
const jobs = ENGINE_FORM_SPECS.flatMap((spec) =>
  PERSONS.filter((p) => !(spec.mood === "imperative" && p === "1s")).map((person) => ({ spec, person })),
);

// Cold pass: the first form of each verb pays for its analysis (the lexicon is loaded here too).
let forms = 0;
const start = performance.now();
for (const verb of verbs)
  for (const { spec, person } of jobs) forms += conjugateAlternatives(verb, spec, person).length;
const coldMs = performance.now() - start;

// Per-form latency on a sample, warm (the engine memoises per verb, as the checker relies on).
const samples: number[] = [];
for (let i = 0; i < verbs.length; i += 7) {
  const verb = verbs[i] as string;
  for (const { spec, person } of jobs) {
    const t = performance.now();
    conjugateAlternatives(verb, spec, person);
    samples.push((performance.now() - t) * 1000);
  }
}
samples.sort((a, b) => a - b);
const quantile = (q: number) => samples[Math.floor(q * (samples.length - 1))] as number;
const result = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  verbs: verbs.length,
  forms,
  coldPassMs: Math.round(coldMs),
  formsPerSecond: Math.round(forms / (coldMs / 1000)),
  warmMicrosecondsPerForm: { p50: +quantile(0.5).toFixed(2), p95: +quantile(0.95).toFixed(2) },
};
console.log(
  `${result.verbs} verbs, ${forms} forms in ${result.coldPassMs} ms: ${result.formsPerSecond} forms/s (cold); warm per form p50 ${result.warmMicrosecondsPerForm.p50} µs, p95 ${result.warmMicrosecondsPerForm.p95} µs`,
);
writeFileSync(new URL("engine.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
