import type { RunEvent } from "../../runbooks/engine/events.ts";
import type { GoneMessage } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/runs/<id>/events?ticket=…: the run's events as server-sent events, replayed from the
// start. The ticket is single-use and bound to the session that started the run.
export default defineRoute({
  method: "GET",
  path: "/api/runs/:runId/events",
  access: "stream",
  async handle({ params, query, session, res }, { sessions, runs }) {
    const runId = params.runId ?? "";
    if (!sessions.redeemTicket(query.get("ticket"), session, runId)) {
      return {
        status: 403,
        rule: "ticket",
        body: { error: "the event stream needs the single-use ticket returned when this run was started" },
      };
    }
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" });
    res.flushHeaders();
    // One JSON document per event: a line of step output cannot end the event or forge another.
    const send = (event: RunEvent) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
      if (event.type === "run-end") res.end();
    };
    const following = runs.follow(runId, send);
    if (!following) {
      const gone: GoneMessage = { error: `run ${runId} is not in this console's memory; see its history` };
      res.write(`event: gone\ndata: ${JSON.stringify(gone)}\n\n`);
      res.end();
      return undefined;
    }
    res.on("close", following.stop);
    return undefined;
  },
});
