// The numbers the handbook promises, defined once. Pages render them, runbooks check against
// them, load tests use them as thresholds. Change a number here and every consumer follows.
// Pure data and pure functions: no I/O, no imports from the app or the runbooks.
import { pct } from "./format.ts";

/**
 * A table keyed by id as a list in the order written, each entry carrying its id. Tables are keyed
 * so that a misspelt id (`ALERTS["slow-response"]`) fails to compile; lists are for rendering.
 */
export function listOf<T extends { id: string }>(
  table: Readonly<Record<string, Omit<T, "id">>>,
): readonly T[] {
  // The cast restores the id the entries were keyed by; Omit<T, "id"> plus that id is T.
  return Object.entries(table).map(([id, entry]) => ({ id, ...entry }) as T);
}

/** Service level objectives for the practice app's API. */
export const SLO = {
  /** 95th percentile latency of API calls, in milliseconds. */
  latencyP95Ms: 200,
  /** Share of API calls that may fail (5xx or transport errors). */
  errorRate: 0.01,
  /** Monthly availability target of /readyz. */
  availability: 0.995,
  /** Concurrent learners the current capacity must serve within the SLO. */
  concurrentUsers: 200,
} as const;

export type AlertLevel = "critical" | "warning";

export interface AlertRule {
  id: string;
  level: AlertLevel;
  title: string;
  /** What is measured, in words a reader understands. */
  condition: string;
  threshold: number;
  unit: "ratio" | "ms" | "days" | "ratio-free" | "bool" | "hours";
  notify: string;
}

/** The critical (page now) and warning (business hours) alerts. */
export const ALERTS = {
  "app-down": {
    level: "critical",
    title: "Application down",
    condition: "GET /readyz fails or answers 503",
    threshold: 1,
    unit: "bool",
    notify: "pager, SMS, email",
  },
  "database-down": {
    level: "critical",
    title: "Database down",
    condition: "the readiness check of PostgreSQL fails",
    threshold: 1,
    unit: "bool",
    notify: "pager, SMS, email",
  },
  "error-rate-critical": {
    level: "critical",
    title: "High error rate",
    condition: "share of tRPC calls ending in a server error",
    threshold: 0.05,
    unit: "ratio",
    notify: "pager, SMS, email",
  },
  "tls-expiry": {
    level: "critical",
    title: "TLS certificate expiring",
    condition: "days until the certificate of the public URL expires",
    threshold: 7,
    unit: "days",
    notify: "pager, SMS, email",
  },
  "slow-responses": {
    level: "warning",
    title: "Slow responses",
    condition: "p95 latency of tRPC calls",
    threshold: 200,
    unit: "ms",
    notify: "chat, email",
  },
  "high-cpu": {
    level: "warning",
    title: "High CPU",
    condition: "CPU use of an app instance",
    threshold: 0.7,
    unit: "ratio",
    notify: "chat, email",
  },
  "low-disk": {
    level: "warning",
    title: "Low disk space",
    condition: "free share of the data disk",
    threshold: 0.2,
    unit: "ratio-free",
    notify: "chat, email",
  },
  "backup-failed": {
    level: "warning",
    title: "Backup failed or stale",
    condition: "hours since the newest verified backup",
    threshold: 26,
    unit: "hours",
    notify: "chat, email",
  },
} as const satisfies Record<string, Omit<AlertRule, "id">>;
export type AlertId = keyof typeof ALERTS;
/** The alerts in the order written, each with its id. */
export const ALERT_LIST = listOf<AlertRule>(ALERTS);

export interface ScaleTrigger {
  id: string;
  metric: string;
  threshold: number;
  unit: "ratio" | "ms";
  /** How long the condition must hold, in minutes (0: at once). */
  sustainedMinutes: number;
  action: string;
}

export const SCALE_UP_TRIGGERS = {
  cpu: {
    metric: "CPU",
    threshold: 0.7,
    unit: "ratio",
    sustainedMinutes: 10,
    action: "Add an application instance",
  },
  memory: {
    metric: "Memory",
    threshold: 0.8,
    unit: "ratio",
    sustainedMinutes: 0,
    action: "Add an application instance",
  },
  latency: {
    metric: "Response time (p95)",
    threshold: 200,
    unit: "ms",
    sustainedMinutes: 0,
    action: "Investigate, optimise, or scale",
  },
  "db-connections": {
    metric: "Database connections",
    threshold: 0.8,
    unit: "ratio",
    sustainedMinutes: 0,
    action: "Add a read replica or a connection pooler",
  },
  "error-rate": {
    metric: "Error rate",
    threshold: 0.01,
    unit: "ratio",
    sustainedMinutes: 0,
    action: "Investigate immediately",
  },
} as const satisfies Record<string, Omit<ScaleTrigger, "id">>;
export type ScaleTriggerId = keyof typeof SCALE_UP_TRIGGERS;
export const SCALE_UP_TRIGGER_LIST = listOf<ScaleTrigger>(SCALE_UP_TRIGGERS);

