/**
 * Monitoring setup
 *
 * Purpose: writes the Prometheus, blackbox exporter and Alertmanager configuration of an
 *   environment from the policy (scrape jobs the alert rules read, the rules themselves, each
 *   severity's route to its receivers), validates it with the tools that will load it (promtool,
 *   amtool, blackbox_exporter --config.check) and installs it.
 * Sent here by: setting up monitoring on a new operations host; a change of alert rules, receivers
 *   or instances; the Monitoring and alerting page.
 * Preconditions: promtool, amtool and prometheus-blackbox-exporter installed (Debian: prometheus,
 *   prometheus-alertmanager, prometheus-blackbox-exporter); the receivers' credentials in files in
 *   secretsDir (one per receiver, named in the policy), readable by the Alertmanager user.
 * Blast radius: rewrites three files and alerts.yml in outDir (each atomically). Prometheus,
 *   Alertmanager and the exporter read them at their next reload, which this runbook does not do.
 */

import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ALERT_RECEIVERS, ALERT_ROUTES, type AlertReceiverId } from "../../policy/alert-routing.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import {
  MONITORING_DEFAULTS as D,
  type MonitoringFiles,
  renderMonitoring,
  SEVERITY_ORDER,
  severityLabels,
} from "../lib/monitoring-config.ts";
import { writeConfigFile } from "../lib/write-atomic.ts";

const RULES = fileURLToPath(new URL("../../deploy/prometheus/alerts.yml", import.meta.url));
const RULES_FILE = D.rulesFile;

const hostPort = z.string().regex(/^[\w.-]+:\d{1,5}$|^\[[\da-fA-F:]+\]:\d{1,5}$/, {
  message: "expected host:port, e.g. 10.0.0.11:3000",
});
const split = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const hostPorts = (what: string) =>
  z.array(hostPort).min(1, { message: `give at least one ${what} (host:port, comma-separated)` });
const absolute = (what: string) =>
  z.string().refine((p) => path.isAbsolute(p), { message: `${what} must be an absolute path` });

type Rendered = { files: MonitoringFiles & { [RULES_FILE]: string } };

const TOOLS = [
  { file: "prometheus.yml", bin: "promtool", args: ["check", "config"], pkg: "prometheus" },
  { file: "alertmanager.yml", bin: "amtool", args: ["check-config"], pkg: "prometheus-alertmanager" },
  {
    file: "blackbox.yml",
    bin: "prometheus-blackbox-exporter",
    args: ["--config.check", "--config.file"],
    pkg: "prometheus-blackbox-exporter",
  },
] as const;

