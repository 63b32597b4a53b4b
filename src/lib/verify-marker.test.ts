import { describe, expect, it } from "vitest";
import { parseVerifyMarker, renderedMeta } from "./verify-marker.ts";

describe("the docs:verify marks in a code fence's meta", () => {
  const rows: Array<{ rule: string; meta: string; marker: ReturnType<typeof parseVerifyMarker> }> = [
    { rule: "no mark", meta: 'title="x"', marker: { kind: "none" } },
    { rule: "verify", meta: "verify", marker: { kind: "verify", bare: false } },
    { rule: "verify beside a title", meta: 'title="a b" verify', marker: { kind: "verify", bare: false } },
    { rule: "verify=bare: no stack variables", meta: "verify=bare", marker: { kind: "verify", bare: true } },
    {
      rule: "norun with its reason",
      meta: 'norun="needs sudo"',
      marker: { kind: "norun", reason: "needs sudo" },
    },
    { rule: "a word inside a title is not a mark", meta: 'title="verify this"', marker: { kind: "none" } },
  ];
  for (const row of rows) {
    it(row.rule, () => expect(parseVerifyMarker(row.meta)).toEqual(row.marker));
  }

  it("refuses norun without a reason, an unknown verify option, and both marks at once", () => {
    expect(() => parseVerifyMarker("norun")).toThrow(/needs a reason/);
    expect(() => parseVerifyMarker("verify=maybe")).toThrow(/unknown verify option/);
    expect(() => parseVerifyMarker('verify norun="x"')).toThrow(/both/);
  });

  it("renders verify as nothing and norun as a visible title", () => {
    expect(renderedMeta("verify")).toBe("");
    expect(renderedMeta('norun="needs sudo"')).toBe('title="Not run by docs:verify: needs sudo"');
    expect(renderedMeta('title="deploy.sh" norun="needs sudo"')).toBe(
      `title="deploy.sh (Not run by docs:verify: needs sudo)"`,
    );
  });
});
