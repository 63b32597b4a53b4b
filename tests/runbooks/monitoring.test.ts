import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ALERT_LEVEL_SEVERITY,
  ALERT_RECEIVERS,
  ALERT_ROUTES,
  type AlertReceiverId,
} from "../../policy/alert-routing.ts";
import { PROMETHEUS_ALERT_LIST } from "../../policy/alert-rules.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { BACKUP_METRIC } from "../../runbooks/lib/monitoring-config.ts";
import { freePort } from "../../runbooks/lib/net.ts";
import { exampleFiles } from "../../scripts/monitoring-config.ts";
import { failedStepError } from "../support/runbooks.ts";
import { type SmtpInbox, startSmtpInbox } from "../support/smtp-inbox.ts";

// The claims of operational-runbook/monitoring-and-alerting.mdx (alert routes, monitoring-setup,
// backup-timestamp). monitoring-setup writes and validates the configuration (promtool, amtool, blackbox_exporter);
// then a real Alertmanager runs on what it wrote, in its test mode (receiver URLs swapped for the
// local server below, plain SMTP to a local inbox), and each severity's alert must reach exactly
// the receivers the policy names. backup-timestamp's file is read by a real node_exporter.

const exec = promisify(execFile);
let dir: string;
let receivers: Server;
let base: string;
let inbox: SmtpInbox;
let alertmanager: ChildProcess | undefined;
let amUrl: string;
const SECRETS = { pagerduty: "pd-routing-key-7f3a", sms: "sms-token-91bc", email: "", slack: "" };
/** What the stand-ins received: path (pagerduty, sms, slack), authorization header and body. */
const received: Array<{ receiver: string; authorization: string | undefined; body: string }> = [];

async function run(id: string, params: Record<string, unknown>, plan = false) {
  const events: RunEvent[] = [];
  const dataDir = path.join(dir, "data");
  const result = await runRunbook(await findRunbook(id), {
    env: "dev",
    params,
    plan,
    confirm: true,
    emit: (e) => events.push(e),
    dataDir,
    processEnv: { ...process.env, RUNBOOK_DATA_DIR: dataDir, RUNBOOK_BACKUP_DIR: path.join(dir, "backups") },
  });
  const output = events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line);
  return { result, events, output };
}

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const savedBackupDir = process.env.RUNBOOK_BACKUP_DIR;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-monitoring-test-"));
  // Runbooks run in this process and find backups through process.env.
  process.env.RUNBOOK_BACKUP_DIR = path.join(dir, "backups");
  receivers = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        receiver: (req.url ?? "").replace(/^\//, ""),
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => receivers.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receivers.address() as AddressInfo).port}`;
  inbox = await startSmtpInbox();
  await mkdir(path.join(dir, "secrets"));
  for (const id of Object.keys(ALERT_RECEIVERS) as AlertReceiverId[])
    await writeFile(path.join(dir, "secrets", ALERT_RECEIVERS[id].secretFile), `${SECRETS[id]}\n`, {
      mode: 0o600,
    });
});

afterAll(async () => {
  if (savedBackupDir === undefined) delete process.env.RUNBOOK_BACKUP_DIR;
  else process.env.RUNBOOK_BACKUP_DIR = savedBackupDir;
  if (alertmanager?.pid) alertmanager.kill("SIGTERM");
  await new Promise<void>((resolve) => (receivers ? receivers.close(() => resolve()) : resolve()));
  await inbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the committed example", () => {
  it("is what the policy gives, and names every job the alert rules read", async () => {
    for (const { file, text } of exampleFiles()) expect(await readFile(file, "utf8"), file).toBe(text);
    const prometheus = parse(await readFile(exampleFiles()[0]?.file ?? "", "utf8")) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    const jobs = prometheus.scrape_configs.map((j) => j.job_name);
    const named = PROMETHEUS_ALERT_LIST.flatMap((r) =>
      [...r.expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const job of named) expect(jobs, `alert rules read job ${job}`).toContain(job);
  });
});

describe("monitoring-setup", () => {
  it("refuses a bad target list before doing anything", async () => {
    await expect(
      run("monitoring-setup", { appTargets: "app1.internal", outDir: path.join(dir, "bad") }),
    ).rejects.toThrow(/appTargets.*expected host:port/);
    await expect(readFile(path.join(dir, "bad", "prometheus.yml"))).rejects.toThrow();
  });

  it("plans without writing, then writes configuration that promtool, amtool and blackbox_exporter accept", async () => {
    const smtpPort = new URL(inbox.url).port;
    const params = {
      outDir: path.join(dir, "etc"),
      appTargets: "127.0.0.1:3000,127.0.0.1:3001",
      publicUrl: "https://practice.subjunctive.example",
      secretsDir: path.join(dir, "secrets"),
      smarthost: `127.0.0.1:${smtpPort}`,
      testReceivers: base,
    };
    const plan = await run("monitoring-setup", params, true);
    expect(plan.result.status, failedStepError(plan.events)).toBe("ok");
    expect(plan.output.join("\n")).toContain(`would write ${path.join(dir, "etc", "alertmanager.yml")}`);
    await expect(readFile(path.join(dir, "etc", "alertmanager.yml"))).rejects.toThrow();

    const { result, events, output } = await run("monitoring-setup", params);
    expect(result.status, failedStepError(events)).toBe("ok");
    const text = output.join("\n");
    for (const tool of [
      "promtool: prometheus.yml is valid",
      "amtool: alertmanager.yml is valid",
      "prometheus-blackbox-exporter: blackbox.yml is valid",
    ])
      expect(text).toContain(tool);
    const written = await readFile(path.join(dir, "etc", "alertmanager.yml"), "utf8");
    // Credentials stay in their files.
    expect(written).not.toContain(SECRETS.pagerduty);
    expect(written).not.toContain(SECRETS.sms);
  });
});

describe("a real Alertmanager on the generated configuration", () => {
  it("sends each severity to the receivers the policy names, and to no other", async () => {
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      "prometheus-alertmanager",
      [
        `--config.file=${path.join(dir, "etc", "alertmanager.yml")}`,
        `--storage.path=${path.join(dir, "am-data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      { stdio: "ignore" },
    );
    await waitFor("Alertmanager ready", async () =>
      (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok ? true : undefined,
    );

    // label value → the severity whose receivers must get it
    const cases: Array<{ alertname: string; severity?: string; routesAs: keyof typeof ALERT_ROUTES }> = [
      ...(["P0", "P1", "P2", "P3"] as const).map((s) => ({
        alertname: `Test${s}`,
        severity: s,
        routesAs: s,
      })),
      ...Object.entries(ALERT_LEVEL_SEVERITY).map(([level, s]) => ({
        alertname: `TestLevel_${level}`,
        severity: level,
        routesAs: s,
      })),
      { alertname: "TestNoSeverity", routesAs: "P3" },
    ];
    for (const c of cases)
      await exec("amtool", [
        "alert",
        "add",
        `alertname=${c.alertname}`,
        ...(c.severity ? [`severity=${c.severity}`] : []),
        // Each its own instance: a firing P0 holds back warnings of the same instance (inhibit_rules).
        `instance=${c.alertname}`,
        "--annotation=summary=monitoring test",
        `--alertmanager.url=${amUrl}`,
      ]);

    const got = (alertname: string, receiver: AlertReceiverId) =>
      receiver === "email"
        ? inbox.messages.some(
            (m) => m.to.includes("oncall@subjunctive.example") && m.text.includes(alertname),
          )
        : received.some((r) => r.receiver === receiver && r.body.includes(alertname));
    const all = Object.keys(ALERT_RECEIVERS) as AlertReceiverId[];
    for (const c of cases)
      for (const r of ALERT_ROUTES[c.routesAs].receivers)
        await waitFor(`${c.alertname} at ${r}`, () => got(c.alertname, r) || undefined);
    for (const c of cases) {
      const expected = ALERT_ROUTES[c.routesAs].receivers as readonly AlertReceiverId[];
      expect(
        all.filter((r) => got(c.alertname, r)),
        c.alertname,
      ).toEqual(all.filter((r) => expected.includes(r)));
    }
    // The credentials came from the secret files.
    const pd = received.find((r) => r.receiver === "pagerduty");
    expect(JSON.parse(pd?.body ?? "{}").routing_key).toBe(SECRETS.pagerduty);
    expect(received.find((r) => r.receiver === "sms")?.authorization).toBe(`Bearer ${SECRETS.sms}`);
  });
});

