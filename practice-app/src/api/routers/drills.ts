import { randomInt } from "node:crypto";
import { z } from "zod";
import { type DrillFilter, drillOptions, pickDrill, pickRecognition } from "../../db/repositories/drills.ts";
import type { ExerciseRow } from "../../db/repositories/exercises.ts";
import { accuracyByCategoryAndTense } from "../../db/repositories/reviews.ts";
import { formName } from "../../domain/checking/labels.ts";
import { buildExerciseBank, type Exercise, findExercise } from "../../domain/exercises/index.ts";
import { type FormSpec, PERSON_PRONOUNS, type Person } from "../../domain/grammar.ts";
import { formChoices } from "../../domain/recognition.ts";
import type { Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { categoryLabel } from "../exercise-mapping.ts";
import { authedProcedure, router } from "../trpc.ts";

// Learner control: what to drill (category, form, level, weak spots) and how (typing, picking the
// mood, picking the form). Typed answers go through exercises.submit and are scheduled; recognition
// answers (drills.answer) are graded and explained but change no card, review or score.

/** A (category, form) the learner gets right less often than this is a weak spot. */
export const WEAK_BELOW = 0.8;
/** At most this many weak spots are drilled at once, weakest first. */
const WEAK_SPOTS_MAX = 5;

const slug = z
  .string()
  .max(40, "at most 40 characters")
  .regex(/^[a-z0-9-]+$/, "lowercase letters, digits and dashes only");
const formId = z
  .string()
  .max(40, "at most 40 characters")
  .regex(/^(subjunctive|indicative):[a-z-]+$/, 'a form such as "subjunctive:present"');
const mode = z.enum(["type", "mood", "choice"]);

const selection = z.strictObject({
  category: slug.optional(),
  form: formId.optional(),
  level: z.number().int().min(1).max(3).optional(),
  weakSpots: z.boolean().optional(),
});
const nextInput = selection.extend({ mode: mode.default("type"), previousId: slug.max(64).optional() });
const answerInput = z.strictObject({
  exerciseId: slug.max(64),
  mode: z.enum(["mood", "choice"]),
  choice: z.string().trim().min(1, "required").max(60, "at most 60 characters"),
});

const formLabel = (mood: string, tense: string) => formName({ mood, tense } as FormSpec);

/** The note of an item that accepts both moods (quizás, no dudo que), where "pick the mood" has no one answer. */
function bothMoodsNote(exercise: Exercise | undefined): string | undefined {
  const also = exercise?.also;
  return also?.specs.some((spec) => spec.mood !== exercise?.spec.mood) ? also.note : undefined;
}

let bothMoodIds: readonly string[] | undefined;
/** Items never asked in mood mode: either answer would be right. */
function itemsWithBothMoods(): readonly string[] {
  bothMoodIds ??= buildExerciseBank()
    .filter((exercise) => bothMoodsNote(exercise) !== undefined)
    .map((exercise) => exercise.id);
  return bothMoodIds;
}

async function weakSpots(ctx: Context, learnerId: string) {
  const rows = await accuracyByCategoryAndTense(ctx.deps.pool, learnerId);
  return rows
    .map((row) => ({ ...row, accuracy: row.correct / row.attempts }))
    .filter((row) => row.accuracy < WEAK_BELOW)
    .sort((a, b) => a.accuracy - b.accuracy || b.attempts - a.attempts)
    .slice(0, WEAK_SPOTS_MAX);
}

function itemOf(row: ExerciseRow) {
  return {
    id: row.id,
    sentence: row.sentence,
    verb: row.verb,
    person: { id: row.person, label: PERSON_PRONOUNS[row.person as Person] ?? row.person },
    translation: row.translation,
    difficulty: row.difficulty,
    category: { id: row.category, label: categoryLabel(row.category) },
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

async function filterOf(
  ctx: Context,
  learnerId: string,
  input: z.infer<typeof selection>,
): Promise<DrillFilter> {
  const [mood = null, tense = null] = input.form ? input.form.split(":") : [];
  let spots: DrillFilter["weakSpots"] = null;
  if (input.weakSpots) {
    const weak = await weakSpots(ctx, learnerId);
    if (weak.length === 0) {
      throw new AppError(
        "NO_MATCHING_EXERCISES",
        "You have no weak spots yet: every form you have answered is above 80% right. Pick another drill.",
      );
    }
    spots = weak.map(({ category, mood, tense }) => ({ category, mood, tense }));
  }
  return {
    category: input.category ?? null,
    mood,
    tense,
    difficulty: input.level ?? null,
    weakSpots: spots,
  };
}

export const drillsRouter = router({
  /** What can be drilled: categories, forms and levels with their item counts, and the learner's weak spots. */
  options: authedProcedure.query(async ({ ctx }) => {
    const [rows, weak] = await Promise.all([
      drillOptions(ctx.deps.pool),
      weakSpots(ctx, ctx.session.learnerId),
    ]);
    const count = (key: (row: (typeof rows)[number]) => string) => {
      const totals = new Map<string, number>();
      for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + row.items);
      return totals;
    };
    const categories = count((row) => row.category);
    const forms = count((row) => `${row.mood}:${row.tense}`);
    const levels = count((row) => String(row.difficulty));
    return {
      categories: [...categories]
        .map(([id, items]) => ({ id, label: categoryLabel(id), items }))
        .sort((a, b) => a.label.localeCompare(b.label, "en")),
      // The subjunctive first: it is what the app teaches; the indicative forms are its contrasts.
      forms: [...forms]
        .map(([id, items]) => {
          const [mood = "", tense = ""] = id.split(":");
          return { id, label: formLabel(mood, tense), items };
        })
        .sort((a, b) => Number(b.id.startsWith("subj")) - Number(a.id.startsWith("subj"))),
      levels: [...levels]
        .map(([level, items]) => ({ level: Number(level), items }))
        .sort((a, b) => a.level - b.level),
      weakSpots: weak.map((row) => ({
        category: { id: row.category, label: categoryLabel(row.category) },
        form: { id: `${row.mood}:${row.tense}`, label: formLabel(row.mood, row.tense) },
        attempts: row.attempts,
        accuracy: Math.round(row.accuracy * 1000) / 1000,
      })),
    };
  }),

  /** The next item of the chosen drill; in recognition modes with the choices to pick from. */
  next: authedProcedure.input(nextInput).query(async ({ ctx, input }) => {
    const learnerId = ctx.session.learnerId;
    const filter = await filterOf(ctx, learnerId, input);
    let reason: "due" | "new" | "ahead" | "recognition";
    let exerciseId: string | null;
    if (input.mode === "type") {
      const pick = await pickDrill(ctx.deps.pool, learnerId, filter);
      reason = pick?.reason ?? "new";
      exerciseId = pick?.exerciseId ?? null;
    } else {
      reason = "recognition";
      const exclude = input.mode === "mood" ? itemsWithBothMoods() : [];
      exerciseId = await pickRecognition(ctx.deps.pool, learnerId, filter, input.previousId ?? null, exclude);
    }
    if (!exerciseId) {
      throw new AppError(
        "NO_MATCHING_EXERCISES",
        "No exercise matches this choice of category, form and level. Widen the drill.",
      );
    }
    const row = await ctx.deps.exercises.get(exerciseId);
    if (!row) throw new AppError("EXERCISE_NOT_FOUND", `Exercise ${exerciseId} vanished from the bank.`);
    const spec = { mood: row.mood, tense: row.tense } as FormSpec;
    const choices =
      input.mode === "choice"
        ? shuffle(formChoices({ verb: row.verb, person: row.person as Person, spec, accepted: row.accepted }))
        : input.mode === "mood"
          ? ["subjunctive", "indicative"]
          : null;
    return { reason, mode: input.mode, item: itemOf(row), choices };
  }),

  /** Grades a recognition answer and explains it; nothing is scheduled or scored. */
  answer: authedProcedure.input(answerInput).mutation(async ({ ctx, input }) => {
    const row = await ctx.deps.exercises.get(input.exerciseId);
    if (!row) throw new AppError("EXERCISE_NOT_FOUND", `There is no exercise "${input.exerciseId}".`);
    // drills.next never asks for the mood of such an item, but an answer may still name one.
    const both = input.mode === "mood" ? bothMoodsNote(findExercise(row.id)) : undefined;
    const correct =
      input.mode === "mood"
        ? input.choice === row.mood ||
          (both !== undefined && ["subjunctive", "indicative"].includes(input.choice))
        : [row.expected, ...row.accepted].includes(input.choice.normalize("NFC"));
    const form = formLabel(row.mood, row.tense);
    const message =
      input.mode === "mood"
        ? both !== undefined && correct
          ? `Yes: both moods are right here. ${both}`
          : correct
            ? `Yes: the blank takes the ${row.mood} (${form}).`
            : `No: the blank takes the ${row.mood} (${form}), not the ${input.choice}.`
        : correct
          ? `Yes: "${row.expected}" is the ${form}.`
          : `No: the blank needs "${row.expected}", the ${form}.`;
    return {
      correct,
      outcome: correct ? ("correct" as const) : ("wrong" as const),
      mood: row.mood,
      form: { id: `${row.mood}:${row.tense}`, label: form },
      expected: row.expected,
      accepted: row.accepted,
      message,
      explanation: row.explanation,
    };
  }),
});
