import { describe, expect, it } from "vitest";
import { CHANGES_THAT_GO_ON, FREEZE_SLO, FROZEN_RUNBOOKS } from "../../policy/error-budget-freeze.ts";
import { SLOS } from "../../policy/slo.ts";
import { catalog } from "./catalog.ts";
import { RUNBOOKS_DIR } from "./paths.ts";

// The freeze policy names runbooks by id; the catalog is the truth about which exist and which
// change something. Each rule below is a way the policy could silently stop gating.

describe("the error-budget freeze policy against the catalog", async () => {
  const entries = await catalog(RUNBOOKS_DIR);
  const changes = (id: string) =>
    entries.find((e) => e.id === id)?.steps.some((s) => s.danger !== "read") ?? false;
  const frozen = Object.keys(FROZEN_RUNBOOKS);
  const goOn = Object.keys(CHANGES_THAT_GO_ON);

  it.each([...frozen, ...goOn])("%s is a runbook of the catalog with steps that change something", (id) => {
    expect(entries.map((e) => e.id)).toContain(id);
    expect(changes(id)).toBe(true);
  });

  it("classifies every change runbook exactly once: frozen, or going on with a reason", () => {
    const unclassified = entries.filter(
      (e) => changes(e.id) && !frozen.includes(e.id) && !goOn.includes(e.id),
    );
    expect(unclassified.map((e) => e.id)).toEqual([]);
    expect(frozen.filter((id) => goOn.includes(id))).toEqual([]);
  });

  it("freezes what the policy's words name: deploy, release, migrate-database, scale-instances", () => {
    for (const id of ["deploy", "release", "migrate-database", "scale-instances"])
      expect(frozen).toContain(id);
    expect(Object.keys(SLOS)).toContain(FREEZE_SLO);
  });
});
