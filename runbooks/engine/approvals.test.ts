import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APPROVAL_NAMESPACE, principalMatches } from "../../policy/approvals.ts";
import {
  approvalMode,
  canonicalJson,
  comparable,
  lineDiff,
  policyRequirements,
  recordedSecretParams,
  SECRET_HASH_PREFIX,
  samePerson,
  secretKeyPath,
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

describe("secret parameters in a receipt", () => {
  it("records a reference's text, a value as a keyed hash of this install, and an empty value as it is", async () => {
    const [one, two] = await Promise.all([
      mkdtemp(path.join(os.tmpdir(), "ssp-receipt-key-")),
      mkdtemp(path.join(os.tmpdir(), "ssp-receipt-key-")),
    ]);
    try {
      const a = await recordedSecretParams(one, { token: "secret-A", ref: "env:RAILWAY_TOKEN", none: "" });
      expect(a.ref).toBe("env:RAILWAY_TOKEN");
      expect(a.none).toBe("");
      expect(a.token).toMatch(new RegExp(`^${SECRET_HASH_PREFIX}[0-9a-f]{64}$`));
      expect(JSON.stringify(a)).not.toContain("secret-A");
      expect((await stat(secretKeyPath(one))).mode & 0o777).toBe(0o600);
      // Same secret, same install: the same hash. Another secret, or another parameter: another.
      expect((await recordedSecretParams(one, { token: "secret-A" })).token).toBe(a.token);
      expect((await recordedSecretParams(one, { token: "secret-B" })).token).not.toBe(a.token);
      expect((await recordedSecretParams(one, { other: "secret-A" })).other).not.toBe(a.token);
      // Another install's key: the same secret gives another hash.
      expect((await recordedSecretParams(two, { token: "secret-A" })).token).not.toBe(a.token);
      // No value to hash: no key is made.
      const three = await mkdtemp(path.join(os.tmpdir(), "ssp-receipt-key-"));
      await recordedSecretParams(three, { ref: "file:/run/secrets/x", none: "" });
      await expect(stat(secretKeyPath(three))).rejects.toThrow(/ENOENT/);
      await rm(three, { recursive: true, force: true });
      // Two processes' worth of first uses at once agree on one key.
      const four = await mkdtemp(path.join(os.tmpdir(), "ssp-receipt-key-"));
      const hashes = await Promise.all(
        Array.from({ length: 8 }, () => recordedSecretParams(four, { token: "secret-A" })),
      );
      expect(new Set(hashes.map((h) => h.token)).size).toBe(1);
      await rm(four, { recursive: true, force: true });
      // A damaged key is refused with what to do, never silently replaced.
      await writeFile(secretKeyPath(one), "short");
      await expect(recordedSecretParams(one, { token: "secret-A" })).rejects.toThrow(
        /not a 32-byte key: delete it/,
      );
    } finally {
      await Promise.all([one, two].map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
