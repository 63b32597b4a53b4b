import { FREEZE_ENVIRONMENTS } from "../../policy/error-budget-freeze.ts";
import { BudgetUnavailable } from "../../runbooks/engine/budget.ts";
import { freezeState } from "../../runbooks/engine/budget-gate.ts";
import { EnvironmentError, resolveEnvironment } from "../../runbooks/engine/environments.ts";
import type { BudgetReadingResponse, BudgetResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/budget?env=<name>: the availability error budget of an environment, from its
// Prometheus (the CLI's `budget`), and whether the error-budget freeze holds there. The page shows
// it on change runbooks and on the SLO page. An environment without a Prometheus answers
// `unavailable`, naming the variable to set, which the page shows as it is.
export default defineRoute({
  method: "GET",
  path: "/api/budget",
  access: "session",
  async handle({ query }, { processEnv, dataDir, masker }) {
    const name = query.get("env") ?? "production";
    const gated = FREEZE_ENVIRONMENTS.includes(name);
    try {
      const env = resolveEnvironment(name, processEnv);
      for (const value of env.resolvedSecrets) masker.add(value);
      const state = await freezeState(env, { dataDir, secret: (value) => masker.add(value) });
      const { reading } = state;
      const reply: BudgetReadingResponse = {
        env: env.name,
        title: reading.title,
        objective: reading.objective,
        window: reading.window,
        at: reading.at,
        budget: reading.budget,
        budgetMinutes: reading.budgetMinutes,
        spent: reading.spent,
        remaining: reading.remaining,
        frozen: state.frozen,
        gated,
        why: state.why,
      };
      return { status: 200, body: reply };
    } catch (error) {
      if (error instanceof EnvironmentError)
        return { status: 400, body: { error: error.message }, rule: "environment" };
      // Not a refusal (nothing was attempted): the page shows why the budget is unknown.
      if (error instanceof BudgetUnavailable) {
        const reply: BudgetResponse = { env: name, gated, unavailable: masker.mask(error.message) };
        return { status: 200, body: reply };
      }
      throw error;
    }
  },
});