export default defineRunbook({
  id: "monitoring-setup",
  title: "Set up monitoring",
  summary:
    "Writes prometheus.yml, blackbox.yml and alertmanager.yml from the policy, validates them with promtool, amtool and the exporter, and installs them.",
  guide: "operational-runbook",
  section: "Monitoring and alerting",
  params: z.object({
    outDir: absolute("outDir")
      .default(D.configDir)
      .describe("Where the configuration is installed (Debian's packages read /etc/prometheus)"),
    appTargets: z
      .string()
      .transform(split)
      .pipe(hostPorts("app instance"))
      .optional()
      .describe("Each app instance as host:port, comma-separated (default: the environment's app URL)"),
    appTargetsFile: absolute("appTargetsFile")
      .optional()
      .describe("Instead of appTargets: a file_sd file of the instances (add-instance writes one)"),
    publicUrl: z
      .url()
      .optional()
      .describe("The URL learners use, probed with its certificate (default: the app URL)"),
    nodeTargets: z
      .string()
      .default(D.nodeTargets.join(","))
      .transform(split)
      .pipe(hostPorts("node_exporter"))
      .describe("Each node_exporter, host:port"),
    blackboxAddress: hostPort.default(D.blackboxAddress).describe("The blackbox exporter"),
    alertmanagerAddress: hostPort.default(D.alertmanagerAddress).describe("Alertmanager"),
    secretsDir: absolute("secretsDir")
      .default(D.secretsDir)
      .describe("Directory with one credential file per receiver (never written into the config)"),
    emailTo: z.email().default(D.email.to).describe("Where alert e-mail goes"),
    emailFrom: z.email().default(D.email.from).describe("Alert e-mail's sender"),
    smarthost: hostPort.default(D.email.smarthost).describe("SMTP server (STARTTLS)"),
    smtpUsername: z.string().default(D.email.username).describe("SMTP user (its password is a secret file)"),
    smsWebhookUrl: z.url().default(D.smsWebhookUrl).describe("The SMS gateway's webhook"),
    slackChannel: z
      .string()
      .regex(/^#[\w-]+$/, { message: "expected a channel such as #ops" })
      .default(D.slackChannel)
      .describe("The Slack channel warnings go to"),
    testReceivers: z
      .url()
      .optional()
      .describe(
        "TEST MODE: send every receiver to this local base URL (…/pagerduty, …/slack, …/sms), plain SMTP, no group wait",
      ),
  }),
  steps: (step) => [
    step({
      id: "render",
      title: "Generate the configuration from the policy",
      description:
        "Renders the three files and copies the generated alert rules; prints the routes and targets.",
      danger: "read",
      timeoutMs: seconds(10),
      run(ctx): Rendered {
        const p = ctx.params;
        if (p.appTargets && p.appTargetsFile)
          throw new Error(
            "give appTargets or appTargetsFile, not both: Prometheus takes the instances from one list",
          );
        const appTargets = p.appTargets ?? [new URL(ctx.env.appUrl).host];
        const publicUrl = p.publicUrl ?? ctx.env.appUrl;
        if (!publicUrl.startsWith("https://"))
          ctx.warn(
            `the public URL ${publicUrl} is not https: the https_public probe fails on it (ApplicationDown); pass --param publicUrl=https://<public host>`,
          );
        const files = renderMonitoring({
          appTargets,
          ...(p.appTargetsFile ? { appTargetsFile: p.appTargetsFile } : {}),
          publicUrl,
          nodeTargets: p.nodeTargets,
          blackboxAddress: p.blackboxAddress,
          alertmanagerAddress: p.alertmanagerAddress,
          rulesFile: RULES_FILE,
          secretsDir: p.secretsDir,
          email: { to: p.emailTo, from: p.emailFrom, smarthost: p.smarthost, username: p.smtpUsername },
          smsWebhookUrl: p.smsWebhookUrl,
          slackChannel: p.slackChannel,
          ...(p.testReceivers ? { testReceiversBase: p.testReceivers } : {}),
        });
        if (p.testReceivers) ctx.warn(`TEST MODE: every receiver points at ${p.testReceivers}`);
        ctx.log(
          `app instances: ${p.appTargetsFile ? `from ${p.appTargetsFile}` : appTargets.join(", ")}; public URL: ${publicUrl}`,
        );
        for (const s of SEVERITY_ORDER)
          ctx.log(
            `route severity=~"${severityLabels(s).join("|")}" → ${ALERT_ROUTES[s].receivers.map((r) => ALERT_RECEIVERS[r].title).join(", ")} (group wait ${ALERT_ROUTES[s].groupWait}, repeat ${ALERT_ROUTES[s].repeatInterval})`,
          );
        return { files: { ...files, [RULES_FILE]: readFileSync(RULES, "utf8") } };
      },
    }),
    step({
      id: "validate",
      title: "Validate with promtool, amtool and the blackbox exporter",
      description:
        "Writes the files to a private temporary folder and runs each tool's own check on them; lists missing credential files.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const { files } = ctx.result<Rendered>("render");
        const dir = await mkdtemp(path.join(tmpdir(), "ssp-monitoring-"));
        try {
          for (const [name, text] of Object.entries(files))
            await writeConfigFile(path.join(dir, name), text, 0o600);
          for (const tool of TOOLS) {
            const out = await ctx.$`${tool.bin} ${tool.args} ${path.join(dir, tool.file)}`.nothrow().quiet();
            if ((out.exitCode as number | null) === null || out.exitCode === 127 || /ENOENT/.test(out.stderr))
              throw new Error(`${tool.bin} is not installed: apt-get install ${tool.pkg}`);
            if (out.exitCode !== 0)
              throw new Error(
                `${tool.bin} rejects the generated ${tool.file} (exit ${out.exitCode}): ${`${out.stdout}${out.stderr}`.trim().replaceAll(dir, "<staging>")}`,
              );
            ctx.log(`${tool.bin}: ${tool.file} is valid`);
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        const missing = (Object.keys(ALERT_RECEIVERS) as AlertReceiverId[])
          .filter((id) => !existsSync(path.join(ctx.params.secretsDir, ALERT_RECEIVERS[id].secretFile)))
          .map((id) => `${ALERT_RECEIVERS[id].secretFile} (${ALERT_RECEIVERS[id].title})`);
        if (missing.length > 0)
          ctx.warn(
            `missing in ${ctx.params.secretsDir}: ${missing.join(", ")}. Alertmanager cannot notify those receivers until each file holds its credential (mode 0640, group prometheus)`,
          );
        return { valid: true, missingSecrets: missing };
      },
    }),
    step({
      id: "install",
      title: "Install the configuration",
      description: "Writes each file into outDir atomically (temporary file, then rename).",
      danger: "change",
      timeoutMs: seconds(10),
      plan(ctx) {
        return [
          ...Object.keys(ctx.result<Rendered>("render").files).map(
            (name) => `would write ${path.join(ctx.params.outDir, name)}`,
          ),
          "then reload: systemctl reload prometheus prometheus-alertmanager prometheus-blackbox-exporter",
        ];
      },
      async run(ctx) {
        const { files } = ctx.result<Rendered>("render");
        const written: string[] = [];
        for (const [name, text] of Object.entries(files)) {
          const file = path.join(ctx.params.outDir, name);
          // Readable by the services' own users; the credentials are in secretsDir, not here.
          await writeConfigFile(file, text, 0o644);
          ctx.log(`wrote ${file}`);
          written.push(file);
        }
        ctx.log(
          "reload to apply: systemctl reload prometheus prometheus-alertmanager prometheus-blackbox-exporter",
        );
        return { written };
      },
    }),
  ],
});
