// The service level objectives as an SLO document in the SRE Workbook's form: each SLO's SLI as
// exact PromQL over the app's metrics, the window, the error budget, the multi-window,
// multi-burn-rate alerts that guard it, and the error-budget policy (what happens when a budget is
// spent). Three readers: scripts/alert-rules.ts writes the burn-rate alerts into
// deploy/prometheus/alerts.yml, runbooks/operational/slo-report.ts asks a Prometheus for each SLI
// and budget, and the SLO page (operational-runbook/slo) renders all of it.
// The targets themselves are SLO in index.ts, which older readers use; nothing here restates them.
// Pure data and pure functions, like the rest of policy/.
import { SERVER_ERROR_CODES, SLOW_RESPONSES_EXCLUDED_PROCEDURES } from "./alert-rules.ts";
import { listOf, SLO } from "./index.ts";

/** The rolling window every SLO is judged over, in days (the SRE Workbook's four weeks). */
export const SLO_WINDOW_DAYS = 28;
/** The window as a PromQL duration. */
export const SLO_WINDOW = `${SLO_WINDOW_DAYS}d`;

export interface ServiceLevelObjective {
  id: string;
  title: string;
  /** The name the burn-rate alerts start with (`<alertName>FastBurn`). */
  alertName: string;
  /** The share of good events the SLO promises over the window. */
  objective: number;
  /** What a good event is, in words. */
  sli: string;
  /** Where the SLI is measured, in words. */
  measuredAt: string;
  /** What the SLI leaves out on purpose, and why. */
  excludes: string;
}

/** The latency bound the latency SLO counts against, in seconds: a bucket bound of the app's histogram. */
export const LATENCY_BOUND_SECONDS = SLO.latencyP95Ms / 1000;
/** The share of calls that must finish within the bound: the 95th percentile of SLO.latencyP95Ms. */
const LATENCY_OBJECTIVE = 0.95;

export const SLOS = {
  availability: {
    title: "Availability",
    alertName: "Availability",
    objective: SLO.availability,
    sli: "the share of minutes in which at least one app instance answers /readyz with 200",
    measuredAt: "the blackbox exporter's probe of each instance's /readyz (job practice-app-readyz)",
    excludes:
      "nothing: maintenance mode counts, because learners cannot practise during it (plan it inside the budget)",
  },
  "successful-calls": {
    title: "Successful API calls",
    alertName: "CallErrors",
    objective: 1 - SLO.errorRate,
    sli: "the share of tRPC calls that do not end in a server error",
    measuredAt: "the app's counters, summed over every instance",
    excludes:
      "deliberate refusals (maintenance mode, the password-hashing queue being full) and client errors: they are not failures of the service",
  },
  latency: {
    title: "Fast API calls",
    alertName: "Latency",
    objective: LATENCY_OBJECTIVE,
    sli: `the share of tRPC calls that finish within ${SLO.latencyP95Ms} ms`,
    measuredAt: "the app's request-duration histogram, summed over every instance",
    excludes: `${SLOW_RESPONSES_EXCLUDED_PROCEDURES.join(" and ")}, which hash a password on purpose (over half a second of a core)`,
  },
} as const satisfies Record<string, Omit<ServiceLevelObjective, "id">>;
export type SloId = keyof typeof SLOS;
export const SLO_LIST = listOf<ServiceLevelObjective>(SLOS);

/** The error budget: the share of events that may be bad over the window. */
export function errorBudget(id: SloId): number {
  // Rounded so that 1 - 0.995 reads as 0.005, not 0.0050000000000000044.
  return Number((1 - SLOS[id].objective).toPrecision(12));
}

const regex = (values: readonly string[]) => values.join("|");
const SERVER_ERRORS = `code=~"${regex(SERVER_ERROR_CODES)}"`;
const JUDGED_PROCEDURES = `procedure!~"${regex(SLOW_RESPONSES_EXCLUDED_PROCEDURES)}"`;

