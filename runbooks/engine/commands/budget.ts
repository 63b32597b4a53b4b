import os from "node:os";
import { BUDGET_DEFAULT_ENV, FREEZE_ENVIRONMENTS } from "../../../policy/error-budget-freeze.ts";
import { ERROR_BUDGET_POLICY } from "../../../policy/slo.ts";
import { BudgetUnavailable, recordPostMortemLink, shareText } from "../budget.ts";
import { freezeState } from "../budget-gate.ts";
import type { CliIo } from "../cli.ts";
import { resolveEnvironment } from "../environments.ts";
import { ParamError } from "../params.ts";
import { dataDir } from "../paths.ts";
import { terminalText } from "../terminal-text.ts";

// npm run runbook -- budget [--env production] [--at <ISO time>] [--json]
//   The availability SLO's error budget over the policy's window, from the environment's
//   Prometheus (slo-report's queries), and whether the error-budget freeze holds there.
// npm run runbook -- budget post-mortem <incident> <url> [--env production]
//   Records an incident's post-mortem link: a P0/P1 incident holds the freeze until it has one.

export type CommandOutcome = "ok" | "failed" | "refused";

export interface BudgetValues {
  env?: string | undefined;
  at?: string | undefined;
  json?: boolean | undefined;
}

export async function budget(args: string[], values: BudgetValues, io: CliIo): Promise<CommandOutcome> {
  const env = resolveEnvironment(values.env ?? BUDGET_DEFAULT_ENV, io.env);
  const dir = dataDir(io.env);
  if (args[0] === "post-mortem") {
    const [, incident, url] = args;
    if (!incident || !url || args.length > 3)
      throw new ParamError("usage: npm run runbook -- budget post-mortem <incident folder> <url>");
    const link = await recordPostMortemLink(dir, incident, url, `${os.userInfo().username}@${os.hostname()}`);
    io.out(`recorded the post-mortem of ${incident}: ${terminalText(link.url)}\n`);
    return "ok";
  }
  if (args.length > 0)
    throw new ParamError(`budget takes no argument but "post-mortem"; got "${terminalText(args.join(" "))}"`);
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values.at) || Number.isNaN(at.getTime()))
      throw new ParamError(
        `--at must be an ISO 8601 time such as 2026-03-01T12:00:00Z, not "${terminalText(values.at)}"`,
      );
  }
  let state: Awaited<ReturnType<typeof freezeState>>;
  try {
    state = await freezeState(env, { dataDir: dir, ...(at ? { at } : {}) });
  } catch (error) {
    if (!(error instanceof BudgetUnavailable)) throw error;
    io.err(`budget: ${error.message}\n`);
    return "failed";
  }
  const { reading } = state;
  if (values.json) {
    io.out(`${JSON.stringify({ ...reading, frozen: state.frozen, why: state.why, holds: state.holds })}\n`);
    return "ok";
  }
  const minutes = (share: number | null) =>
    share === null
      ? ""
      : `  (${(share * reading.budgetMinutes).toFixed(1)} min of ${reading.budgetMinutes.toFixed(1)})`;
  const lines = [
    `${reading.title} error budget · ${env.name} · window ${reading.window} ending ${reading.at}`,
    `  objective  ${(reading.objective * 100).toFixed(3)}%`,
    `  budget     ${shareText(reading.budget)} of the window (${reading.budgetMinutes.toFixed(1)} min)`,
    `  spent      ${reading.spent === null ? "no data in the window" : `${shareText(reading.spent)}${minutes(reading.spent)}`}`,
    `  remaining  ${reading.remaining === null ? "no data in the window" : shareText(reading.remaining)}`,
    `  from       ${reading.prometheus}`,
  ];
  if (state.frozen) {
    lines.push(`\nFROZEN: non-urgent change runbooks refuse in ${env.name}:`);
    for (const why of state.why) lines.push(`  - ${why}`);
    lines.push("The error-budget policy (Operational Runbook, Service level objectives):");
    for (const line of ERROR_BUDGET_POLICY.whenSpent) lines.push(`  - ${line}`);
  } else
    lines.push(
      FREEZE_ENVIRONMENTS.includes(env.name)
        ? `\nnot frozen: change runbooks run in ${env.name}`
        : `\nthe freeze applies in ${FREEZE_ENVIRONMENTS.join(", ")} only: change runbooks run in ${env.name}`,
    );
  io.out(`${lines.join("\n")}\n`);
  return "ok";
}
