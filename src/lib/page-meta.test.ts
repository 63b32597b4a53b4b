import { describe, expect, it } from "vitest";
import { REVIEW_INTERVALS } from "../../policy/handbook.ts";
import { editBaseUrl, reportProblemUrl, repositoryUrl, reviewInterval, reviewStatus } from "./page-meta.ts";

describe("review status", () => {
  const reviewed = new Date("2026-11-25T00:00:00Z");
  const day = (n: number) => new Date(reviewed.getTime() + n * 86_400_000);

  it("takes the interval from the page's guide folder, else the default", () => {
    expect(reviewInterval("operational-runbook/daily-tasks").days).toBe(
      REVIEW_INTERVALS["operational-runbook"].days,
    );
    expect(reviewInterval("scaling-guide").days).toBe(REVIEW_INTERVALS["scaling-guide"].days);
    expect(reviewInterval("glossary")).toMatchObject({ id: "default", days: REVIEW_INTERVALS.default.days });
  });

  it("is not due the day before the interval ends, and due from its last day on", () => {
    const days = REVIEW_INTERVALS["operational-runbook"].days;
    expect(reviewStatus("operational-runbook/x", reviewed, day(days - 1))).toMatchObject({
      due: false,
      overdueDays: 0,
    });
    expect(reviewStatus("operational-runbook/x", reviewed, day(days))).toMatchObject({
      due: true,
      overdueDays: 0,
    });
    const late = reviewStatus("operational-runbook/x", reviewed, day(days + 10));
    expect(late).toMatchObject({ due: true, overdueDays: 10 });
    expect(late.dueOn.toISOString().slice(0, 10)).toBe(day(days).toISOString().slice(0, 10));
  });
});

describe("edit and report links", () => {
  it("use the build's repository: HANDBOOK_REPOSITORY, else GitHub Actions', else the policy's", () => {
    expect(repositoryUrl({ HANDBOOK_REPOSITORY: "https://git.example/team/handbook/" })).toBe(
      "https://git.example/team/handbook",
    );
    expect(repositoryUrl({ GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/ops" })).toBe(
      "https://github.com/acme/ops",
    );
    expect(repositoryUrl({})).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
    expect(editBaseUrl("https://github.com/acme/ops")).toBe("https://github.com/acme/ops/edit/main/");
  });

  it("prefill a new issue with the page's title, address and source file", () => {
    const url = new URL(
      reportProblemUrl(
        {
          title: "Backup & restore",
          path: "/operational-runbook/backup-and-restore/",
          file: "src/content/docs/operational-runbook/backup-and-restore.mdx",
        },
        "https://github.com/acme/ops",
      ),
    );
    expect(url.origin + url.pathname).toBe("https://github.com/acme/ops/issues/new");
    expect(url.searchParams.get("title")).toBe('Handbook: problem on "Backup & restore"');
    expect(url.searchParams.get("body")).toContain("Page: /operational-runbook/backup-and-restore/");
    expect(url.searchParams.get("body")).toContain(
      "Source: src/content/docs/operational-runbook/backup-and-restore.mdx",
    );
  });
});

describe("the overview's claim about review intervals", () => {
  it("index.mdx says monthly for the Operational Runbook and quarterly for the rest, as policy/handbook.ts has it", async () => {
    const { readFile } = await import("node:fs/promises");
    const text = (await readFile(new URL("../content/docs/index.mdx", import.meta.url), "utf8")).replace(
      /\s+/g,
      " ",
    );
    expect(text).toContain("monthly for the Operational Runbook, quarterly for the rest");
    expect(REVIEW_INTERVALS["operational-runbook"].cadence).toBe("monthly");
    const others = Object.entries(REVIEW_INTERVALS).filter(([id]) => id !== "operational-runbook");
    expect(others.every(([, r]) => r.cadence === "quarterly")).toBe(true);
  });
});
