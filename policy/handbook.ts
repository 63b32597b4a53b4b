// How the handbook keeps itself current: how often each guide's pages are reviewed, and where its
// source lives (for the "edit this page" and "report a problem" links). Pure data.

export interface ReviewInterval {
  id: string;
  /** Days after a page's lastReviewed at which it shows "due for review". */
  days: number;
  cadence: string;
}

/**
 * Keyed by the guide's folder in src/content/docs; `default` covers the rest (the overview, the
 * glossary). The operational procedures are reviewed monthly, every other guide quarterly.
 */
export const REVIEW_INTERVALS = {
  default: { days: 92, cadence: "quarterly" },
  "operational-runbook": { days: 31, cadence: "monthly" },
  "deployment-playbook": { days: 92, cadence: "quarterly" },
  "infrastructure-architecture": { days: 92, cadence: "quarterly" },
  "cicd-workflow": { days: 92, cadence: "quarterly" },
  "maintenance-guide": { days: 92, cadence: "quarterly" },
  "incident-response": { days: 92, cadence: "quarterly" },
  "scaling-guide": { days: 92, cadence: "quarterly" },
} as const satisfies Record<string, Omit<ReviewInterval, "id">>;

/** Where the handbook's source is kept. A build in GitHub Actions uses its own repository instead. */
export const HANDBOOK_SOURCE = {
  /** The repository's web address; replace `your-org` with yours (the build prefers GITHUB_REPOSITORY). */
  repository: "https://github.com/your-org/subjunctive-ops-handbook",
  branch: "main",
} as const;
