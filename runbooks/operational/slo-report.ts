/**
 * SLO report
 *
 * Purpose: asks the environment's Prometheus for each SLO's SLI over the window (28 days unless
 *   told otherwise), the error budget consumed and what remains, and prints them with what the
 *   error-budget policy says when a budget is spent. Prometheus computes every number over the whole
 *   window (policy/slo.ts has the queries): the app's counters restart at zero with each process, so
 *   the app alone cannot say what the last four weeks spent.
 * Sent here by: a burn-rate alert (…FastBurn, …SlowBurn), the weekly review, the Ops Lead deciding
 *   whether the error-budget policy's freeze applies, or planning risky work.
 * Preconditions: SSP_<ENV>_PROMETHEUS_URL names the Prometheus that scrapes the environment (a URL,
 *   or a secret reference to one) and is reachable from here.
 * Blast radius: none. Every step only reads.
 */
import { z } from "zod";
import {
  ERROR_BUDGET_POLICY,
  errorBudget,
  errorRatioQuery,
  eventQueries,
  remainingBudgetQuery,
  SLO_LIST,
  SLO_WINDOW,
  type SloId,
} from "../../policy/slo.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { environmentVariables } from "../engine/environments.ts";
import { PrometheusError, prometheusClient } from "../lib/prometheus-api.ts";

export interface SloReading {
  id: SloId;
  title: string;
  objective: number;
  budget: number;
  /** The SLI over the window (good / all); null without data. */
  sli: number | null;
  /** Share of the budget spent (1: all of it); null without data. */
  consumed: number | null;
  /** Share of the budget left, as Prometheus computed it (negative: overspent); null without data. */
  remaining: number | null;
  /** Bad and total events over the window, for SLOs that count events. */
  events: { bad: number | null; total: number | null } | null;
}

/** The SLI as a percentage with three decimals (99.5% has a budget of a few tenths). */
export const sliText = (ratio: number) => `${(ratio * 100).toFixed(3)}%`;
/** A share of the budget as a percentage with one decimal. */
export const budgetText = (share: number) => `${(share * 100).toFixed(1)}%`;

export default defineRunbook({
  id: "slo-report",
  title: "SLO report",
  summary:
    "Prints each SLO's SLI over the window, the error budget consumed and remaining, from the environment's Prometheus.",
  guide: "operational-runbook",
  section: "Service level objectives",
  params: z.object({
    window: z
      .string()
      .regex(/^[1-9]\d*[mhdw]$/, "a Prometheus duration such as 28d, 7d or 6h")
      .default(SLO_WINDOW)
      .describe("The window the SLIs and budgets are computed over (the policy's window by default)"),
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("The end of the window, an ISO 8601 time (default: now), to report a past window"),
  }),
  steps: (step) => [
    step({
      id: "sli",
      title: "Each SLO's SLI over the window",
      description:
        "Instant queries to the environment's Prometheus: the error ratio, the remaining budget and the events of each SLO.",
      danger: "read",
      timeoutMs: minutes(2),
      async run(ctx): Promise<SloReading[]> {
        const variable = environmentVariables(ctx.env.name).prometheusUrl;
        if (!ctx.env.prometheusUrl)
          throw new Error(
            `${variable} is not set: point it at the Prometheus that scrapes ${ctx.env.name} (for example http://prometheus.internal:9090, or a secret reference)`,
          );
        const at = ctx.params.at ? new Date(ctx.params.at) : undefined;
        const prometheus = prometheusClient(ctx.env.prometheusUrl, {
          timeoutMs: 30_000,
          signal: ctx.signal,
          secret: (value) => ctx.secret(value),
        });
        const window = ctx.params.window;
        ctx.log(`Prometheus ${prometheus.origin}, window ${window} ending ${at ? at.toISOString() : "now"}`);
        const readings: SloReading[] = [];
        try {
          for (const slo of SLO_LIST) {
            const id = slo.id as SloId;
            const badRatio = await prometheus.scalar(errorRatioQuery(id, window), at);
            const remaining = await prometheus.scalar(remainingBudgetQuery(id, window), at);
            const queries = eventQueries(id, window);
            const events = queries
              ? {
                  bad: await prometheus.scalar(queries.bad, at),
                  total: await prometheus.scalar(queries.total, at),
                }
              : null;
            const budget = errorBudget(id);
            // NaN: no events in the window (0 / 0); said as "no data", not as a number.
            const known = badRatio !== null && Number.isFinite(badRatio);
            readings.push({
              id,
              title: slo.title,
              objective: slo.objective,
              budget,
              sli: known ? 1 - badRatio : null,
              consumed: known ? badRatio / budget : null,
              remaining: remaining !== null && Number.isFinite(remaining) ? remaining : null,
              events,
            });
            ctx.log(
              `${id}: ${known ? `SLI ${sliText(1 - badRatio)}` : "no data in the window"}${
                events?.total
                  ? ` (${Math.round(events.bad ?? 0)} bad of ${Math.round(events.total)} events)`
                  : ""
              }`,
            );
          }
        } catch (error) {
          if (error instanceof PrometheusError) throw new Error(`${error.message} (${variable})`);
          throw error;
        }
        return readings;
      },
    }),
    step({
      id: "budget",
      title: "Error budget",
      description:
        "Prints each SLO with its objective, SLI, budget, budget consumed and remaining; says what the policy asks when one is spent.",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const readings = ctx.result<SloReading[]>("sli");
        ctx.log(
          `${"SLO".padEnd(22)} ${"objective".padEnd(10)} ${"SLI".padEnd(9)} ${"budget".padEnd(7)} ${"consumed".padEnd(9)} remaining`,
        );
        for (const r of readings)
          ctx.log(
            `${r.title.padEnd(22)} ${sliText(r.objective).padEnd(10)} ${(r.sli === null ? "no data" : sliText(r.sli)).padEnd(9)} ${budgetText(r.budget).padEnd(7)} ${(r.consumed === null ? "-" : budgetText(r.consumed)).padEnd(9)} ${r.remaining === null ? "-" : budgetText(r.remaining)}`,
          );
        const spent = readings.filter((r) => r.remaining !== null && r.remaining <= 0);
        for (const r of spent)
          ctx.warn(
            `${r.title}: the error budget over ${ctx.params.window} is spent (${budgetText(r.consumed ?? 0)} consumed)`,
          );
        if (spent.length > 0) {
          ctx.warn("The error-budget policy applies (Operational Runbook, Service level objectives):");
          for (const line of ERROR_BUDGET_POLICY.whenSpent) ctx.warn(`- ${line}`);
          ctx.warn(`Who decides: ${ERROR_BUDGET_POLICY.decides}`);
        } else ctx.log("every SLO has budget left");
        return { window: ctx.params.window, slos: readings, spent: spent.map((r) => r.id) };
      },
    }),
  ],
});