/** The SLI over a window (a PromQL duration): the share of good events, as PromQL. */
export function sliQuery(id: SloId, window: string): string {
  switch (id) {
    case "availability":
      // A subquery: the share of one-minute steps in which at least one instance was ready.
      return `avg_over_time((max(probe_success{job="practice-app-readyz"}))[${window}:1m])`;
    case "successful-calls":
      return `1 - (${errorRatioQuery(id, window)})`;
    case "latency":
      return `sum(rate(trpc_request_duration_seconds_bucket{le="${LATENCY_BOUND_SECONDS}",${JUDGED_PROCEDURES}}[${window}]))
  / sum(rate(trpc_request_duration_seconds_count{${JUDGED_PROCEDURES}}[${window}]))`;
  }
}

/**
 * The SLI's complement, the share of bad events over a window (a PromQL duration), as PromQL. Built
 * on rate() over the window, so the counters' resets at each restart of an instance are counted
 * across; the ratio of two rates over the same window is the ratio of the two increases.
 */
export function errorRatioQuery(id: SloId, window: string): string {
  if (id === "successful-calls")
    return `sum(rate(trpc_errors_total{${SERVER_ERRORS}}[${window}]))
  / sum(rate(trpc_request_duration_seconds_count[${window}]))`;
  return `1 - ${sliQuery(id, window)}`;
}

/** The share of the budget still unspent over a window, computed by Prometheus (negative: overspent). */
export function remainingBudgetQuery(id: SloId, window: string): string {
  return `1 - (${errorRatioQuery(id, window)}) / ${errorBudget(id)}`;
}

/** Good and total events over a window, for SLOs that count events (null: a probe-based SLO). */
export function eventQueries(id: SloId, window: string): { bad: string; total: string } | null {
  switch (id) {
    case "availability":
      return null;
    case "successful-calls":
      return {
        bad: `sum(increase(trpc_errors_total{${SERVER_ERRORS}}[${window}]))`,
        total: `sum(increase(trpc_request_duration_seconds_count[${window}]))`,
      };
    case "latency":
      return {
        bad: `sum(increase(trpc_request_duration_seconds_count{${JUDGED_PROCEDURES}}[${window}]))
  - sum(increase(trpc_request_duration_seconds_bucket{le="${LATENCY_BOUND_SECONDS}",${JUDGED_PROCEDURES}}[${window}]))`,
        total: `sum(increase(trpc_request_duration_seconds_count{${JUDGED_PROCEDURES}}[${window}]))`,
      };
  }
}

export interface BurnRateWindow {
  id: string;
  /** The share of the whole window's budget this alert catches being spent within the long window. */
  budgetShare: number;
  /** The long window, in minutes: how much budget is being spent. */
  longMinutes: number;
  /** The short window, in minutes (a twelfth of the long one): whether it is still being spent now. */
  shortMinutes: number;
  level: "critical" | "warning";
  says: string;
}

/**
 * Multi-window, multi-burn-rate alerts (SRE Workbook, "Alerting on SLOs", the recommended
 * parameters): an alert fires when the budget burns at a rate that spends `budgetShare` of it
 * within the long window, and is still burning at that rate over the short window (so it stops soon
 * after the burning stops). Both page.
 */
export const BURN_RATE_WINDOWS = {
  fast: {
    budgetShare: 0.02,
    longMinutes: 60,
    shortMinutes: 5,
    level: "critical",
    says: "an outage, or close to one",
  },
  slow: {
    budgetShare: 0.05,
    longMinutes: 6 * 60,
    shortMinutes: 30,
    level: "critical",
    says: "a serious degradation",
  },
} as const satisfies Record<string, Omit<BurnRateWindow, "id">>;
export type BurnRateWindowId = keyof typeof BURN_RATE_WINDOWS;
export const BURN_RATE_WINDOW_LIST = listOf<BurnRateWindow>(BURN_RATE_WINDOWS);

