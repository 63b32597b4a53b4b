import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvironmentError, resolveEnvironment } from "./environments.ts";
import { formatNotification, type RunNotification } from "./notify.ts";
import { commandWords, parseSecretRef, resolveSecretRef, SecretRefError } from "./secret-refs.ts";

const SECRET = "s3cret-from-the-store";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-secret-refs-"));
  await writeFile(path.join(dir, "db"), `postgres://ops:${SECRET}@127.0.0.1:5432/x\n`, { mode: 0o600 });
  await writeFile(path.join(dir, "empty"), "  \n", { mode: 0o600 });
  await writeFile(path.join(dir, "print.sh"), `#!/bin/sh\nprintf '%s\\n' "${SECRET}"\n`, { mode: 0o700 });
  await chmod(path.join(dir, "print.sh"), 0o700);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseSecretRef", () => {
  it.each([
    ["a file reference", "file:/run/secrets/db", { kind: "file", target: "/run/secrets/db" }],
    ["an env reference", "env:DB_URL", { kind: "env", target: "DB_URL" }],
    ["a cmd reference keeps its words", "cmd:pass show ssp/db", { kind: "cmd", target: "pass show ssp/db" }],
    ["a plain URL is a value", "postgres://a:b@h/db", null],
    ["an http URL is a value", "http://127.0.0.1:3000", null],
    ["an unknown scheme is a value", "vault:secret/db", null],
  ])("%s", (_rule, text, expected) => {
    const ref = parseSecretRef(text);
    expect(ref === null ? null : { kind: ref.kind, target: ref.target }).toEqual(expected);
  });
});

