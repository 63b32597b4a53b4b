import { readRunEvents } from "../../runbooks/engine/audit.ts";
import type { RunLogResponse } from "../protocol.ts";
import { forPage } from "../terminal-text.ts";
import { defineRoute } from "./route.ts";

// GET /api/runs/<id>/log: a recorded run's events, cleaned for the page.
export default defineRoute({
  method: "GET",
  path: "/api/runs/:runId/log",
  access: "session",
  async handle({ params }, { dataDir }) {
    const runId = params.runId ?? "";
    const events = await readRunEvents(dataDir, runId).catch(() => null);
    if (!events) return { status: 404, body: { error: `no recorded run "${runId}"` } };
    const reply: RunLogResponse = { events: events.map(forPage) };
    return { status: 200, body: reply };
  },
});
