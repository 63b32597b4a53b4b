import {
  EMERGENCY_APPROVAL_REASON,
  FREEZE_ENVIRONMENTS,
  FREEZE_RULE,
  FROZEN_RUNBOOKS,
} from "../../policy/error-budget-freeze.ts";
import {
  type BudgetReading,
  BudgetUnavailable,
  budgetFigures,
  type IncidentHold,
  incidentHolds,
  readBudget,
} from "./budget.ts";
import type { Environment } from "./environments.ts";

// The error-budget gate: evaluated by runRunbook before anything runs (no lock, no event, no
// step). A frozen runbook (policy/error-budget-freeze.ts) in a frozen environment is refused while
// the availability budget is spent or an incident holds the freeze; as an emergency it goes on
// only with an approval receipt. Plans, read-only runs, other runbooks and other environments never
// ask Prometheus at all.

export interface FreezeState {
  frozen: boolean;
  reading: BudgetReading;
  /** Incidents whose missing post-mortem link holds the freeze. */
  holds: IncidentHold[];
  /** Why it is frozen, one line each (empty when it is not). */
  why: string[];
}

/** Whether an environment is frozen now: the budget from Prometheus, the holds from the incident folders. */
export async function freezeState(
  env: Environment,
  options: { dataDir: string; at?: Date; signal?: AbortSignal; secret?: (value: string) => void },
): Promise<FreezeState> {
  const reading = await readBudget(env, options);
  const holds = FREEZE_ENVIRONMENTS.includes(env.name)
    ? await incidentHolds(options.dataDir, env.name, options.at)
    : [];
  const why: string[] = [];
  if (FREEZE_ENVIRONMENTS.includes(env.name) && reading.remaining !== null && reading.remaining <= 0)
    why.push(`the error budget is spent (${budgetFigures(reading)})`);
  for (const hold of holds)
    why.push(
      `${hold.severity} incident ${hold.incident} has no post-mortem link (npm run runbook -- budget post-mortem ${hold.incident} <url>)`,
    );
  return { frozen: why.length > 0, reading, holds, why };
}

export type GateDecision =
  /** The run goes on. */
  | null
  /** Refused, with the rule the audit log names. */
  | { refuse: string; rule: string }
  /** Goes on only with an approval receipt; the reason says why one is needed, the rule names it. */
  | { approval: string; rule: string; state: FreezeState | null };

/** The gate for one run. `changes`: whether the selected steps change anything. */
export async function budgetGate(
  runbookId: string,
  env: Environment,
  options: {
    plan: boolean;
    changes: boolean;
    emergency: boolean;
    dataDir: string;
    signal?: AbortSignal;
    secret?: (value: string) => void;
  },
): Promise<GateDecision> {
  if (!FREEZE_ENVIRONMENTS.includes(env.name) || !(runbookId in FROZEN_RUNBOOKS) || !options.changes)
    return null;
  // A plan changes nothing and is never refused; an emergency's plan asks, so that its receipt
  // says the freeze is one reason it needs approving.
  if (options.plan && !options.emergency) return null;
  const policy = "the error-budget freeze (policy/error-budget-freeze.ts)";
  let state: FreezeState;
  try {
    state = await freezeState(env, options);
  } catch (error) {
    if (!(error instanceof BudgetUnavailable)) throw error;
    // Fails closed: a gate that opened whenever Prometheus was down would open during outages.
    if (options.emergency)
      return {
        approval: `${EMERGENCY_APPROVAL_REASON} (the budget cannot be read)`,
        rule: `${FREEZE_RULE}-unknown`,
        state: null,
      };
    return {
      refuse: `the error budget of ${env.name} cannot be read, and ${policy} fails closed: ${error.message}. ${runbookId} is a non-urgent change; if it cannot wait, run it with --emergency and an approval receipt`,
      rule: `${FREEZE_RULE}-unknown`,
    };
  }
  if (!state.frozen) return null;
  if (options.emergency)
    return { approval: `${EMERGENCY_APPROVAL_REASON} (${state.why.join("; ")})`, rule: FREEZE_RULE, state };
  const risk = FROZEN_RUNBOOKS[runbookId as keyof typeof FROZEN_RUNBOOKS];
  return {
    // The figures first: the audit log keeps the first 300 characters of a reason.
    refuse: `${env.name} is frozen: ${state.why.join("; ")}. ${runbookId} is a non-urgent change (${risk}) and ${policy} holds it; fixes, incident runbooks and plans go on. If it cannot wait, run it with --emergency and an approval receipt`,
    rule: FREEZE_RULE,
  };
}
