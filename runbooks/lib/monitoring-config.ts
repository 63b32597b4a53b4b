// The monitoring configuration, generated from the policy: prometheus.yml (scrape jobs, the rules
// file, Alertmanager), blackbox.yml (the probes the alert rules read) and alertmanager.yml (each
// severity's route to its receivers). One renderer, two readers: the monitoring-setup runbook
// writes it for an environment, and scripts/monitoring-config.ts writes the committed example in
// deploy/ that the Monitoring and alerting page shows.
import path from "node:path";
import { stringify } from "yaml";
import {
  ALERT_LEVEL_SEVERITY,
  ALERT_RECEIVERS,
  ALERT_ROUTES,
  type AlertReceiverId,
  DEFAULT_ALERT_SEVERITY,
} from "../../policy/alert-routing.ts";
import { CONVENTIONS } from "../../policy/conventions.ts";
import type { Severity } from "../../policy/index.ts";

/** The scrape jobs the alert rules (policy/alert-rules.ts) name in their expressions. */
export const JOBS = {
  app: "practice-app",
  readyz: "practice-app-readyz",
  readyzPostgres: "practice-app-readyz-postgres",
  public: "practice-app-public",
  node: "node",
} as const;

/** The blackbox exporter's modules. */
export const BLACKBOX_MODULES = {
  readyz: "readyz",
  readyzPostgres: "readyz_postgres",
  httpsPublic: "https_public",
} as const;

export interface MonitoringOptions {
  /** host:port of each app instance, scraped directly (not through nginx). */
  appTargets: readonly string[];
  /**
   * Instead of appTargets: a Prometheus file_sd file listing the instances (add-instance and
   * remove-instance rewrite one from the balancer's pool), re-read without a reload.
   */
  appTargetsFile?: string;
  /** The URL learners use (nginx, TLS); probed for ApplicationDown and the certificate. */
  publicUrl: string;
  /** host:port of each node_exporter (the operations host's carries the backup timestamp). */
  nodeTargets: readonly string[];
  blackboxAddress: string;
  alertmanagerAddress: string;
  /** The file name of the rules beside prometheus.yml. */
  rulesFile: string;
  /** Directory holding the receivers' credentials, one file each (ALERT_RECEIVERS[].secretFile). */
  secretsDir: string;
  email: { to: string; from: string; smarthost: string; username: string };
  /** The SMS gateway's webhook URL (its token is a secret file). */
  smsWebhookUrl: string;
  slackChannel: string;
  /**
   * Test mode: every receiver's URL points at this base (…/pagerduty, …/slack, …/sms), e-mail goes
   * over plain SMTP, and alerts are sent without the policy's group wait. For a local test only.
   */
  testReceiversBase?: string;
}

/** The settings an environment usually keeps (the monitoring-setup runbook's parameter defaults). */
export const MONITORING_DEFAULTS = {
  nodeTargets: ["127.0.0.1:9100"],
  blackboxAddress: "127.0.0.1:9115",
  alertmanagerAddress: "127.0.0.1:9093",
  rulesFile: "alerts.yml",
  /** Debian's packages read their configuration here. */
  configDir: "/etc/prometheus",
  secretsDir: "/etc/prometheus/secrets",
  email: {
    to: "oncall@subjunctive.example",
    from: "alertmanager@subjunctive.example",
    smarthost: "smtp.subjunctive.example:587",
    username: "alertmanager",
  },
  smsWebhookUrl: "https://sms.subjunctive.example/alert",
  slackChannel: "#ops",
} as const;

/** The committed example in deploy/ (scripts/monitoring-config.ts): two instances and the public URL. */
export const EXAMPLE_OPTIONS: MonitoringOptions = {
  ...MONITORING_DEFAULTS,
  appTargets: ["app1.internal:3000", "app2.internal:3000"],
  publicUrl: `https://${CONVENTIONS.publicHost}`,
};

export interface MonitoringFiles {
  "prometheus.yml": string;
  "blackbox.yml": string;
  "alertmanager.yml": string;
}

