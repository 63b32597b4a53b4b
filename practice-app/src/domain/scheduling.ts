import { type Card, createEmptyCard, fsrs, type Grade, Rating, State } from "ts-fsrs";

// Spaced repetition per learner and item, with the FSRS scheduler from ts-fsrs. Pure: the caller
// loads the card, passes the clock, and stores what comes back.

export type SchedulingOutcome =
  | "correct"
  | "accent"
  | "wrong-mood"
  | "wrong-person"
  | "wrong-tense"
  | "wrong";

/** Stored shape of a card: plain numbers and dates, the same fields as the `cards` table. */
export interface CardState {
  due: Date;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  state: number;
  lastReview: Date | null;
}

const scheduler = fsrs({ enable_fuzz: false, enable_short_term: true, request_retention: 0.9 });

/**
 * How an answer grades the memory. An accent slip is still recall (Hard); a wrong mood, person or
 * tense means the rule was not recalled (Again). A first-time correct answer is Good, not Easy:
 * one right answer is not proof the trigger is mastered.
 */
export function ratingFor(outcome: SchedulingOutcome): Grade {
  switch (outcome) {
    case "correct":
      return Rating.Good;
    case "accent":
      return Rating.Hard;
    default:
      return Rating.Again;
  }
}

export function newCardState(now: Date): CardState {
  return fromFsrs(createEmptyCard(now));
}

/**
 * What an outcome counts as for a learner. In accent-tolerant mode an accent slip is still shown
 * (the checker's outcome and message are unchanged) but schedules like a right answer.
 */
export function schedulingOutcome(
  outcome: SchedulingOutcome,
  settings: { accentTolerant: boolean },
): SchedulingOutcome {
  return outcome === "accent" && settings.accentTolerant ? "correct" : outcome;
}

/**
 * Schedules one answer. An accent slip is rated Hard (difficulty and stability move as FSRS says
 * for Hard), but on a card still in its learning steps it moves the card on to the next step as
 * Good would: FSRS repeats the current step after Hard, so a learner who keeps slipping on one
 * accent would see the card every few minutes and it would never graduate.
 */
export function review(
  previous: CardState | null,
  outcome: SchedulingOutcome,
  now: Date,
): { card: CardState; rating: Grade } {
  const rating = ratingFor(outcome);
  const card = previous ? toFsrs(previous) : createEmptyCard(now);
  const next = scheduler.next(card, now, rating).card;
  if (outcome !== "accent" || card.state === State.Review) return { card: fromFsrs(next), rating };
  const stepLikeGood = scheduler.next(card, now, Rating.Good).card;
  return {
    card: fromFsrs({ ...stepLikeGood, stability: next.stability, difficulty: next.difficulty }),
    rating,
  };
}

function toFsrs(state: CardState): Card {
  return {
    due: state.due,
    stability: state.stability,
    difficulty: state.difficulty,
    elapsed_days: state.elapsedDays,
    scheduled_days: state.scheduledDays,
    learning_steps: state.learningSteps,
    reps: state.reps,
    lapses: state.lapses,
    state: state.state,
    ...(state.lastReview ? { last_review: state.lastReview } : {}),
  };
}

function fromFsrs(card: Card): CardState {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsed_days,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    lastReview: card.last_review ?? null,
  };
}

/** Consecutive-days streak, in UTC calendar days. */
export function nextStreak(
  current: { streak: number; longest: number; lastPracticeOn: string | null },
  today: string,
): { streak: number; longest: number } {
  if (current.lastPracticeOn === today) return { streak: current.streak, longest: current.longest };
  const continues = current.lastPracticeOn !== null && addDays(current.lastPracticeOn, 1) === today;
  const streak = continues ? current.streak + 1 : 1;
  return { streak, longest: Math.max(current.longest, streak) };
}

/** The streak to show today: it is broken once a whole day has passed without practice. */
export function visibleStreak(streak: number, lastPracticeOn: string | null, today: string): number {
  if (lastPracticeOn === null) return 0;
  return lastPracticeOn === today || addDays(lastPracticeOn, 1) === today ? streak : 0;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return utcDay(date);
}
