import { readAudit } from "../../runbooks/engine/audit.ts";
import { artifactsOfRun } from "../artifacts.ts";
import type { HistoryResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

/** Runs a history answer lists, newest first. */
const HISTORY_LENGTH = 25;

// GET /api/history?runbook=<id>: the runbook's recorded runs, newest first, with their artifacts.
export default defineRoute({
  method: "GET",
  path: "/api/history",
  access: "session",
  async handle({ query }, { registry, dataDir }) {
    const id = query.get("runbook") ?? "";
    const runbook = registry.get(id);
    if (!runbook) return { status: 404, body: { error: `unknown runbook "${id}"` } };
    const records = (await readAudit(dataDir))
      .filter((record) => record.runbook === id)
      .reverse()
      .slice(0, HISTORY_LENGTH);
    const reply: HistoryResponse = {
      runs: await Promise.all(
        records.map(async (record) => ({
          ...record,
          artifacts: (await artifactsOfRun(dataDir, runbook, record.runId, record.params)).map((a) => a.name),
        })),
      ),
    };
    return { status: 200, body: reply };
  },
});
