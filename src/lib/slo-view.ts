import { pct } from "../../policy/format.ts";
import {
  BURN_RATE_WINDOW_LIST,
  type BurnRateWindowId,
  burnRate,
  burnThreshold,
  errorBudget,
  promDuration,
  remainingBudgetQuery,
  SLO_LIST,
  SLO_WINDOW,
  SLO_WINDOW_DAYS,
  type SloId,
  sliQuery,
} from "../../policy/slo.ts";
import type { TableView } from "./policy-view.ts";

// The SLO document's tables and queries for the SLO page, from policy/slo.ts. Pure, like policy-view.

/** The SLO as a percentage that keeps its decimals (99.5%, not 100%). */
export const objectiveText = (ratio: number) => `${Number((ratio * 100).toPrecision(6))}%`;

/** What the budget allows over the window, in the SLO's own events. */
function budgetInWindow(id: SloId): string {
  const budget = errorBudget(id);
  if (id === "availability") {
    const minutes = budget * SLO_WINDOW_DAYS * 24 * 60;
    return `${Number(minutes.toFixed(1))} minutes with no instance ready`;
  }
  return `${pct(budget)} of calls, ${Math.round(budget * 1_000_000).toLocaleString("en-US")} in every million`;
}

export function sloTable(): TableView {
  return {
    caption: `Service level objectives over ${SLO_WINDOW_DAYS} days`,
    headers: ["SLO", "Good event", "Objective", "Error budget", "Over the window"],
    rows: SLO_LIST.map((s) => [
      s.title,
      s.sli,
      objectiveText(s.objective),
      objectiveText(errorBudget(s.id as SloId)),
      budgetInWindow(s.id as SloId),
    ]),
  };
}

export function burnRateTable(): TableView {
  return {
    caption: "Burn-rate alerts (each SLO has both)",
    headers: [
      "Alert",
      "Budget spent",
      "Long window",
      "Short window",
      "Burn rate",
      "Fires above (error ratio)",
      "Level",
    ],
    rows: BURN_RATE_WINDOW_LIST.map((w) => [
      `${w.id} burn: ${w.says}; at this rate the whole budget is gone in ${Number((SLO_WINDOW_DAYS / burnRate(w.id as BurnRateWindowId)).toFixed(1))} days`,
      pct(w.budgetShare),
      promDuration(w.longMinutes),
      promDuration(w.shortMinutes),
      `${burnRate(w.id as BurnRateWindowId)}×`,
      SLO_LIST.map(
        (s) => `${s.title}: ${objectiveText(burnThreshold(s.id as SloId, w.id as BurnRateWindowId))}`,
      ).join("; "),
      w.level,
    ]),
  };
}

/** The PromQL of one SLO: its SLI and remaining budget over the policy's window. */
export function sloQueries(id: SloId): { sli: string; remaining: string } {
  return {
    sli: sliQuery(id, SLO_WINDOW),
    remaining: remainingBudgetQuery(id, SLO_WINDOW),
  };
}
