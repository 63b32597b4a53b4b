import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GLOSSARY, type GlossaryTerm } from "./glossary.ts";
import { checkGlossary, glossaryPageProblems, linkFirstUses, unlinkedTerms } from "./glossary-check.ts";

// The glossary's build check: which uses count (prose, first on the page, not inside another link)
// and what --fix writes. Each row names the rule it checks.

const TERMS: GlossaryTerm[] = [
  { id: "rto", term: "RTO", match: /\bRTO\b/, definition: "d" },
  { id: "drain", term: "Drain", match: /\bdrain(?:s|ed|ing)?\b/i, definition: "d" },
];
const page = (body: string) => `---\ntitle: T\n---\n\nimport X from "./x.astro";\n\n${body}\n`;
const ids = (body: string) => unlinkedTerms(page(body), TERMS).map((u) => `${u.id}@${u.line}`);

describe("glossary check: which use must link", () => {
  const rows: [rule: string, body: string, expected: string[]][] = [
    ["a first use in prose without a link is reported", "The RTO is an hour.", ["rto@7"]],
    ["a first use linked to its entry passes", "The [RTO](/glossary/#rto) is an hour. RTO again.", []],
    ["only the first use must link", "The [RTO](/glossary/#rto) is an hour.\n\nThe RTO again.", []],
    ["a later link does not excuse an unlinked first use", "RTO first.\n\n[RTO](/glossary/#rto).", ["rto@7"]],
    ["a link to another entry is not the term's link", "[RTO](/glossary/#drain).\n\nRTO.", ["rto@9"]],
    ["inline code is not prose", "Run `RTO` and `drain`.", []],
    ["fenced blocks are not prose", "```sh\necho RTO\n```", []],
    ["headings are not prose", "## The RTO\n\nNothing.", []],
    ["JSX attributes are not prose", '<Aside title="RTO">\nnone\n</Aside>', []],
    ["MDX comments are not prose", "{/* RTO */}", []],
    ["link targets are not prose", "[the drill](/drain/rto/).", []],
    [
      "a use inside another link is skipped; the next counts",
      "[the RTO drill](/dr/).\n\nThe RTO.",
      ["rto@9"],
    ],
    ["case follows the term's match: acronyms exact", "the rto, in lower case, is another word.", []],
    ["case follows the term's match: words any case", "Instances Drain first.", ["drain@7"]],
    ["inflections count", "It drained.", ["drain@7"]],
    ["each term is checked on its own", "RTO and drain.", ["rto@7", "drain@7"]],
  ];
  for (const [rule, body, expected] of rows) it(rule, () => expect(ids(body)).toEqual(expected));
});

describe("glossary check: --fix", () => {
  it("links the first use of each term and nothing else, and the result passes", () => {
    const source = page("`RTO` in code. The RTO is an hour; instances **drain** first. RTO again.");
    const fixed = linkFirstUses(source, TERMS);
    expect(fixed).toContain(
      "`RTO` in code. The [RTO](/glossary/#rto) is an hour; instances **[drain](/glossary/#drain)** first. RTO again.",
    );
    expect(unlinkedTerms(fixed, TERMS)).toEqual([]);
    expect(linkFirstUses(fixed, TERMS)).toBe(fixed);
  });

  it("checks and fixes a docs folder, leaving the glossary page to its own check", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "glossary-check-"));
    try {
      await writeFile(path.join(dir, "a.mdx"), page("The RTO is an hour."));
      await writeFile(path.join(dir, "glossary.mdx"), page("The RTO, undefined."));
      const reports = await checkGlossary({ root: dir, docsDir: dir });
      expect(reports.join("\n")).toMatch(
        /a\.mdx\n {2}line 7: "RTO \(recovery time objective\)" is used without a link to \/glossary\/#rto/,
      );
      expect(reports.join("\n")).toMatch(
        /glossary\.mdx\n {2}the term "Runbook" has no <GlossaryTerm id="runbook" \/>/,
      );
      await checkGlossary({ root: dir, docsDir: dir, fix: true });
      expect(await readFile(path.join(dir, "a.mdx"), "utf8")).toContain(
        "The [RTO](/glossary/#rto) is an hour.",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the glossary", () => {
  it("has unique ids and a page entry for each term", async () => {
    expect(new Set(GLOSSARY.map((t) => t.id)).size).toBe(GLOSSARY.length);
    const source = await readFile(path.join(import.meta.dirname, "../content/docs/glossary.mdx"), "utf8");
    expect(glossaryPageProblems(source)).toEqual([]);
  });

  it("defines the terms the issue names", () => {
    const terms = GLOSSARY.map((t) => t.term).join(" | ");
    for (const word of [
      "RTO",
      "RPO",
      "Expand/contract",
      "Degraded",
      "IC",
      "Drain",
      "Burn rate",
      "Error budget",
      "SLO",
      "SLI",
      "Runbook",
      "Plan",
      "Lock",
      "P0–P3",
    ])
      expect(terms).toContain(word);
  });
});