describe("backup-timestamp", () => {
  it("publishes the newest verified backup's time through node_exporter's textfile collector", async () => {
    const backups = path.join(dir, "backups", "dev");
    await mkdir(backups, { recursive: true });
    const manifest = (id: string, createdAt: string, ok: boolean | null) => ({
      id,
      env: "dev",
      file: `${id}.dump`,
      createdAt,
      sizeBytes: 1,
      sha256: "0",
      serverVersion: "15",
      tables: {},
      sequences: {},
      ...(ok === null ? {} : { verifiedAt: createdAt, verification: { ok, detail: "", restoreSeconds: 1 } }),
    });
    const textfileDir = path.join(dir, "textfile");
    // None verified: 0, so the stale-backup alert fires.
    await writeFile(
      path.join(backups, "20261201T010000Z-aaaa.json"),
      JSON.stringify(manifest("20261201T010000Z-aaaa", "2026-12-01T01:00:00.000Z", null)),
    );
    const none = await run("backup-timestamp", { textfileDir });
    expect(none.result.status, failedStepError(none.events)).toBe("ok");
    expect(await readFile(path.join(textfileDir, "ssp_backup.prom"), "utf8")).toContain(
      `${BACKUP_METRIC} 0\n`,
    );

    // The newest verified one counts; a newer failed verification does not.
    await writeFile(
      path.join(backups, "20261202T010000Z-bbbb.json"),
      JSON.stringify(manifest("20261202T010000Z-bbbb", "2026-12-02T01:00:00.000Z", true)),
    );
    await writeFile(
      path.join(backups, "20261203T010000Z-cccc.json"),
      JSON.stringify(manifest("20261203T010000Z-cccc", "2026-12-03T01:00:00.000Z", false)),
    );
    const some = await run("backup-timestamp", { textfileDir });
    expect(some.result.status, failedStepError(some.events)).toBe("ok");

    const port = await freePort();
    const exporter = spawn(
      "prometheus-node-exporter",
      [
        "--collector.disable-defaults",
        "--collector.textfile",
        `--collector.textfile.directory=${textfileDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: "ignore" },
    );
    try {
      const metrics = await waitFor("node_exporter", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
        return res?.ok ? res.text() : undefined;
      });
      const line = metrics.split("\n").find((l) => l.startsWith(`${BACKUP_METRIC} `));
      expect(Number(line?.split(" ")[1])).toBe(Date.parse("2026-12-02T01:00:00.000Z") / 1000);
      expect(metrics).toContain("node_textfile_scrape_error 0");
    } finally {
      exporter.kill("SIGTERM");
    }
  });
});
