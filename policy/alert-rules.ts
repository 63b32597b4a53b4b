// The alerts of ALERTS as Prometheus evaluates them: each alert's expression, how long it must hold,
// and which error codes and procedures it leaves out. One definition with two readers:
// scripts/alert-rules.ts writes deploy/prometheus/alerts.yml (and its promtool tests) from it, and
// runbooks/scaling/alert-check.ts (through runbooks/lib/prometheus.ts) measures the same thing now.
// Pure data and pure functions, like the rest of policy/.
import { ALERTS, type AlertId, alertThreshold, SCALE_UP_TRIGGERS } from "./index.ts";

/**
 * tRPC error codes that are server errors: what HighErrorRate and every runbook's error rate count.
 * The app labels its deliberate refusals with their own code instead (DELIBERATE_REFUSALS).
 */
export const SERVER_ERROR_CODES = [
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
  "TIMEOUT",
  "GATEWAY_TIMEOUT",
  "BAD_GATEWAY",
] as const;

/**
 * Refusals the app makes on purpose, labelled in `trpc_errors_total{code}` with their app error code
 * (practice-app/src/api/trpc.ts) so that no alert counts them as server errors:
 * - `MAINTENANCE`: an operator switched maintenance mode on; every call but the ping is refused.
 * - `BUSY`: the password-hashing queue is full (`PASSWORD_HASH_QUEUE_MAX`); the log-in or sign-up
 *   gets 503 with Retry-After 2 and the client tries again. Load shedding that works as designed,
 *   like a 429: a log-in wave (after revoke-all-sessions, a morning rush) must not page anyone. A
 *   storm that lasts shows as HighCpu (hashing is CPU) and in `trpc_errors_total{code="BUSY"}`.
 */
export const DELIBERATE_REFUSALS = ["MAINTENANCE", "BUSY"] as const;

/** Procedures the latency alert leaves out: they hash a password (scrypt, over half a second of a core) on purpose. */
export const SLOW_RESPONSES_EXCLUDED_PROCEDURES = ["accounts.logIn", "accounts.signUp"] as const;

/** The quantile the latency alert judges. */
export const SLOW_RESPONSES_QUANTILE = 0.95;

/** The mount points whose free space the disk alert watches (the database's and the backups'). */
export const WATCHED_MOUNTPOINTS = ["/var/lib/postgresql", "/srv/ssp-backups"] as const;

export interface PrometheusAlert {
  /** The alert's name in Prometheus and Alertmanager. */
  name: string;
  /** A comment above the rule, for the reader of the rules file. */
  comment?: string;
  /** PromQL, the comparison with the policy's threshold included. */
  expr: string;
  /** How long the expression must hold before the alert fires. */
  for?: string;
  /** Alertmanager's summary annotation (a Prometheus template). */
  summary: string;
  /** Path and anchor of the handbook section the person paged reads first. */
  runbookPath: string;
  /** The first step of the fix in the console. */
  console: { page: string; runbook: string; step?: string };
}

const regex = (values: readonly string[]) => values.join("|");

