import { describe, expect, it } from "vitest";
import { counts, coverage, proceduresOf } from "./procedure-coverage.ts";

// The rule each row checks, then the handbook itself: no procedure left unmarked.

const page = (body: string) => `---\ntitle: T\n---\n\n${body}\n`;

describe("proceduresOf", () => {
  const cases: Array<{ rule: string; text: string; other?: Record<string, string>; want: string[] }> = [
    {
      rule: "a <Steps> block in a section without a runbook is unmarked",
      text: page("## Do it\n\n<Steps>\n\n1. One\n2. Two\n\n</Steps>"),
      want: ["unmarked"],
    },
    {
      rule: "a runbook embedded in the same section covers the block",
      text: page('## Do it\n\n<Runbook id="deploy" />\n\n<Steps>\n\n1. One\n\n</Steps>'),
      want: ["runbook"],
    },
    {
      rule: "a numbered list outside <Steps> is a procedure too",
      text: page("## Do it\n\n1. One\n2. Two"),
      want: ["unmarked"],
    },
    {
      rule: "the items of a list inside <Steps> are not counted twice",
      text: page("## Do it\n\n<Steps>\n\n1. One\n\n   text\n\n2. Two\n\n</Steps>"),
      want: ["unmarked"],
    },
    {
      rule: "a marker above a list makes it a description, with its reason",
      text: page("## Facts\n\n{/* not-a-procedure: findings */}\n\n1. One\n2. Two"),
      want: ["description"],
    },
    {
      rule: "a listed manual procedure is manual",
      text: page('## Host\n\n<ManualProcedure id="postgres-service" />\n\n<Steps>\n\n1. One\n\n</Steps>'),
      want: ["manual"],
    },
    {
      rule: "a runbook in a sibling subsection covers nothing",
      text: page('## A\n\n### One\n\n<Runbook id="deploy" />\n\n### Two\n\n<Steps>\n\n1. x\n\n</Steps>'),
      want: ["unmarked"],
    },
    {
      rule: "a runbook in the introduction of the enclosing section covers its subsections",
      text: page('## A\n\n<Runbook id="deploy" />\n\n### Two\n\n<Steps>\n\n1. x\n\n</Steps>'),
      want: ["runbook"],
    },
    {
      rule: "a link named by a runbook id to a page that embeds it covers the block",
      text: page("## A\n\nRunbooks: [`deploy`](/g/p/#s).\n\n1. x\n2. y"),
      other: { "g/p.mdx": '<Runbook id="deploy" />' },
      want: ["runbook"],
    },
    {
      rule: "a link to a page that does not embed that runbook covers nothing",
      text: page("## A\n\nRunbooks: [`deploy`](/g/p/#s).\n\n1. x\n2. y"),
      other: { "g/p.mdx": '<Runbook id="rollback" />' },
      want: ["unmarked"],
    },
    {
      rule: "commands in a fenced block are not procedures",
      text: page("## A\n\n```sh\n1. not a list\n<Steps>\n```"),
      want: [],
    },
  ];
  for (const c of cases)
    it(c.rule, () => {
      const { procedures } = proceduresOf("x.mdx", c.text, (p) =>
        p
          .split("|")
          .map((t) => c.other?.[t])
          .find((t) => t !== undefined),
      );
      expect(procedures.map((p) => p.coverage)).toEqual(c.want);
    });

  it("reports a ManualProcedure id that policy does not list", () => {
    const { problems } = proceduresOf("x.mdx", page('## A\n\n<ManualProcedure id="nope" />'));
    expect(problems).toEqual([{ page: "x.mdx", line: 7, id: "nope" }]);
  });

  it("counts each Troubleshooting entry with a fix", () => {
    const text = page(
      '## Broken\n\n**Fix.** Restart.\n\n## Fine\n\nNothing to fix.\n\n## Slow\n\n**Fix.**\n\n<Runbook id="performance-check" />',
    );
    const { procedures } = proceduresOf("operational-runbook/troubleshooting.mdx", text);
    expect(procedures.map((p) => [p.heading, p.coverage])).toEqual([
      ["Broken", "unmarked"],
      ["Slow", "runbook"],
    ]);
  });
});

describe("the handbook", () => {
  it("has no procedure that neither embeds a runbook nor is a listed manual procedure", async () => {
    const { procedures, problems } = await coverage();
    const c = counts(procedures);
    console.log(
      `procedures: ${c.total}; embedding a runbook: ${c.runbook}; manual: ${c.manual}; descriptions: ${c.description}; unmarked: ${c.unmarked}`,
    );
    expect(
      procedures.filter((p) => p.coverage === "unmarked").map((p) => `${p.page}:${p.line} ${p.heading}`),
    ).toEqual([]);
    expect(problems).toEqual([]);
    expect(c.total).toBeGreaterThan(50);
  });
});
