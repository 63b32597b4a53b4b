import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_DIR, main } from "./docs-verify.ts";

// docs:verify against copies of a real page in a temporary directory (the real page is never
// edited): the copy as it is passes, the copy with one shown output line changed fails naming the
// page and that line, and a page that shows a command's output without marking it fails too.
// Needs PostgreSQL and Redis, as the other tests do (TEST_ADMIN_DATABASE_URL, TEST_REDIS_URL).

const PAGE = "infrastructure-architecture/security.mdx";
const SHOWN = "X-Frame-Options: DENY";

describe("docs:verify on a page whose shown output no longer matches", () => {
  let dir = "";
  let changedLine = 0;
  let code = -1;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-docs-verify-test-"));
    const original = await readFile(path.join(DOCS_DIR, PAGE), "utf8");
    changedLine = original.split("\n").indexOf(SHOWN) + 1;
    expect(
      changedLine,
      `${PAGE} no longer shows "${SHOWN}"; pick another shown line for this test`,
    ).toBeGreaterThan(0);
    await mkdir(path.join(dir, "unchanged"), { recursive: true });
    await mkdir(path.join(dir, "changed"), { recursive: true });
    await writeFile(path.join(dir, "unchanged/security.mdx"), original);
    await writeFile(
      path.join(dir, "changed/security.mdx"),
      original.replace(SHOWN, "X-Frame-Options: SAMEORIGIN"),
    );
    await writeFile(
      path.join(dir, "changed/unmarked.mdx"),
      "# A page\n\n```text\n$ curl -s http://127.0.0.1:3000/healthz\n{}\n```\n",
    );
    code = await main(
      ["--docs", dir, "unchanged/security.mdx", "changed/security.mdx", "changed/unmarked.mdx"],
      (line) => lines.push(...line.split("\n")),
    );
  }, 90_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("passes the page as it is", () => {
    expect(lines).toContainEqual(expect.stringMatching(/^✔ unchanged\/security\.mdx {2}1 verified/));
  });

  it("fails the changed page, naming the page and the line, with both versions of it", () => {
    const at = lines.findIndex((l) => l.trim().startsWith(`changed/security.mdx:${changedLine}: $ curl -sI`));
    expect(at, lines.join("\n")).toBeGreaterThan(0);
    expect(lines[at + 1]?.trim()).toBe('the page shows "X-Frame-Options: SAMEORIGIN"');
    expect(lines[at + 2]?.trim()).toBe('the command printed "X-Frame-Options: DENY"');
    expect(lines).toContainEqual(expect.stringMatching(/^✘ changed\/security\.mdx {2}0 verified, 1 failed/));
  });

  it("fails a page that shows output without marking the block", () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}changed\/unmarked\.mdx:3: a `text` block shows a command with its output/),
    );
  });

  it("ends with the count and exits 1", () => {
    expect(lines.at(-1)).toBe("1 commands verified, 2 failed");
    expect(code).toBe(1);
  });
});

describe("docs:verify arguments", () => {
  it("refuses a bad --concurrency before starting anything", async () => {
    const lines: string[] = [];
    expect(await main(["--concurrency", "0"], (l) => lines.push(l))).toBe(2);
    expect(lines.join("\n")).toContain("--concurrency must be a whole number of at least 1");
  });
});