/** The rules, keyed by the policy's alert id: an alert added to ALERTS fails to compile until it has one. */
export const PROMETHEUS_ALERTS: { readonly [K in AlertId]: PrometheusAlert } = {
  "app-down": {
    name: "ApplicationDown",
    comment: "No instance is ready, or the public URL (nginx, TLS) does not answer.",
    expr: `sum(probe_success{job="practice-app-readyz"}) == 0
  or probe_success{job="practice-app-public"} == 0`,
    for: "1m",
    summary: "Application down: /readyz fails or answers 503 on every instance",
    runbookPath: "/operational-runbook/troubleshooting/#app-not-ready-503",
    console: {
      page: "/operational-runbook/daily-tasks/",
      runbook: "morning-health-check",
      step: "app-health",
    },
  },
  "database-down": {
    name: "DatabaseDown",
    comment: "The PostgreSQL check inside /readyz fails on every instance.",
    expr: `max(probe_success{job="practice-app-readyz-postgres"}) == 0`,
    for: "1m",
    summary: "Database down: the readiness check of PostgreSQL fails",
    runbookPath: "/operational-runbook/troubleshooting/#database-is-down",
    console: { page: "/operational-runbook/daily-tasks/", runbook: "morning-health-check", step: "postgres" },
  },
  "error-rate-critical": {
    name: "HighErrorRate",
    comment: `Server errors as a share of all tRPC calls, over every instance. Deliberate refusals (${DELIBERATE_REFUSALS.join(", ")}) have codes of their own and are not counted.`,
    expr: `sum(rate(trpc_errors_total{code=~"${regex(SERVER_ERROR_CODES)}"}[5m]))
  / sum(rate(trpc_request_duration_seconds_count[5m]))
  > ${alertThreshold("error-rate-critical")}`,
    for: "5m",
    summary: "{{ $value | humanizePercentage }} of tRPC calls end in a server error",
    runbookPath: "/operational-runbook/troubleshooting/#high-error-rate",
    console: { page: "/incident-response/toolkit/", runbook: "triage-snapshot" },
  },
  "tls-expiry": {
    name: "TlsCertificateExpiring",
    expr: `probe_ssl_earliest_cert_expiry{job="practice-app-public"} - time() < ${alertThreshold("tls-expiry")} * 86400`,
    for: "10m",
    summary: "TLS certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }}",
    runbookPath: "/operational-runbook/troubleshooting/#tls-certificate-expiring",
    console: {
      page: "/operational-runbook/monitoring-and-alerting/",
      runbook: "tls-expiry",
      step: "check-expiry",
    },
  },
  "slow-responses": {
    name: "SlowResponses",
    comment: `Log-in and sign-up hash a password on purpose (scrypt); they are judged apart.`,
    expr: `histogram_quantile(${SLOW_RESPONSES_QUANTILE},
  sum by (le) (rate(trpc_request_duration_seconds_bucket{procedure!~"${regex(SLOW_RESPONSES_EXCLUDED_PROCEDURES)}"}[5m])))
  > ${alertThreshold("slow-responses") / 1000}`,
    for: "10m",
    summary: "p95 of tRPC calls is {{ $value | humanizeDuration }}",
    runbookPath: "/operational-runbook/troubleshooting/#slow-responses",
    console: {
      page: "/operational-runbook/performance-tuning/",
      runbook: "performance-check",
      step: "slow-queries",
    },
  },
  "high-cpu": {
    name: "HighCpu",
    comment: "CPU seconds per second of one instance: Node serves requests on one core.",
    expr: `rate(process_cpu_seconds_total{job="practice-app"}[5m]) > ${alertThreshold("high-cpu")}`,
    for: `${SCALE_UP_TRIGGERS.cpu.sustainedMinutes}m`,
    summary: "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of a core",
    runbookPath: "/operational-runbook/scaling-operations/",
    console: { page: "/scaling-guide/capacity-planning/", runbook: "capacity-report" },
  },
  "low-disk": {
    name: "LowDiskSpace",
    comment: "node_exporter on the database host and the operations host (backups).",
    expr: `node_filesystem_avail_bytes{mountpoint=~"${regex(WATCHED_MOUNTPOINTS)}"}
  / node_filesystem_size_bytes < ${alertThreshold("low-disk")}`,
    for: "10m",
    summary: "{{ $labels.instance }} {{ $labels.mountpoint }}: {{ $value | humanizePercentage }} free",
    runbookPath: "/operational-runbook/troubleshooting/#disk-full",
    console: { page: "/operational-runbook/monitoring-and-alerting/", runbook: "alert-check", step: "disk" },
  },
  "backup-failed": {
    name: "BackupStale",
    comment: "Written by the nightly backup job after verify-backup succeeds (textfile collector).",
    expr: `time() - ssp_backup_last_verified_timestamp_seconds > ${alertThreshold("backup-failed")} * 3600`,
    summary: "The newest verified backup is {{ $value | humanizeDuration }} old",
    runbookPath: "/operational-runbook/troubleshooting/#backup-failed-or-stale",
    console: { page: "/operational-runbook/backup-and-restore/", runbook: "backup-now" },
  },
};

/** The rules in the policy's order, with the policy's level. */
export const PROMETHEUS_ALERT_LIST = (Object.keys(ALERTS) as AlertId[]).map((id) => ({
  id,
  level: ALERTS[id].level,
  ...PROMETHEUS_ALERTS[id],
}));

/** Whether a `trpc_errors_total` code counts as a server error (HighErrorRate). */
export function isServerErrorCode(code: string): boolean {
  return (SERVER_ERROR_CODES as readonly string[]).includes(code);
}

/** Whether the latency alert judges a procedure's calls. */
export function countsForSlowResponses(procedure: string): boolean {
  return !(SLOW_RESPONSES_EXCLUDED_PROCEDURES as readonly string[]).includes(procedure);
}
