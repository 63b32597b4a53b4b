import { describe, expect, it } from "vitest";
import { buildExerciseBank } from "./bank.ts";
import {
  curriculumKind,
  curriculumPositions,
  GRADUATED_TO_UNLOCK,
  hasWrittenAccent,
  unlockedLevel,
} from "./curriculum.ts";

const bank = buildExerciseBank();
const positions = curriculumPositions(bank);
const ordered = [...bank].sort((a, b) => (positions.get(a.id) ?? 0) - (positions.get(b.id) ?? 0));

describe("curriculumPositions", () => {
  it("gives every item a unique position, level by level", () => {
    expect(new Set(positions.values()).size).toBe(bank.length);
    for (let i = 1; i < ordered.length; i++) {
      expect((ordered[i]?.difficulty ?? 0) >= (ordered[i - 1]?.difficulty ?? 0)).toBe(true);
    }
  });

  it("mixes contrasts, accented answers and other tenses into the first 20 items", () => {
    const first = ordered.slice(0, 20);
    const kinds = first.map(curriculumKind);
    expect(kinds.filter((k) => k === "contrast").length).toBeGreaterThanOrEqual(5);
    expect(first.filter((e) => hasWrittenAccent(e.expected)).length).toBeGreaterThanOrEqual(5);
    expect(first.filter((e) => e.spec.mood === "indicative").length).toBeGreaterThanOrEqual(3);
    expect(kinds.filter((k) => k === "present").length).toBeLessThanOrEqual(8);
    // No run of four items a learner could all answer with the present subjunctive.
    for (let i = 0; i + 4 <= first.length; i++) {
      expect(
        kinds.slice(i, i + 4).every((k) => k === "present"),
        `items ${i}..${i + 3}`,
      ).toBe(false);
    }
  });
});

describe("unlockedLevel", () => {
  it.each([
    ["a new learner", {}, 1],
    ["one short of the threshold", { 1: GRADUATED_TO_UNLOCK - 1 }, 1],
    ["enough level-1 cards graduated", { 1: GRADUATED_TO_UNLOCK }, 2],
    ["level-2 cards do not count without level 1", { 2: 50 }, 1],
    ["both levels mastered", { 1: GRADUATED_TO_UNLOCK, 2: GRADUATED_TO_UNLOCK }, 3],
  ] as const)("%s", (_rule, graduated, level) => {
    expect(unlockedLevel(graduated)).toBe(level);
  });
});
