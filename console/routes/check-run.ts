import { StartRunBody } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/runs/check: the refusal a start would get (unknown runbook, environment, parameters,
// steps), or which steps would need confirming. Runs nothing and records nothing.
export default defineRoute({
  method: "POST",
  path: "/api/runs/check",
  body: StartRunBody,
  access: "session",
  async handle({ body }, { runs }) {
    const outcome = await runs.check(body);
    if ("error" in outcome)
      return {
        status: outcome.status,
        body: { error: outcome.error },
        ...(outcome.rule ? { rule: outcome.rule } : {}),
      };
    return { status: 200, body: outcome };
  },
});
