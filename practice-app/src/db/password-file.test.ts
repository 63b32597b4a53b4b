import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabasePasswordFile, parsePasswordFile, urlWithoutPassword } from "./password-file.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-pwfile-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("DATABASE_PASSWORD_FILE", () => {
  it.each([
    ["the first line, trimmed", "  s3cret  \nother\n", "s3cret"],
    ["comments and blank lines skipped", "# rotated monthly\n\nnext-one\n", "next-one"],
  ])("parses: %s", (_rule, text, expected) => {
    expect(parsePasswordFile(text, "f")).toBe(expected);
  });

  it("refuses a file without a password, naming it", () => {
    expect(() => parsePasswordFile("# only a comment\n", "/etc/pw")).toThrow(/\/etc\/pw has no password/);
  });

  it("drops the URL's password and keeps the rest", () => {
    expect(urlWithoutPassword("postgres://app:old@db:5432/ssp?sslmode=require")).toBe(
      "postgres://app@db:5432/ssp?sslmode=require",
    );
    expect(urlWithoutPassword("postgres://app@db/ssp")).toBe("postgres://app@db/ssp");
  });

  it("re-reads a changed file, and keeps the last good password when the file breaks", async () => {
    const file = path.join(dir, "pw");
    await writeFile(file, "first\n");
    const source = new DatabasePasswordFile(file, pino({ level: "silent" }));
    expect(source.current()).toBe("first");
    await writeFile(file, "second\n");
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    expect(source.current()).toBe("second");
    await writeFile(file, "\n");
    await utimes(file, new Date(), new Date(Date.now() + 10_000));
    expect(source.current()).toBe("second");
  });
});
