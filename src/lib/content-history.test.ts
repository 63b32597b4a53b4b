import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contentHistory, pageHref, parseLog } from "./content-history.ts";

describe("what changed", () => {
  it("maps a page file to its address", () => {
    expect(pageHref("src/content/docs/index.mdx")).toBe("/");
    expect(pageHref("src/content/docs/incident-response/index.mdx")).toBe("/incident-response/");
    expect(pageHref("src/content/docs/incident-response/contacts.mdx")).toBe("/incident-response/contacts/");
    expect(pageHref("src/content.config.ts")).toBeNull();
  });

  it("parses git log into commits with their pages, marking pages that no longer exist", () => {
    const log =
      "\u001eabc123\t2026-12-06\tGlossary: link first uses\n\nsrc/content/docs/glossary.mdx\nsrc/content/docs/old.mdx\n" +
      "\u001edef456\t2026-12-05\tA subject\twith a tab\n\nsrc/content/docs/index.mdx\n";
    const commits = parseLog(log, (file) => !file.endsWith("old.mdx"));
    expect(commits).toEqual([
      {
        hash: "abc123",
        date: "2026-12-06",
        subject: "Glossary: link first uses",
        pages: [
          { file: "src/content/docs/glossary.mdx", href: "/glossary/" },
          { file: "src/content/docs/old.mdx", href: null },
        ],
      },
      {
        hash: "def456",
        date: "2026-12-05",
        subject: "A subject\twith a tab",
        pages: [{ file: "src/content/docs/index.mdx", href: "/" }],
      },
    ]);
  });

  it("reads this repository's history of src/content", () => {
    const history = contentHistory({ limit: 3, exists: () => true });
    if (!history.available) throw new Error(`expected git history here: ${history.reason}`);
    expect(history.commits.length).toBeGreaterThan(0);
    expect(history.commits.length).toBeLessThanOrEqual(3);
    expect(history.commits[0]?.date).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it("says why when there is no git history", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "no-git-"));
    try {
      const history = contentHistory({ cwd: dir, exists: () => true });
      expect(history.available).toBe(false);
      if (!history.available) expect(history.reason).toMatch(/git|repository/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