export const CURRENT_CAPACITY = {
  appInstances: 2,
  concurrentUsers: 200,
  postgresVersion: 15,
  postgresMaxConnections: 100,
  redisVersion: 7,
  redisMaxMemoryMb: 256,
} as const;

export interface GrowthTarget {
  id: string;
  horizon: string;
  users: number;
  appInstances: readonly [number, number];
  databaseGb: number;
}

export const GROWTH_TARGETS = {
  now: { horizon: "Now", users: 1_000, appInstances: [2, 2], databaseGb: 1 },
  "6-months": { horizon: "6 months", users: 10_000, appInstances: [4, 6], databaseGb: 10 },
  "1-year": { horizon: "1 year", users: 50_000, appInstances: [10, 15], databaseGb: 50 },
  "2-years": { horizon: "2 years", users: 200_000, appInstances: [30, 50], databaseGb: 200 },
} as const satisfies Record<string, Omit<GrowthTarget, "id">>;
export type GrowthTargetId = keyof typeof GROWTH_TARGETS;
export const GROWTH_TARGET_LIST = listOf<GrowthTarget>(GROWTH_TARGETS);

export type Severity = "P0" | "P1" | "P2" | "P3";

export interface SeverityLevel {
  id: Severity;
  name: string;
  /** Minutes until someone acknowledges and starts working on it. */
  responseMinutes: number;
  criteria: string;
  examples: readonly string[];
  postMortem: string;
}

export const SEVERITIES = {
  P0: {
    name: "Critical outage",
    responseMinutes: 15,
    criteria:
      "Learners cannot use the app at all, data is being lost or exposed, or a security breach is under way.",
    examples: [
      "/readyz answers 503 on every instance",
      "PostgreSQL down",
      "error rate above 5%",
      "leaked session secret",
    ],
    postMortem: "within 48 hours",
  },
  P1: {
    name: "Major degradation",
    responseMinutes: 60,
    criteria:
      "A core journey (log in, practise, submit) fails or is far outside its SLO for many learners, with no workaround.",
    examples: ["p95 above 1 s", "log-in failing for some learners", "error rate between 1% and 5%"],
    postMortem: "within 5 working days",
  },
  P2: {
    name: "Minor degradation",
    responseMinutes: 240,
    criteria: "Part of the app is degraded but learners can keep practising, or a redundancy is lost.",
    examples: [
      "Redis down (app degraded, serving from PostgreSQL)",
      "leaderboard stale",
      "one of two instances down",
    ],
    postMortem: "optional; a ticket with the cause",
  },
  P3: {
    name: "Low impact",
    responseMinutes: 24 * 60,
    criteria: "Cosmetic problems or issues with a workaround that affect few learners.",
    examples: ["a typo in an exercise", "a slow admin report"],
    postMortem: "none",
  },
} as const satisfies Record<Severity, Omit<SeverityLevel, "id">>;
export const SEVERITY_LIST = listOf<SeverityLevel>(SEVERITIES);

export interface IncidentFacts {
  appDown: boolean;
  databaseDown: boolean;
  dataLossOrExposure: boolean;
  securityBreach: boolean;
  errorRate: number;
  latencyP95Ms: number;
  redisDown: boolean;
  /** Share of learners affected, 0..1. */
  affectedShare: number;
  workaround: boolean;
}

/** Classifies an incident by the criteria above; the reasons say which rule decided. */
export function classifyIncident(facts: IncidentFacts): { severity: Severity; reasons: string[] } {
  const reasons: string[] = [];
  if (facts.appDown) reasons.push("the app is down");
  if (facts.databaseDown) reasons.push("the database is down");
  if (facts.dataLossOrExposure) reasons.push("data is being lost or exposed");
  if (facts.securityBreach) reasons.push("a security breach is under way");
  if (facts.errorRate > alertThreshold("error-rate-critical"))
    reasons.push(`error rate ${pct(facts.errorRate)} > ${pct(alertThreshold("error-rate-critical"))}`);
  if (reasons.length > 0) return { severity: "P0", reasons };
  if (facts.errorRate > SLO.errorRate)
    reasons.push(`error rate ${pct(facts.errorRate)} > SLO ${pct(SLO.errorRate)}`);
  if (facts.latencyP95Ms > 5 * SLO.latencyP95Ms)
    reasons.push(`p95 ${facts.latencyP95Ms} ms > ${5 * SLO.latencyP95Ms} ms`);
  if (facts.affectedShare >= 0.25 && !facts.workaround)
    reasons.push(`${pct(facts.affectedShare)} of learners affected without a workaround`);
  if (reasons.length > 0) return { severity: "P1", reasons };
  if (facts.redisDown) reasons.push("Redis is down (degraded mode)");
  if (facts.latencyP95Ms > SLO.latencyP95Ms)
    reasons.push(`p95 ${facts.latencyP95Ms} ms > SLO ${SLO.latencyP95Ms} ms`);
  if (facts.affectedShare > 0 && !facts.workaround)
    reasons.push("some learners affected without a workaround");
  if (reasons.length > 0) return { severity: "P2", reasons };
  return { severity: "P3", reasons: ["no rule for P0–P2 matched"] };
}

