import { describe, expect, it } from "vitest";
import { SLO } from "../../policy/index.ts";
import { buildOptions } from "./options.ts";
import { getProfile, PROFILE_NAMES, PROFILES, totalSeconds, vusAt } from "./profiles.ts";

describe("profile → k6 options", () => {
  it("builds one ramping-vus scenario with the profile's stages and the SLO thresholds", () => {
    const options = buildOptions(PROFILES["average-load"], "short");
    expect(options.scenarios).toEqual({
      "average-load": {
        executor: "ramping-vus",
        startVUs: 0,
        stages: [
          { duration: "120s", target: SLO.concurrentUsers },
          { duration: "180s", target: SLO.concurrentUsers },
          { duration: "10s", target: 0 },
        ],
        gracefulRampDown: "10s",
        gracefulStop: "10s",
      },
    });
    expect(options.thresholds).toEqual({
      "http_req_duration{kind:practice}": [`p(95)<${SLO.latencyP95Ms}`],
      http_req_failed: [`rate<${SLO.errorRate}`],
      checks: [`rate>${1 - SLO.errorRate}`],
    });
    expect(options.summaryTrendStats).toEqual(
      expect.arrayContaining(["p(50)", "p(90)", "p(95)", "p(99)", "max"]),
    );
  });

  it("uses the full stages with --full, and abortOnFail for the breakpoint search", () => {
    const full = buildOptions(PROFILES["average-load"], "full");
    const scenario = full.scenarios?.["average-load"] as { stages: { duration: string }[] } | undefined;
    const stages = scenario?.stages ?? [];
    expect(stages.map((s) => s.duration)).toEqual(["300s", "1800s", "300s"]);
    const breakpoint = buildOptions(PROFILES.breakpoint, "short");
    expect(breakpoint.thresholds?.http_req_failed).toEqual([
      { threshold: `rate<${SLO.errorRate}`, abortOnFail: true, delayAbortEval: "30s" },
    ]);
  });

  it("has a short and a full variant for every profile, the short one at most 10 minutes", () => {
    for (const name of PROFILE_NAMES) {
      const profile = getProfile(name);
      expect(totalSeconds(profile.short)).toBeLessThanOrEqual(600);
      expect(totalSeconds(profile.full)).toBeGreaterThanOrEqual(totalSeconds(profile.short));
    }
    expect(Math.max(...PROFILES["average-load"].full.map((s) => s.target))).toBe(SLO.concurrentUsers);
  });

  it("rejects an unknown profile by name", () => {
    expect(() => getProfile("smok")).toThrow(
      'unknown load-test profile "smok"; choose one of: smoke, average-load',
    );
  });

  it("interpolates virtual users along ramps as k6's ramping-vus does", () => {
    const stages = [
      { durationS: 10, target: 100 },
      { durationS: 10, target: 100 },
      { durationS: 10, target: 0 },
    ];
    expect(vusAt(stages, 0)).toBe(0);
    expect(vusAt(stages, 5)).toBe(50);
    expect(vusAt(stages, 15)).toBe(100);
    expect(vusAt(stages, 25)).toBe(50);
    expect(vusAt(stages, 99)).toBe(0);
  });
});
