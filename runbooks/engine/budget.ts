import path from "node:path";
import { FREEZE_SLO, POST_MORTEM_HOLDS } from "../../policy/error-budget-freeze.ts";
import type { Severity } from "../../policy/index.ts";
import {
  errorBudget,
  errorRatioQuery,
  remainingBudgetQuery,
  SLO_WINDOW,
  SLO_WINDOW_DAYS,
  SLOS,
  type SloId,
} from "../../policy/slo.ts";
import { INCIDENT_FOLDER, incidentsRoot, isoFromCompact, listIncidents } from "../lib/incidents.ts";
import { PrometheusError, prometheusClient } from "../lib/prometheus-api.ts";
import { type Environment, environmentVariables } from "./environments.ts";
import { ParamError } from "./params.ts";
import { PRIVATE_FILE } from "./private-files.ts";
import { readStateFile, writeStateFile } from "./state-files.ts";

// The error budget of the SLO that gates change (policy/error-budget-freeze.ts), read from the
// environment's Prometheus with slo-report's own queries (policy/slo.ts): the app's counters reset
// with each process, so only Prometheus knows what the window spent. And the incidents that hold a
// freeze until their post-mortem is linked, read from the incident folders triage-snapshot writes.

/** The budget could not be read: no Prometheus configured, or it did not answer. */
export class BudgetUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetUnavailable";
  }
}

export interface BudgetReading {
  env: string;
  slo: SloId;
  title: string;
  objective: number;
  /** The window, as a PromQL duration (the policy's). */
  window: string;
  /** The end of the window (ISO 8601). */
  at: string;
  /** The share of events (minutes, for availability) that may be bad over the window. */
  budget: number;
  /** The budget in minutes of the window: what a probe-based SLO may be down for. */
  budgetMinutes: number;
  /** The share of the budget spent (1: all of it); null without data. */
  spent: number | null;
  /** The share of the budget left, as Prometheus computed it (negative: overspent); null without data. */
  remaining: number | null;
  /** The Prometheus asked, without credentials. */
  prometheus: string;
}

const WINDOW_MINUTES = SLO_WINDOW_DAYS * 24 * 60;

/** The gating SLO's budget over the policy's window ending `at` (now by default). */
export async function readBudget(
  env: Environment,
  options: { at?: Date; timeoutMs?: number; signal?: AbortSignal; secret?: (value: string) => void } = {},
): Promise<BudgetReading> {
  const variable = environmentVariables(env.name).prometheusUrl;
  if (!env.prometheusUrl)
    throw new BudgetUnavailable(
      `${variable} is not set, so the error budget of ${env.name} cannot be read: point it at the Prometheus that scrapes ${env.name} (for example http://prometheus.internal:9090, or a secret reference)`,
    );
  const slo = FREEZE_SLO;
  try {
    const prometheus = prometheusClient(env.prometheusUrl, {
      timeoutMs: options.timeoutMs ?? 15_000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.secret ? { secret: options.secret } : {}),
    });
    const badRatio = await prometheus.scalar(errorRatioQuery(slo, SLO_WINDOW), options.at);
    const remaining = await prometheus.scalar(remainingBudgetQuery(slo, SLO_WINDOW), options.at);
    const budget = errorBudget(slo);
    // NaN: no samples in the window; said as "no data", never as a number.
    const known = badRatio !== null && Number.isFinite(badRatio);
    return {
      env: env.name,
      slo,
      title: SLOS[slo].title,
      objective: SLOS[slo].objective,
      window: SLO_WINDOW,
      at: (options.at ?? new Date()).toISOString(),
      budget,
      budgetMinutes: budget * WINDOW_MINUTES,
      spent: known ? badRatio / budget : null,
      remaining: remaining !== null && Number.isFinite(remaining) ? remaining : null,
      prometheus: prometheus.origin,
    };
  } catch (error) {
    if (error instanceof PrometheusError) throw new BudgetUnavailable(`${error.message} (${variable})`);
    throw error;
  }
}