export function alertThreshold(id: AlertId): number {
  return ALERTS[id].threshold;
}

export const BACKUP_POLICY = {
  /** Daily backups kept. */
  keepDaily: 7,
  /** Weekly backups (the newest of each ISO week) kept. */
  keepWeekly: 4,
  /** Monthly backups (the newest of each month) kept. */
  keepMonthly: 6,
  /** A backup older than this means the backup job is failing. */
  maxAgeHours: 26,
  /** Recovery objectives the disaster-recovery drill measures against. */
  rtoMinutes: 60,
  rpoMinutes: 24 * 60,
} as const;

export interface MaintenanceTask {
  id: string;
  cadence: "daily" | "weekly" | "monthly" | "quarterly";
  /** For weekly tasks: the day; for monthly: the week of the month. */
  when: string;
  task: string;
  runbook?: string;
}

export const MAINTENANCE_CALENDAR = {
  "morning-check": {
    cadence: "daily",
    when: "every morning",
    task: "Morning health check",
    runbook: "morning-health-check",
  },
  backup: {
    cadence: "daily",
    when: "every night",
    task: "Back up the database",
    runbook: "backup-now",
  },
  "backup-offsite": {
    cadence: "daily",
    when: "every night",
    task: "Copy the verified backups off-site",
    runbook: "copy-backup-offsite",
  },
  "error-review": {
    cadence: "weekly",
    when: "Monday",
    task: "Review error logs and dependency updates",
    runbook: "weekly-review",
  },
  "db-maintenance": {
    cadence: "weekly",
    when: "Wednesday",
    task: "Database maintenance: vacuum and analyze",
    runbook: "vacuum-analyze",
  },
  "session-purge": {
    cadence: "weekly",
    when: "Wednesday",
    task: "Purge expired sessions (before the vacuum)",
    runbook: "purge-sessions",
  },
  "security-scan": {
    cadence: "weekly",
    when: "Wednesday",
    task: "Dependency security scan",
    runbook: "dependency-report",
  },
  "perf-review": {
    cadence: "weekly",
    when: "Wednesday",
    task: "Performance review",
    runbook: "performance-check",
  },
  "backup-verify": {
    cadence: "weekly",
    when: "Friday",
    task: "Verify the newest backup",
    runbook: "verify-backup",
  },
  optimize: {
    cadence: "monthly",
    when: "first week",
    task: "Database optimisation: bloat report and reindex",
    runbook: "bloat-report",
  },
  cost: { cadence: "monthly", when: "first week", task: "Cost review", runbook: "cost-report" },
  secrets: {
    cadence: "monthly",
    when: "first week",
    task: "Rotate the session secret",
    runbook: "rotate-session-secret",
  },
  "dr-drill": {
    cadence: "monthly",
    when: "third week",
    task: "Disaster-recovery drill",
    runbook: "dr-drill",
  },
  "load-test": {
    cadence: "monthly",
    when: "third week",
    task: "Load test against the SLOs",
    runbook: "load-test",
  },
  certs: { cadence: "monthly", when: "third week", task: "Certificate checks", runbook: "tls-expiry" },
  pentest: { cadence: "quarterly", when: "once a quarter", task: "Penetration test and access review" },
} as const satisfies Record<string, Omit<MaintenanceTask, "id">>;
export type MaintenanceTaskId = keyof typeof MAINTENANCE_CALENDAR;
export const MAINTENANCE_TASK_LIST = listOf<MaintenanceTask>(MAINTENANCE_CALENDAR);

export const ESCALATION = [
  { level: 1, who: "On-call engineer", afterMinutes: 0 },
  { level: 2, who: "Team lead", afterMinutes: 30 },
  { level: 3, who: "Engineering manager", afterMinutes: 60 },
  { level: 4, who: "CTO", afterMinutes: 120 },
] as const;

export interface PatchWindow {
  severity: "critical" | "high" | "moderate" | "low";
  /** Hours within which a fix is in production; null: with the next routine update. */
  withinHours: [number, number] | null;
  process: string;
}

