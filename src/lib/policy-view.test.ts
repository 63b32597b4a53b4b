import { describe, expect, it } from "vitest";
import { ALERT_LIST, BACKUP_POLICY, SEVERITY_LIST, SLO } from "../../policy/index.ts";
import { POLICY_TABLES, POLICY_VALUES, policyValue } from "./policy-view.ts";

describe("policy views", () => {
  it("render the policy's own numbers", () => {
    expect(policyValue("slo.latencyP95Ms")).toBe(`${SLO.latencyP95Ms} ms`);
    expect(policyValue("backup.longestRetention")).toBe(`about ${BACKUP_POLICY.keepMonthly} months`);
    expect(policyValue("alert.error-rate-critical")).toBe("> 5%");
    expect(policyValue("alert.tls-expiry")).toBe("< 7 days");
    expect(policyValue("severity.P0.response")).toBe("15 min");
    const alerts = POLICY_TABLES.alerts();
    expect(alerts.rows).toHaveLength(ALERT_LIST.length);
    expect(alerts.rows.find((r) => r[1] === "Slow responses")).toEqual([
      "warning",
      "Slow responses",
      "p95 latency of tRPC calls",
      "> 200 ms",
      "chat, email",
    ]);
    expect(POLICY_TABLES.severities().rows.map((r) => r[0])).toEqual(SEVERITY_LIST.map((s) => s.id));
  });

  it("build every table and value without gaps", () => {
    for (const [name, build] of Object.entries(POLICY_TABLES)) {
      const view = build();
      expect(view.rows.length, name).toBeGreaterThan(0);
      for (const row of view.rows) expect(row).toHaveLength(view.headers.length);
    }
    for (const [key, value] of Object.entries(POLICY_VALUES)) expect(value, key).toMatch(/\S/);
  });

  it("total the cost estimates and spell the patch windows from the policy", () => {
    expect(POLICY_TABLES.costs().rows.at(-1)?.slice(0, 2)).toEqual(["Total", "$35–150"]);
    expect(POLICY_TABLES["security-windows"]().rows.map((r) => r.slice(0, 2))).toEqual([
      ["critical", "0–24 hours"],
      ["high", "1–7 days"],
      ["moderate", "the next routine update"],
      ["low", "the next routine update"],
    ]);
  });

  it("refuse an unknown value by name, listing the known ones", () => {
    expect(() => policyValue("slo.nope")).toThrow(
      /policy value "slo.nope", which does not exist; known: slo.latencyP95Ms/,
    );
  });
});
