import { describe, expect, it } from "vitest";
import { APPROVAL_NAMESPACE, principalMatches } from "../../policy/approvals.ts";
import {
  approvalMode,
  canonicalJson,
  comparable,
  lineDiff,
  policyRequirements,
  samePerson,
} from "./approvals.ts";
import { NAMESPACES } from "./ssh-signatures.ts";

// The pure rules of approvals.ts; the whole flow with real keys is tests/runbooks/approvals.test.ts.

describe("approval rules", () => {
  it.each([
    ["same name", "alice", "alice", true],
    ["case does not make another person", "Alice", "alice", true],
    ["a principal without a host is the OS user on any host", "alice", "alice@laptop", true],
    ["the console's suffix is not part of the person", "alice@laptop", "alice@laptop (console)", true],
    ["another person", "bob", "alice@laptop", false],
    [
      "same user name on another mail domain is another principal",
      "alice@example.org",
      "alice@laptop",
      false,
    ],
  ])("samePerson: %s", (_rule, principal, actor, same) => {
    expect(samePerson(principal, actor)).toBe(same);
  });

  it.each([
    ["* matches anyone", "bob", ["*"], true],
    ["a domain pattern", "bob@example.org", ["*@example.org"], true],
    ["another domain", "bob@evil.org", ["*@example.org"], false],
    ["dots are literal", "bobXexample.org", ["bob.example.org"], false],
    ["no patterns: nobody", "bob", [], false],
  ])("principalMatches: %s", (_rule, principal, patterns, matches) => {
    expect(principalMatches(principal, patterns)).toBe(matches);
  });

  it("requires approval for changes in production, not for reads, not in dev, in staging only when asked", () => {
    const change = [{ danger: "read" }, { danger: "change" }];
    expect(policyRequirements("production", change, {})).toHaveLength(1);
    expect(policyRequirements("production", [{ danger: "read" }], {})).toEqual([]);
    expect(policyRequirements("dev", change, {})).toEqual([]);
    expect(approvalMode("staging", {})).toBe("optional");
    expect(policyRequirements("staging", change, {})).toEqual([]);
    expect(policyRequirements("staging", change, { SSP_STAGING_APPROVAL: "required" })).toHaveLength(1);
    // A runbook the policy exempts (a backup adds, it does not change what learners use).
    expect(policyRequirements("production", change, {}, "backup-now")).toEqual([]);
    expect(policyRequirements("production", change, {}, "deploy")).toHaveLength(1);
  });

  it("the pages' namespace is the one approvals are signed under", () => {
    expect(APPROVAL_NAMESPACE).toBe(NAMESPACES.approval);
  });

  it("writes the same object as the same bytes, whatever the key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("compares plans without their timestamps, and shows the lines that differ", () => {
    expect(comparable("to purge (expired before 2026-11-07 02:59:42.123+00): 3")).toBe(
      "to purge (expired before <time>): 3",
    );
    expect(comparable("release v1.2.3 since 2026-12-07T02:59:42Z")).toBe("release v1.2.3 since <time>");
    expect(lineDiff(["a", "b", "c"], ["a", "x", "c"])).toEqual(["  a", "- b", "+ x", "  c"]);
  });
});