describe("commandWords", () => {
  const words = (text: string) =>
    commandWords(parseSecretRef(`cmd:${text}`) ?? { kind: "cmd", target: "", text });
  it.each([
    [
      "words split on spaces",
      "vault kv get -field=url secret/db",
      ["vault", "kv", "get", "-field=url", "secret/db"],
    ],
    ["double quotes keep spaces", 'op read "op://Ops Vault/db/url"', ["op", "read", "op://Ops Vault/db/url"]],
    ["single quotes keep spaces", "pass show 'ssp db'", ["pass", "show", "ssp db"]],
    ["a quoted metacharacter is a letter", "echo 'a|b'", ["echo", "a|b"]],
  ])("%s", (_rule, text, expected) => {
    expect(words(text)).toEqual(expected);
  });
  it.each([
    ["a pipe needs a shell", "pass show db | head -1", /"\|" needs a shell/],
    ["a variable needs a shell", "echo $HOME", /"\$" needs a shell/],
    ["a redirection needs a shell", "cat < /x", /"<" needs a shell/],
    ["an unclosed quote", "op read 'x", /unclosed ' quote/],
    ["no command at all", "   ", /no command/],
  ])("%s is refused", (_rule, text, message) => {
    expect(() => words(text)).toThrow(message);
  });
});

describe("resolveSecretRef", () => {
  const resolve = (text: string, env: NodeJS.ProcessEnv = {}) =>
    resolveSecretRef(parseSecretRef(text) ?? { kind: "env", target: "", text }, {
      PATH: process.env.PATH,
      ...env,
    });

  it("a file's content, trimmed", () => {
    expect(resolve(`file:${dir}/db`)).toBe(`postgres://ops:${SECRET}@127.0.0.1:5432/x`);
  });
  it("another variable's value", () => {
    expect(resolve("env:THE_DB", { THE_DB: ` ${SECRET} ` })).toBe(SECRET);
  });
  it("what a command prints, run without a shell", () => {
    expect(resolve(`cmd:${dir}/print.sh`)).toBe(SECRET);
    expect(resolve("cmd:printf %s 'a b; c'")).toBe("a b; c");
  });

  // Each refusal names the reference and never carries a value.
  it.each([
    ["a missing file", () => `file:${dir}/missing`, /cannot read the file \(ENOENT\)/],
    ["a relative path", () => "file:secrets/db", /absolute path/],
    ["an empty file resolves to nothing", () => `file:${dir}/empty`, /resolved to nothing/],
    ["an unset variable", () => "env:NOT_SET_ANYWHERE", /NOT_SET_ANYWHERE is not set/],
    [
      "a command that is not installed",
      () => "cmd:no-such-secret-tool read x",
      /not installed or not on PATH/,
    ],
    ["a command that fails", () => "cmd:false", /exited with 1/],
  ])("%s is refused, naming the reference", (_rule, text, message) => {
    const reference = text();
    let caught: unknown;
    try {
      resolve(reference);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SecretRefError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain(`"${reference}"`);
  });

  it("a command that hangs is stopped at its timeout", () => {
    const ref = parseSecretRef("cmd:sleep 5");
    if (!ref) throw new Error("not a reference");
    const started = Date.now();
    expect(() => resolveSecretRef(ref, { PATH: process.env.PATH }, 300)).toThrow(
      /did not finish within 300 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("resolveEnvironment with references", () => {
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    SSP_STAGING_APP_URL: "http://127.0.0.1:3999",
    ...extra,
  });

  it("resolves a reference, and says which settings were references", () => {
    const resolved = resolveEnvironment("staging", env({ SSP_STAGING_DATABASE_URL: `file:${dir}/db` }));
    expect(resolved.databaseUrl).toBe(`postgres://ops:${SECRET}@127.0.0.1:5432/x`);
    expect(resolved.references).toEqual({ SSP_STAGING_DATABASE_URL: `file:${dir}/db` });
    expect(resolved.resolvedSecrets).toEqual([resolved.databaseUrl]);
  });
  it("describes without resolving when asked (the console's page)", () => {
    const described = resolveEnvironment(
      "staging",
      env({ SSP_STAGING_DATABASE_URL: `cmd:${dir}/print.sh` }),
      { resolveReferences: false },
    );
    expect(described.databaseUrl).toBe(`cmd:${dir}/print.sh`);
    expect(described.resolvedSecrets).toEqual([]);
    expect(described.references).toEqual({ SSP_STAGING_DATABASE_URL: `cmd:${dir}/print.sh` });
  });
  it("a reference that does not resolve is an environment error naming the variable", () => {
    expect(() => resolveEnvironment("staging", env({ SSP_STAGING_DATABASE_URL: "env:MISSING_DB" }))).toThrow(
      EnvironmentError,
    );
    expect(() => resolveEnvironment("staging", env({ SSP_STAGING_DATABASE_URL: "env:MISSING_DB" }))).toThrow(
      /SSP_STAGING_DATABASE_URL: secret reference "env:MISSING_DB"/,
    );
  });
  it("plain settings have no references", () => {
    const resolved = resolveEnvironment("staging", env({ SSP_STAGING_DATABASE_URL: "postgres://h/db" }));
    expect(resolved.references).toEqual({});
  });
});

describe("formatNotification", () => {
  const message: RunNotification = {
    event: "run-end-failed",
    runId: "r1",
    runbook: "restore",
    title: "Restore from backup",
    env: "production",
    actor: "ana@ops",
    status: "failed",
    durationMs: 12_345,
    failedStep: "restore-data",
    destructiveSteps: ["restore-data"],
    outputTail: ["last line"],
    at: "2026-12-06T00:00:00.000Z",
  };
  it("slack: one text with the result, the duration, who ran it and the tail", () => {
    const body = formatNotification(message, "slack");
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toMatch(
      /\*restore\* \(Restore from backup\) failed at step restore-data in \*production\* after 12\.3 s, run by ana@ops/,
    );
    expect(body.text).toContain("```\nlast line\n```");
  });
  it("json: every field", () => {
    expect(formatNotification(message, "json")).toEqual(message);
  });
});