/** A share of the budget as a percentage with one decimal (slo-report's form). */
export const shareText = (share: number) => `${(share * 100).toFixed(1)}%`;

/** "budget 0.5% of 28d (201.6 min), spent 120.0%, remaining -20.0%": the figures a refusal names. */
export function budgetFigures(reading: BudgetReading): string {
  return `${reading.title} budget ${shareText(reading.budget)} of ${reading.window} (${reading.budgetMinutes.toFixed(1)} min), spent ${
    reading.spent === null ? "no data" : shareText(reading.spent)
  }, remaining ${reading.remaining === null ? "no data" : shareText(reading.remaining)}`;
}

export interface IncidentHold {
  /** The incident folder's name. */
  incident: string;
  severity: Severity;
  startedAt: string;
}

/** The post-mortem link of an incident, in its folder. */
export const POST_MORTEM_LINK_FILE = "post-mortem-link.json";

export interface PostMortemLink {
  url: string;
  recordedBy: string;
  recordedAt: string;
}

/** Where incident folders live under a data directory (triage-snapshot's artifacts). */
export function incidentsDir(dataDir: string): string {
  return incidentsRoot(path.join(dataDir, "artifacts", "post-mortem"));
}

/**
 * Incidents that hold the freeze: started within the window ending `at`, in this environment (or
 * not saying which), of a severity POST_MORTEM_HOLDS names, and without a post-mortem link.
 */
export async function incidentHolds(
  dataDir: string,
  envName: string,
  at = new Date(),
): Promise<IncidentHold[]> {
  const root = incidentsDir(dataDir);
  const holds: IncidentHold[] = [];
  for (const name of await listIncidents(root)) {
    const startedAt = isoFromCompact(INCIDENT_FOLDER.exec(name)?.[1] ?? "");
    const started = Date.parse(startedAt);
    if (!(started > at.getTime() - WINDOW_MINUTES * 60_000 && started <= at.getTime())) continue;
    const folder = path.join(root, name);
    const classification = await readStateFile<{ severity?: Severity }>(
      "incident-classification",
      path.join(folder, "classification.json"),
      "classify the incident again: npm run runbook -- classify-severity",
    );
    const severity = classification?.severity;
    if (!severity || !POST_MORTEM_HOLDS[severity]) continue;
    const incident = await readStateFile<{ env?: string }>("incident", path.join(folder, "incident.json"));
    if (incident?.env && incident.env !== envName) continue;
    if (
      await readStateFile<PostMortemLink>(
        "post-mortem-link",
        path.join(folder, POST_MORTEM_LINK_FILE),
        "record the link again: npm run runbook -- budget post-mortem <incident> <url>",
      )
    )
      continue;
    holds.push({ incident: name, severity, startedAt });
  }
  return holds;
}

/** Records an incident's post-mortem link (an http(s) URL) in its folder; refuses anything else (ParamError: audited as a refusal). */
export async function recordPostMortemLink(
  dataDir: string,
  incident: string,
  url: string,
  recordedBy: string,
): Promise<PostMortemLink> {
  const root = incidentsDir(dataDir);
  const all = await listIncidents(root);
  if (!INCIDENT_FOLDER.test(incident) || !all.includes(incident))
    throw new ParamError(
      `no incident folder "${incident}" in ${root}${all.length ? `; the newest are: ${all.slice(-5).reverse().join(", ")}` : ""}`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ParamError(`the post-mortem link is not a URL: "${url}"`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new ParamError(`the post-mortem link must be an http(s) URL, not ${parsed.protocol}`);
  if (parsed.username || parsed.password)
    throw new ParamError("the post-mortem link must not carry credentials: link the page, not a login");
  const link: PostMortemLink = { url: parsed.href, recordedBy, recordedAt: new Date().toISOString() };
  await writeStateFile("post-mortem-link", path.join(root, incident, POST_MORTEM_LINK_FILE), link, {
    mode: PRIVATE_FILE,
  });
  return link;
}
