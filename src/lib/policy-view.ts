import {
  ALERT_LEVEL_SEVERITY,
  ALERT_RECEIVERS,
  ALERT_ROUTES,
  DEFAULT_ALERT_SEVERITY,
} from "../../policy/alert-routing.ts";
import { CACHE_CONTROL, CDN_PURGE } from "../../policy/cdn.ts";
import { formatAlertThreshold, minutes, pct } from "../../policy/format.ts";
import {
  ALERT_LIST,
  BACKUP_POLICY,
  COST_ESTIMATES,
  CURRENT_CAPACITY,
  ESCALATION,
  GROWTH_TARGET_LIST,
  MAINTENANCE_TASK_LIST,
  RUN_NOTIFICATIONS,
  SCALE_UP_TRIGGER_LIST,
  SECURITY_PATCH_WINDOWS,
  SEVERITY_LIST,
  SLO,
} from "../../policy/index.ts";

// Turns the policy module into tables and inline values for the pages. Pure, so a unit test can
// check that what a page shows is what the runbooks and load tests enforce.

export interface TableView {
  caption: string;
  /** The policy file the table comes from, when it is not policy/index.ts. */
  source?: string;
  headers: string[];
  rows: string[][];
}

export const POLICY_TABLES = {
  slo: (): TableView => ({
    caption: "Service level objectives",
    headers: ["Objective", "Target"],
    rows: [
      ["API latency, 95th percentile", `< ${SLO.latencyP95Ms} ms`],
      ["API error rate", `< ${pct(SLO.errorRate)}`],
      ["Availability (monthly, /readyz)", `≥ ${pct(SLO.availability)}`],
      ["Concurrent learners on current capacity", `${SLO.concurrentUsers}`],
    ],
  }),
  alerts: (): TableView => ({
    caption: "Alerts",
    headers: ["Level", "Alert", "Condition", "Threshold", "Notify"],
    rows: ALERT_LIST.map((a) => [a.level, a.title, a.condition, formatAlertThreshold(a), a.notify]),
  }),
  severities: (): TableView => ({
    caption: "Incident severities",
    headers: ["Severity", "Name", "Respond within", "Criteria", "Post-mortem"],
    rows: SEVERITY_LIST.map((s) => [s.id, s.name, minutes(s.responseMinutes), s.criteria, s.postMortem]),
  }),
  "scale-triggers": (): TableView => ({
    caption: "Scale-up triggers",
    headers: ["Metric", "Threshold", "Action"],
    rows: SCALE_UP_TRIGGER_LIST.map((t) => [
      t.metric,
      `${t.unit === "ms" ? `> ${t.threshold} ms` : `> ${pct(t.threshold)}`}${t.sustainedMinutes ? ` for ${t.sustainedMinutes} min` : ""}`,
      t.action,
    ]),
  }),
  capacity: (): TableView => ({
    caption: "Current capacity",
    headers: ["Component", "Capacity"],
    rows: [
      [
        "Application",
        `${CURRENT_CAPACITY.appInstances} instances, about ${CURRENT_CAPACITY.concurrentUsers} concurrent learners`,
      ],
      [
        "Database",
        `PostgreSQL ${CURRENT_CAPACITY.postgresVersion}, ${CURRENT_CAPACITY.postgresMaxConnections} connections`,
      ],
      ["Cache", `Redis ${CURRENT_CAPACITY.redisVersion}, ${CURRENT_CAPACITY.redisMaxMemoryMb} MB`],
    ],
  }),
  growth: (): TableView => ({
    caption: "Growth targets",
    headers: ["When", "Learners", "App instances", "Database size"],
    rows: GROWTH_TARGET_LIST.map((g) => [
      g.horizon,
      g.users.toLocaleString("en-US"),
      g.appInstances[0] === g.appInstances[1]
        ? `${g.appInstances[0]}`
        : `${g.appInstances[0]}–${g.appInstances[1]}`,
      `${g.databaseGb} GB`,
    ]),
  }),
  "alert-routes": (): TableView => ({
    caption: "Alert routes",
    source: "policy/alert-routing.ts",
    headers: ["Severity", "Alerts (severity label)", "Receivers", "Group wait", "Repeat every"],
    rows: (Object.keys(ALERT_ROUTES) as Array<keyof typeof ALERT_ROUTES>).map((s) => [
      s,
      [
        s,
        ...Object.entries(ALERT_LEVEL_SEVERITY)
          .filter(([, to]) => to === s)
          .map(([level]) => `${level} rules`),
        ...(s === DEFAULT_ALERT_SEVERITY ? ["no severity"] : []),
      ].join(", "),
      ALERT_ROUTES[s].receivers.map((r) => ALERT_RECEIVERS[r].title).join(", "),
      ALERT_ROUTES[s].groupWait,
      ALERT_ROUTES[s].repeatInterval,
    ]),
  }),
  "alert-receivers": (): TableView => ({
    caption: "Alert receivers",
    source: "policy/alert-routing.ts",
    headers: ["Receiver", "How Alertmanager reaches it", "Credential file (in secretsDir)"],
    rows: Object.values(ALERT_RECEIVERS).map((r) => [r.title, r.via, r.secretFile]),
  }),
  backup: (): TableView => ({
    caption: "Backup policy",
    headers: ["Rule", "Value"],
    rows: [
      ["Daily backups kept", `${BACKUP_POLICY.keepDaily}`],
      ["Weekly backups kept", `${BACKUP_POLICY.keepWeekly}`],
      ["Monthly backups kept", `${BACKUP_POLICY.keepMonthly}`],
      ["Alert when the newest verified backup is older than", `${BACKUP_POLICY.maxAgeHours} h`],
      ["Recovery time objective (RTO)", minutes(BACKUP_POLICY.rtoMinutes)],
      ["Recovery point objective (RPO)", minutes(BACKUP_POLICY.rpoMinutes)],
    ],
  }),
  calendar: (): TableView => ({
    caption: "Maintenance calendar",
    headers: ["Cadence", "When", "Task", "Runbook"],
    rows: MAINTENANCE_TASK_LIST.map((t) => [t.cadence, t.when, t.task, t.runbook ?? "—"]),
  }),
  costs: (): TableView => {
    const low = COST_ESTIMATES.reduce((sum, c) => sum + c.usdPerMonth[0], 0);
    const high = COST_ESTIMATES.reduce((sum, c) => sum + c.usdPerMonth[1], 0);
    return {
      caption: "Monthly cost estimates (USD, estimates, not invoices)",
      headers: ["Item", "Per month", "Note"],
      rows: [
        ...COST_ESTIMATES.map((c) => [c.item, `$${c.usdPerMonth[0]}–${c.usdPerMonth[1]}`, c.note]),
        ["Total", `$${low}–${high}`, "an order of magnitude, to compare with the real bills"],
      ],
    };
  },
  "security-windows": (): TableView => ({
    caption: "Security patch windows",
    headers: ["Advisory severity", "In production within", "Process"],
    rows: SECURITY_PATCH_WINDOWS.map((w) => [
      w.severity,
      w.withinHours === null ? "the next routine update" : hoursRange(w.withinHours),
      w.process,
    ]),
  }),
  escalation: (): TableView => ({
    caption: "Escalation",
    headers: ["Level", "Who", "After"],
    rows: ESCALATION.map((e) => [
      `${e.level}`,
      e.who,
      e.afterMinutes === 0 ? "at once" : minutes(e.afterMinutes),
    ]),
  }),
  notifications: (): TableView => ({
    caption: "Run notifications, per environment",
    headers: ["Environment", "Run ends, failed or cancelled", "Run ends, ok", "A destructive run starts"],
    rows: Object.entries(RUN_NOTIFICATIONS).map(([env, rule]) => {
      const events: readonly string[] = rule.events;
      const yes = (event: string) => (events.includes(event) ? "notifies" : "—");
      return [env, yes("run-end-failed"), yes("run-end-ok"), yes("destructive-start")];
    }),
  }),
} as const;

