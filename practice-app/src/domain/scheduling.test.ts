import { describe, expect, it } from "vitest";
import {
  type CardState,
  newCardState,
  nextStreak,
  ratingFor,
  review,
  type SchedulingOutcome,
  schedulingOutcome,
  visibleStreak,
} from "./scheduling.ts";

const t0 = new Date("2026-11-01T10:00:00Z");
const minutes = (n: number) => n * 60_000;
const days = (n: number) => n * 86_400_000;

describe("ratingFor", () => {
  it("grades a correct answer Good, an accent slip Hard and every other mistake Again", () => {
    expect(ratingFor("correct")).toBe(3);
    expect(ratingFor("accent")).toBe(2);
    for (const outcome of ["wrong-mood", "wrong-person", "wrong-tense", "wrong"] as const) {
      expect(ratingFor(outcome)).toBe(1);
    }
  });
});

describe("review", () => {
  it("schedules a wrong first answer sooner than a right one", () => {
    const wrong = review(null, "wrong-mood", t0).card;
    const right = review(null, "correct", t0).card;
    expect(wrong.due.getTime()).toBeGreaterThan(t0.getTime());
    expect(wrong.due.getTime()).toBeLessThan(right.due.getTime());
    expect(wrong.reps).toBe(1);
  });

  it("grows the interval with each successful review and counts lapses", () => {
    let card = review(null, "correct", t0).card;
    let now = card.due;
    const intervals: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = review(card, "correct", now).card;
      intervals.push(next.due.getTime() - now.getTime());
      card = next;
      now = next.due;
    }
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]).toBeGreaterThan(intervals[i - 1] ?? 0);
    }
    expect(intervals.at(-1)).toBeGreaterThan(days(3));
    const lapsed = review(card, "wrong", now).card;
    expect(lapsed.lapses).toBe(card.lapses + 1);
    expect(lapsed.due.getTime() - now.getTime()).toBeLessThan(days(1));
  });

  it("starts a new card due now", () => {
    const card = newCardState(t0);
    expect(card.due.getTime()).toBe(t0.getTime());
    expect(card.reps).toBe(0);
    expect(review(card, "accent", new Date(t0.getTime() + minutes(1))).rating).toBe(2);
  });
});

describe("accent slips", () => {
  /** Answers a new card with the same outcome each time it comes due; the cards after each review. */
  function answerAlways(outcome: SchedulingOutcome, times: number): CardState[] {
    const cards: CardState[] = [];
    let card: CardState | null = null;
    let now = t0;
    for (let i = 0; i < times; i++) {
      card = review(card, outcome, now).card;
      cards.push(card);
      now = card.due;
    }
    return cards;
  }
  const REVIEW_STATE = 2; // ts-fsrs State.Review: graduated from the learning steps

  it("graduates a new card answered with an accent slip every time, as fast as a correct one", () => {
    const slips = answerAlways("accent", 3);
    const rights = answerAlways("correct", 3);
    const graduatedAt = (cards: CardState[]) => cards.findIndex((c) => c.state === REVIEW_STATE);
    expect(graduatedAt(slips)).toBeGreaterThanOrEqual(0);
    expect(graduatedAt(slips)).toBe(graduatedAt(rights));
    const last = slips.at(-1) as CardState;
    expect(last.due.getTime() - (slips.at(-2) as CardState).due.getTime()).toBeGreaterThan(days(1));
  });

  it("still grades the slip Hard: the card's difficulty rises and it comes back sooner than a right one", () => {
    const slips = answerAlways("accent", 3);
    const rights = answerAlways("correct", 3);
    expect(review(null, "accent", t0).rating).toBe(2);
    expect((slips.at(-1) as CardState).difficulty).toBeGreaterThan((rights.at(-1) as CardState).difficulty);
    expect((slips.at(-1) as CardState).stability).toBeLessThan((rights.at(-1) as CardState).stability);
  });

  it("keeps a graduated card in review after a slip, with a shorter interval than Good", () => {
    const graduated = answerAlways("correct", 3).at(-1) as CardState;
    expect(graduated.state).toBe(REVIEW_STATE);
    const slip = review(graduated, "accent", graduated.due).card;
    const right = review(graduated, "correct", graduated.due).card;
    expect(slip.state).toBe(REVIEW_STATE);
    expect(slip.due.getTime()).toBeLessThan(right.due.getTime());
  });

  it("in accent-tolerant mode schedules a slip like a right answer, and nothing else changes", () => {
    expect(schedulingOutcome("accent", { accentTolerant: true })).toBe("correct");
    expect(schedulingOutcome("accent", { accentTolerant: false })).toBe("accent");
    expect(schedulingOutcome("wrong-mood", { accentTolerant: true })).toBe("wrong-mood");
  });
});

describe("streaks", () => {
  it("starts, continues, keeps and breaks a streak in UTC days", () => {
    expect(nextStreak({ streak: 0, longest: 0, lastPracticeOn: null }, "2026-11-01")).toEqual({
      streak: 1,
      longest: 1,
    });
    expect(nextStreak({ streak: 3, longest: 5, lastPracticeOn: "2026-11-01" }, "2026-11-02")).toEqual({
      streak: 4,
      longest: 5,
    });
    expect(nextStreak({ streak: 3, longest: 3, lastPracticeOn: "2026-11-02" }, "2026-11-02")).toEqual({
      streak: 3,
      longest: 3,
    });
    expect(nextStreak({ streak: 9, longest: 9, lastPracticeOn: "2026-10-30" }, "2026-11-02")).toEqual({
      streak: 1,
      longest: 9,
    });
    expect(nextStreak({ streak: 2, longest: 2, lastPracticeOn: "2026-02-28" }, "2026-03-01").streak).toBe(3);
  });

  it("shows a streak as broken once a full day is missed", () => {
    expect(visibleStreak(4, "2026-11-02", "2026-11-02")).toBe(4);
    expect(visibleStreak(4, "2026-11-01", "2026-11-02")).toBe(4);
    expect(visibleStreak(4, "2026-10-31", "2026-11-02")).toBe(0);
    expect(visibleStreak(0, null, "2026-11-02")).toBe(0);
  });
});
