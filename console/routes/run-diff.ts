import { RunRefused } from "../../runbooks/engine/run.ts";
import { diffRecordedRuns, previousRun } from "../../runbooks/engine/run-diff.ts";
import { RUN_ID_PATTERN, type RunDiffResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/runs/<id>/diff[?with=<run id>]: the run compared with another (A = `with`, B = the
// run), or with the previous run of its runbook in its environment: the history's "compare with
// previous". The same diff as `npm run runbook -- diff`, masked; the page escapes every text.
export default defineRoute({
  method: "GET",
  path: "/api/runs/:runId/diff",
  access: "session",
  async handle({ params, query }, { dataDir, registry, masker }) {
    const runId = params.runId ?? "";
    const other = query.get("with");
    if (other !== null && !RUN_ID_PATTERN.test(other))
      return { status: 400, rule: "unknown-run", body: { error: `with: "${other}" is not a run id` } };
    try {
      const a = other ?? (await previousRun(dataDir, runId));
      const diff = await diffRecordedRuns(dataDir, a, runId, (id) => registry.get(id)?.artifacts ?? []);
      const reply: RunDiffResponse = { diff: masker.maskValue(diff) };
      return { status: 200, body: reply };
    } catch (error) {
      if (!(error instanceof RunRefused)) throw error;
      return {
        status: error.rule === "no-previous-run" ? 404 : error.rule === "unknown-run" ? 404 : 400,
        rule: error.rule,
        body: { error: masker.mask(error.message) },
      };
    }
  },
});