/** How fast a vulnerable dependency is patched in production, by advisory severity. */
export const SECURITY_PATCH_WINDOWS: readonly PatchWindow[] = [
  {
    severity: "critical",
    withinHours: [0, 24],
    process: "verify the vulnerability, patch staging, test, deploy to production, monitor",
  },
  {
    severity: "high",
    withinHours: [24, 7 * 24],
    process: "schedule a patch window, test, deploy via the normal process",
  },
  { severity: "moderate", withinHours: null, process: "the next routine dependency update (weekly review)" },
  { severity: "low", withinHours: null, process: "the next routine dependency update (weekly review)" },
];

export interface CostEstimate {
  item: string;
  usdPerMonth: [number, number];
  note: string;
}

/**
 * Monthly hosting estimates in US dollars, for production on hosted platforms at the current
 * capacity. Estimates carried over from the outline the handbook was commissioned from, mapped to
 * this stack: not invoices. Replace them with the real bills when known.
 */
export const COST_ESTIMATES: readonly CostEstimate[] = [
  {
    item: "App instances and nginx (Railway, Render or a VPS)",
    usdPerMonth: [20, 50],
    note: "the biggest lever: right-size with capacity-report before adding instances",
  },
  {
    item: "PostgreSQL 15, disk and backup storage",
    usdPerMonth: [10, 25],
    note: "grows with the database size",
  },
  { item: "Redis 7", usdPerMonth: [5, 10], note: "the app needs little memory; no persistence needed" },
  {
    item: "Handbook on a static host",
    usdPerMonth: [0, 20],
    note: "the learner page is served by the app and costs nothing of its own",
  },
  {
    item: "CDN and TLS in front of nginx (optional)",
    usdPerMonth: [0, 20],
    note: "only if static traffic grows",
  },
  {
    item: "Monitoring: metrics and log storage",
    usdPerMonth: [0, 25],
    note: "self-hosted costs disk; hosted services charge per series and GB",
  },
];

/**
 * Procedures the handbook leaves manual, each with the reason a runbook cannot (yet) do it. A guide
 * shows the reason where the procedure is described (<ManualProcedure id="…" />), and
 * scripts/procedure-coverage.ts fails on a procedure that neither embeds a runbook nor is listed here.
 */
export interface ManualProcedure {
  id: string;
  title: string;
  reason: string;
}

export const MANUAL_PROCEDURES = {
  "provision-environment": {
    title: "Provisioning an environment's hosts and services",
    reason:
      "Creating hosts, the managed PostgreSQL and Redis, DNS and certificates happens at the provider, with credentials the handbook never holds; the runbooks take over once they exist (deploy, migrate-database, backup-now).",
  },
  "postgres-service": {
    title: "Starting or repairing the PostgreSQL server",
    reason:
      "The server is run by its host's init system or the provider's console; runbooks reach PostgreSQL only as a client (they diagnose, and restore from a backup).",
  },
  "tls-renewal": {
    title: "Renewing the TLS certificate",
    reason:
      "certbot renews on the nginx host with its own ACME account and reloads nginx there; tls-expiry checks the result from anywhere.",
  },
  "on-call-access": {
    title: "On-call access and tools",
    reason:
      "Paging, VPN, SSH and database credentials are personal and granted by people; the read-only runbooks in the last steps check that they work.",
  },
  "code-change": {
    title: "A change to the code or the handbook",
    reason:
      "Written, reviewed and merged as a pull request; CI runs the gates and publishes. The release runbook handles the git operations of a release.",
  },
  "console-for-a-team": {
    title: "Serving the console to a team behind nginx",
    reason:
      "The public keys come from each person and go in through review, and the nginx site and the team's certificate are installed on the shared host with root; the console checks the result at start (it refuses to listen beyond loopback without TLS), and tests/console/tls.test.ts runs this nginx configuration.",
  },
  "backup-key-custody": {
    title: "Keeping and moving the backup key",
    reason:
      "The age identity lives in the team's secret store; copying it there or to a restore machine needs a person with access to that store.",
  },
} as const satisfies Record<string, Omit<ManualProcedure, "id">>;

export type ManualProcedureId = keyof typeof MANUAL_PROCEDURES;
export const MANUAL_PROCEDURE_LIST = listOf<ManualProcedure>(MANUAL_PROCEDURES);

/** What a runbook run may notify: its end (ok or failed) and the start of a destructive run. */
export type RunNotificationEvent = "run-end-failed" | "run-end-ok" | "destructive-start";

export interface RunNotificationRule {
  /** The events that post to the environment's webhook (SSP_<ENV>_NOTIFY_WEBHOOK), when it is set. */
  events: readonly RunNotificationEvent[];
}

/** Which runbook events notify, per environment (runbooks/engine/notify.ts reads it). */
export const RUN_NOTIFICATIONS = {
  dev: { events: ["run-end-failed"] },
  staging: { events: ["run-end-failed", "destructive-start"] },
  production: { events: ["run-end-failed", "run-end-ok", "destructive-start"] },
} as const satisfies Record<string, RunNotificationRule>;
