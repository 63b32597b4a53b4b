import { readAudit } from "../../runbooks/engine/audit.ts";
import { lastExercised } from "../../runbooks/engine/exercise.ts";
import type { ExercisedResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/exercised: the last successful run of every runbook in every environment, from this
// console's audit log. The page computes fresh / stale / never from these with the policy and its
// own clock (runbooks/engine/exercise.ts), the same way the CLI's `exercised` does.
export default defineRoute({
  method: "GET",
  path: "/api/exercised",
  access: "session",
  async handle(_request, { registry, dataDir }) {
    const reply: ExercisedResponse = {
      lastRuns: lastExercised(await readAudit(dataDir), (id) => registry.get(id)?.steps.map((s) => s.id)),
    };
    return { status: 200, body: reply };
  },
});
