import type { AlertRule } from "./index.ts";

// How the policy's numbers read in prose and tables: one formatting for the pages, the runbooks'
// output and the alert rules' descriptions. Pure.

export function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

export function minutes(m: number): string {
  if (m >= 24 * 60) return `${m / (24 * 60)} day${m === 24 * 60 ? "" : "s"}`;
  return m >= 60 ? `${m / 60} h` : `${m} min`;
}

export function formatAlertThreshold(rule: Pick<AlertRule, "unit" | "threshold">): string {
  switch (rule.unit) {
    case "ratio":
      return `> ${pct(rule.threshold)}`;
    case "ratio-free":
      return `< ${pct(rule.threshold)} free`;
    case "ms":
      return `> ${rule.threshold} ms`;
    case "days":
      return `< ${rule.threshold} days`;
    case "hours":
      return `> ${rule.threshold} h`;
    case "bool":
      return "fails";
  }
}