/**
 * The burn rate that spends `budgetShare` of the window's budget within the long window: 1 spends
 * exactly the budget over the window. Over 28 days, 2% in an hour is 13.44 (the Workbook's 14.4
 * is for 30 days).
 */
export function burnRate(id: BurnRateWindowId): number {
  const w = BURN_RATE_WINDOWS[id];
  return Number(((w.budgetShare * SLO_WINDOW_DAYS * 24 * 60) / w.longMinutes).toPrecision(12));
}

/** A PromQL duration for a number of minutes: 60 → 1h, 30 → 30m. */
export function promDuration(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** The error ratio above which a burn-rate alert fires: the burn rate times the budget. */
export function burnThreshold(slo: SloId, window: BurnRateWindowId): number {
  return Number((burnRate(window) * errorBudget(slo)).toPrecision(12));
}

export interface BurnRateAlert {
  slo: SloId;
  window: BurnRateWindowId;
  name: string;
  level: "critical" | "warning";
  expr: string;
}

/** The alert guarding one SLO over one pair of windows: both windows above the burn rate. */
export function burnRateAlert(slo: SloId, window: BurnRateWindowId): BurnRateAlert {
  const w = BURN_RATE_WINDOWS[window];
  const threshold = burnThreshold(slo, window);
  return {
    slo,
    window,
    name: `${SLOS[slo].alertName}${window === "fast" ? "Fast" : "Slow"}Burn`,
    level: w.level,
    expr: `(
  ${errorRatioQuery(slo, promDuration(w.longMinutes)).replaceAll("\n", "\n  ")}
) > ${threshold}
and
(
  ${errorRatioQuery(slo, promDuration(w.shortMinutes)).replaceAll("\n", "\n  ")}
) > ${threshold}`,
  };
}

/** Every burn-rate alert: each SLO over each pair of windows. */
export const BURN_RATE_ALERT_LIST: readonly BurnRateAlert[] = (Object.keys(SLOS) as SloId[]).flatMap((slo) =>
  (Object.keys(BURN_RATE_WINDOWS) as BurnRateWindowId[]).map((w) => burnRateAlert(slo, w)),
);

/**
 * The error-budget policy (after the SRE Workbook's example policy): what happens when an SLO's
 * budget over the window is spent. Data, so the page renders it and a gate on change runbooks
 * (issue 20) can read the same words.
 */
export const ERROR_BUDGET_POLICY = {
  goals: [
    "Protect learners from repeated SLO misses.",
    "Give the team a shared, measured reason to balance reliability work against feature work.",
  ],
  nonGoals: [
    "Punishing anyone for missing an SLO: a spent budget changes priorities, not people's standing.",
    "Stopping work on the app: only risky change pauses; fixes and reliability work go faster.",
  ],
  /** While an SLO's remaining budget over the window is at or below zero. */
  whenSpent: [
    "Non-urgent change runbooks (deploy, release, migrate-database, scale-instances, maintenance changes) stop for production; read-only runbooks and incident runbooks go on.",
    "Only P0/P1 fixes and security patches ship, each reviewed by a second engineer.",
    "The team's next priority is the cause of the spending: a post-mortem for any incident that used more than a fifth of a budget, and its action items ahead of feature work.",
    "The freeze ends when slo-report shows the budget positive again over the window.",
  ],
  /** Who decides, and who breaks a tie. */
  decides:
    "The Ops Lead declares and ends the freeze from slo-report; a disagreement goes to the Engineering manager, and then the CTO.",
  exceptions: [
    "Security patches within their patch window, and fixes for the cause of the spending itself.",
    "A budget spent by something outside the team's control (the hosting provider, a dependency's outage) may be excepted by the Ops Lead, who records why in the post-mortem; the SLO stays as it is.",
    "A change the business cannot wait for goes ahead with the Engineering manager's written approval.",
  ],
  /** When the SLOs and this policy are looked at again. */
  revisited:
    "Every quarter at the review of the SLOs against real traffic, and whenever a budget has been spent twice in a quarter or never touched in a quarter (then the SLO is too loose or too tight).",
} as const;
