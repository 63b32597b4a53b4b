import { HANDBOOK_SOURCE, REVIEW_INTERVALS, type ReviewInterval } from "../../policy/handbook.ts";

// What every page shows about itself: who owns and reviews it, whether its review is due, and where
// to edit it or report a problem with it. Pure apart from reading the build's environment.

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The repository the pages are edited in: HANDBOOK_REPOSITORY if set, else the repository a GitHub
 * Actions build runs in, else the policy's. No trailing slash.
 */
export function repositoryUrl(env: Record<string, string | undefined> = process.env): string {
  const url =
    env.HANDBOOK_REPOSITORY ||
    (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
      : HANDBOOK_SOURCE.repository);
  return url.replace(/\/+$/, "");
}

/**
 * Starlight's editLink.baseUrl: the repository's root on the default branch, in GitHub's editor.
 * Starlight appends the page's path from the project root (src/content/docs/…).
 */
export function editBaseUrl(repo = repositoryUrl()): string {
  return `${repo}/edit/${HANDBOOK_SOURCE.branch}/`;
}

/** A new-issue link with the page's title and path filled in, so the report names its page. */
export function reportProblemUrl(
  page: { title: string; path: string; file: string },
  repo = repositoryUrl(),
): string {
  const url = new URL(`${repo}/issues/new`);
  url.searchParams.set("title", `Handbook: problem on "${page.title}"`);
  url.searchParams.set(
    "body",
    [
      `Page: ${page.path}`,
      `Source: ${page.file}`,
      "",
      "What I read:",
      "",
      "What I expected or saw instead:",
      "",
    ].join("\n"),
  );
  return url.toString();
}

/** The review interval of a page, by its guide folder (`operational-runbook/daily-tasks` → monthly). */
export function reviewInterval(pageId: string): ReviewInterval {
  const guide = pageId.split("/")[0] ?? "";
  const key = (guide in REVIEW_INTERVALS ? guide : "default") as keyof typeof REVIEW_INTERVALS;
  return { id: key, ...REVIEW_INTERVALS[key] };
}

export interface ReviewStatus {
  interval: ReviewInterval;
  /** lastReviewed plus the interval. */
  dueOn: Date;
  due: boolean;
  /** Whole days past dueOn (0 when not due). */
  overdueDays: number;
}

export function reviewStatus(pageId: string, lastReviewed: Date, now: Date): ReviewStatus {
  const interval = reviewInterval(pageId);
  const dueOn = new Date(lastReviewed.getTime() + interval.days * DAY_MS);
  const due = now.getTime() >= dueOn.getTime();
  return {
    interval,
    dueOn,
    due,
    overdueDays: due ? Math.floor((now.getTime() - dueOn.getTime()) / DAY_MS) : 0,
  };
}

/** 2026-11-25: the form the frontmatter uses. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