function header(lines: string[]): string {
  return `${lines.map((l) => `# ${l}`).join("\n")}\n`;
}

const GENERATED =
  "Generated from the policy by the monitoring-setup runbook (runbooks/lib/monitoring-config.ts).";

export function renderPrometheus(o: MonitoringOptions): string {
  const apps = o.appTargetsFile
    ? { file_sd_configs: [{ files: [o.appTargetsFile] }] }
    : { static_configs: [{ targets: [...o.appTargets] }] };
  // A probe job: the target (host:port, or a URL) becomes the probe's ?target=, the instance label
  // stays the target, and the scrape goes to the exporter. `job` is set again because a file_sd
  // file may carry a job label of its own.
  const blackbox = (job: string, module: string, targets: object, url: string) => ({
    job_name: job,
    metrics_path: "/probe",
    params: { module: [module] },
    ...targets,
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target", replacement: url },
      { source_labels: ["__address__"], target_label: "instance" },
      { target_label: "__address__", replacement: o.blackboxAddress },
      { target_label: "job", replacement: job },
    ],
  });
  const config = {
    global: { scrape_interval: "15s", evaluation_interval: "15s" },
    rule_files: [o.rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanagerAddress] }] }] },
    scrape_configs: [
      { job_name: JOBS.app, ...apps },
      blackbox(JOBS.readyz, BLACKBOX_MODULES.readyz, apps, "http://$1/readyz"),
      blackbox(JOBS.readyzPostgres, BLACKBOX_MODULES.readyzPostgres, apps, "http://$1/readyz"),
      blackbox(
        JOBS.public,
        BLACKBOX_MODULES.httpsPublic,
        { static_configs: [{ targets: [new URL("/healthz", o.publicUrl).href] }] },
        "$1",
      ),
      { job_name: JOBS.node, static_configs: [{ targets: [...o.nodeTargets] }] },
    ],
  };
  return (
    header([
      "Prometheus for the practice app: each instance scraped directly, the blackbox probes the",
      "alert rules read, node_exporter (CPU, disk, the backup timestamp), and Alertmanager.",
      GENERATED,
    ]) + stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

export function renderBlackbox(): string {
  const config = {
    modules: {
      // Ready: 200, "ok" or "degraded" (Redis down).
      [BLACKBOX_MODULES.readyz]: { prober: "http", timeout: "5s", http: { valid_status_codes: [200] } },
      // The PostgreSQL check inside /readyz, whatever the status code.
      [BLACKBOX_MODULES.readyzPostgres]: {
        prober: "http",
        timeout: "5s",
        http: {
          valid_status_codes: [200, 503],
          fail_if_body_not_matches_regexp: ['"postgres":\\{"status":"ok"'],
        },
      },
      // The public URL through nginx, with its certificate (probe_ssl_earliest_cert_expiry).
      [BLACKBOX_MODULES.httpsPublic]: {
        prober: "http",
        timeout: "10s",
        http: { valid_status_codes: [200], fail_if_not_ssl: true },
      },
    },
  };
  return (
    header([
      "blackbox_exporter modules: readiness of each instance, PostgreSQL as the app sees it, and",
      "the public URL with its certificate.",
      GENERATED,
    ]) + stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

const secret = (o: MonitoringOptions, id: AlertReceiverId) =>
  path.posix.join(o.secretsDir, ALERT_RECEIVERS[id].secretFile);

function receiverConfigs(o: MonitoringOptions, ids: readonly AlertReceiverId[]) {
  const test = o.testReceiversBase?.replace(/\/$/, "");
  const configs: Record<string, unknown[]> = {};
  for (const id of ids) {
    switch (id) {
      case "pagerduty":
        configs.pagerduty_configs = [
          {
            routing_key_file: secret(o, "pagerduty"),
            ...(test ? { url: `${test}/pagerduty` } : {}),
            send_resolved: true,
          },
        ];
        break;
      case "sms":
        configs.webhook_configs = [
          {
            url: test ? `${test}/sms` : o.smsWebhookUrl,
            http_config: { authorization: { credentials_file: secret(o, "sms") } },
            send_resolved: false,
          },
        ];
        break;
      case "slack":
        configs.slack_configs = [
          {
            ...(test ? { api_url: `${test}/slack` } : { api_url_file: secret(o, "slack") }),
            channel: o.slackChannel,
            send_resolved: true,
            title: "{{ .CommonLabels.severity }}: {{ .CommonLabels.alertname }}",
            text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.runbook_url }}\n{{ end }}",
          },
        ];
        break;
      case "email":
        configs.email_configs = [{ to: o.email.to, send_resolved: true }];
        break;
    }
  }
  return configs;
}

export const SEVERITY_ORDER = ["P0", "P1", "P2", "P3"] as const satisfies readonly Severity[];

/** The values of the `severity` label each route matches: the severity and the rule levels mapped to it. */
export function severityLabels(severity: Severity): string[] {
  const levels = Object.entries(ALERT_LEVEL_SEVERITY)
    .filter(([, s]) => s === severity)
    .map(([level]) => level);
  return [severity, ...levels];
}

export function renderAlertmanager(o: MonitoringOptions): string {
  const test = o.testReceiversBase !== undefined;
  const config = {
    global: {
      resolve_timeout: "5m",
      smtp_smarthost: o.email.smarthost,
      smtp_from: o.email.from,
      ...(test
        ? { smtp_require_tls: false }
        : { smtp_auth_username: o.email.username, smtp_auth_password_file: secret(o, "email") }),
    },
    route: {
      receiver: DEFAULT_ALERT_SEVERITY,
      group_by: ["alertname", "severity"],
      group_wait: test ? "0s" : ALERT_ROUTES[DEFAULT_ALERT_SEVERITY].groupWait,
      group_interval: test ? "1s" : "5m",
      repeat_interval: ALERT_ROUTES[DEFAULT_ALERT_SEVERITY].repeatInterval,
      routes: SEVERITY_ORDER.map((s) => ({
        matchers: [`severity=~"${severityLabels(s).join("|")}"`],
        receiver: s,
        group_wait: test ? "0s" : ALERT_ROUTES[s].groupWait,
        repeat_interval: ALERT_ROUTES[s].repeatInterval,
      })),
    },
    // A page for the whole app makes the warnings it causes noise: hold them while it fires.
    inhibit_rules: [
      {
        source_matchers: [`severity=~"${severityLabels("P0").join("|")}"`],
        target_matchers: [`severity=~"${[...severityLabels("P2"), ...severityLabels("P3")].join("|")}"`],
        equal: ["instance"],
      },
    ],
    receivers: SEVERITY_ORDER.map((s) => ({ name: s, ...receiverConfigs(o, ALERT_ROUTES[s].receivers) })),
  };
  return (
    header([
      "Alertmanager: each severity to the receivers of policy/alert-routing.ts. Credentials are",
      `read from files in ${o.secretsDir}, never written here.`,
      ...(test ? ["TEST MODE: receiver URLs point at a local test server; plain SMTP; no group wait."] : []),
      GENERATED,
    ]) + stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

export function renderMonitoring(o: MonitoringOptions): MonitoringFiles {
  return {
    "prometheus.yml": renderPrometheus(o),
    "blackbox.yml": renderBlackbox(),
    "alertmanager.yml": renderAlertmanager(o),
  };
}

/** The node_exporter textfile the backup-timestamp runbook writes. */
export const BACKUP_TEXTFILE = "ssp_backup.prom";
export const BACKUP_METRIC = "ssp_backup_last_verified_timestamp_seconds";

/** The textfile's content: when the newest verified backup's data was read (0: none verified). */
export function renderBackupTextfile(verifiedAt: Date | null): string {
  const seconds = verifiedAt ? Math.floor(verifiedAt.getTime() / 1000) : 0;
  return [
    `# HELP ${BACKUP_METRIC} When the data of the newest verified backup was read (Unix time; 0: no verified backup).`,
    `# TYPE ${BACKUP_METRIC} gauge`,
    `${BACKUP_METRIC} ${seconds}`,
    "",
  ].join("\n");
}