function hoursRange([from, to]: [number, number]): string {
  return to <= 24 ? `${from}–${to} hours` : `${from / 24}–${to / 24} days`;
}

export type PolicyTableName = keyof typeof POLICY_TABLES;

/** Single numbers for prose, by name: <Value of="slo.latencyP95Ms" />. */
export const POLICY_VALUES: Record<string, string> = {
  "slo.latencyP95Ms": `${SLO.latencyP95Ms} ms`,
  "slo.errorRate": pct(SLO.errorRate),
  "slo.availability": pct(SLO.availability),
  "slo.concurrentUsers": `${SLO.concurrentUsers}`,
  "backup.maxAgeHours": `${BACKUP_POLICY.maxAgeHours} h`,
  "backup.keepDaily": `${BACKUP_POLICY.keepDaily} daily`,
  "backup.keepWeekly": `${BACKUP_POLICY.keepWeekly} weekly`,
  "backup.keepMonthly": `${BACKUP_POLICY.keepMonthly} monthly`,
  // The oldest backup kept is the last monthly one: how long a deleted account can outlive its deletion there.
  "backup.longestRetention": `about ${BACKUP_POLICY.keepMonthly} months`,
  "backup.rtoMinutes": minutes(BACKUP_POLICY.rtoMinutes),
  "backup.rpoMinutes": minutes(BACKUP_POLICY.rpoMinutes),
  "capacity.appInstances": `${CURRENT_CAPACITY.appInstances}`,
  "capacity.postgresMaxConnections": `${CURRENT_CAPACITY.postgresMaxConnections}`,
  "capacity.redisMaxMemoryMb": `${CURRENT_CAPACITY.redisMaxMemoryMb} MB`,
  ...Object.fromEntries(ALERT_LIST.map((a) => [`alert.${a.id}`, formatAlertThreshold(a)])),
  ...Object.fromEntries(SEVERITY_LIST.map((s) => [`severity.${s.id}.response`, minutes(s.responseMinutes)])),
  ...Object.fromEntries(
    SCALE_UP_TRIGGER_LIST.map((t) => [
      `trigger.${t.id}`,
      t.unit === "ms" ? `${t.threshold} ms` : pct(t.threshold),
    ]),
  ),
  "cdn.hashed-asset": CACHE_CONTROL.hashedAsset,
  "cdn.revalidate": CACHE_CONTROL.revalidate,
  "cdn.private": CACHE_CONTROL.private,
  "cdn.max-files": `${CDN_PURGE.maxFilesPerRequest}`,
};

export function policyValue(name: string): string {
  const value = POLICY_VALUES[name];
  if (value === undefined) {
    throw new Error(
      `a page asks for policy value "${name}", which does not exist; known: ${Object.keys(POLICY_VALUES).join(", ")}`,
    );
  }
  return value;
}
