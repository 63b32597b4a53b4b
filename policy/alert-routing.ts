// Where Alertmanager sends an alert, by incident severity: the outline's "PagerDuty, SMS, Email"
// for critical alerts and "Slack, Email" for warnings. runbooks/lib/monitoring-config.ts generates
// alertmanager.yml from these tables; the Monitoring and alerting page renders them. Pure data.
import type { AlertLevel, Severity } from "./index.ts";

export type AlertReceiverId = "pagerduty" | "sms" | "email" | "slack";

export interface AlertReceiver {
  id: AlertReceiverId;
  title: string;
  /** How Alertmanager reaches it. */
  via: string;
  /**
   * The file (in the secrets directory given to monitoring-setup) holding the credential, so that
   * no secret is written into alertmanager.yml.
   */
  secretFile: string;
}

export const ALERT_RECEIVERS = {
  pagerduty: {
    title: "PagerDuty",
    via: "PagerDuty Events API v2 (pagerduty_configs); PagerDuty pages the on-call engineer",
    secretFile: "pagerduty-routing-key",
  },
  sms: {
    title: "SMS",
    via: "the SMS gateway's webhook (webhook_configs, bearer token)",
    secretFile: "sms-gateway-token",
  },
  email: {
    title: "E-mail",
    via: "SMTP to the team's address (email_configs)",
    secretFile: "smtp-password",
  },
  slack: {
    title: "Slack",
    via: "an incoming webhook of the team channel (slack_configs)",
    secretFile: "slack-webhook-url",
  },
} as const satisfies Record<AlertReceiverId, Omit<AlertReceiver, "id">>;

export const ALERT_RECEIVER_LIST = Object.entries(ALERT_RECEIVERS).map(
  ([id, r]) => ({ id, ...r }) as AlertReceiver,
);

export interface AlertRoute {
  /** Every receiver an alert of this severity reaches. */
  receivers: readonly AlertReceiverId[];
  /** How long Alertmanager waits to group alerts before the first notification. */
  groupWait: string;
  /** How often an alert still firing is sent again. */
  repeatInterval: string;
}

/** Keyed by the incident severity (policy/index.ts SEVERITIES). */
export const ALERT_ROUTES = {
  P0: { receivers: ["pagerduty", "sms", "email"], groupWait: "10s", repeatInterval: "1h" },
  P1: { receivers: ["pagerduty", "sms", "email"], groupWait: "30s", repeatInterval: "2h" },
  P2: { receivers: ["slack", "email"], groupWait: "1m", repeatInterval: "12h" },
  P3: { receivers: ["slack", "email"], groupWait: "5m", repeatInterval: "24h" },
} as const satisfies Record<Severity, AlertRoute>;

/**
 * The severity whose receivers an alert rule of each level reaches: the rules label alerts
 * `severity: critical|warning` (deploy/prometheus/alerts.yml); critical alerts page like a P0,
 * warnings go where P2 incidents go. An alert sent by hand may carry `severity: P0`…`P3` directly.
 */
export const ALERT_LEVEL_SEVERITY = {
  critical: "P0",
  warning: "P2",
} as const satisfies Record<AlertLevel, Severity>;

/** Where an alert with no (or an unknown) severity label goes: somewhere a person reads it. */
export const DEFAULT_ALERT_SEVERITY: Severity = "P3";
