import { API, StartRunBody, type StartRunResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/runs: start a run of a registered runbook; the answer carries the event stream's
// single-use ticket. Refusals (unknown runbook, bad parameters, lock held, not confirmed) start nothing.
export default defineRoute({
  method: "POST",
  path: "/api/runs",
  body: StartRunBody,
  access: "session",
  async handle({ body, session }, { runs, sessions, actorOf, log }) {
    const outcome = await runs.start(body, actorOf(session));
    if ("error" in outcome) {
      log({ msg: "run refused", runbook: body.runbook, env: body.env, error: outcome.error });
      return {
        status: outcome.status,
        body: { error: outcome.error },
        ...(outcome.rule ? { rule: outcome.rule } : {}),
      };
    }
    log({
      msg: "run started",
      runId: outcome.runId,
      runbook: body.runbook,
      env: body.env,
      actor: actorOf(session),
    });
    const ticket = sessions.issueTicket(session, outcome.runId);
    const reply: StartRunResponse = { runId: outcome.runId, events: API.events(outcome.runId, ticket) };
    return { status: 202, body: reply };
  },
});
