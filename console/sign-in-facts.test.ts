import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NAMESPACES } from "../runbooks/engine/ssh-signatures.ts";
import { OPERATOR_NAME_PATTERN } from "./identity.ts";
import { SIGN_IN, TEAM_SETTINGS } from "./protocol.ts";
import { signCommand } from "./sign-in-challenges.ts";

// The sign-in facts the handbook renders from console/protocol.ts are the ones the console uses.

describe("sign-in facts", () => {
  it("signs under the engine's console-login namespace, with the command the page shows", () => {
    expect(SIGN_IN.namespace).toBe(NAMESPACES.consoleLogin);
    expect(SIGN_IN.signCommand).toContain(`-n ${NAMESPACES.consoleLogin}`);
    expect(signCommand("ssp-console-login http://127.0.0.1:1 x 2026")).toMatch(
      /^printf '%s' 'ssp-console-login http:\/\/127\.0\.0\.1:1 x 2026' \| ssh-keygen -Y sign /,
    );
  });

  it("names only settings the console reads", () => {
    const source = readFileSync(path.join(import.meta.dirname, "settings.ts"), "utf8");
    for (const { name } of TEAM_SETTINGS) expect(source, name).toContain(`env.${name}`);
  });

  it("takes operator names that are principals, and nothing a shell or the allowed-signers file would read otherwise", () => {
    for (const good of ["alice", "alice@example.org", "bob.smith", "ops+oncall"])
      expect(OPERATOR_NAME_PATTERN.test(good), good).toBe(true);
    for (const bad of ["", "-alice", "alice smith", "a,b", "*", "alice\n", "'x'", "a".repeat(65)])
      expect(OPERATOR_NAME_PATTERN.test(bad), bad).toBe(false);
  });
});
