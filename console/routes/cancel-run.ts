import { type CancelResponse, EmptyBody } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/runs/<id>/cancel: stop the running step and every process it started.
export default defineRoute({
  method: "POST",
  path: "/api/runs/:runId/cancel",
  body: EmptyBody,
  access: "session",
  async handle({ params, session }, { runs, actorOf, log }) {
    const runId = params.runId ?? "";
    if (!runs.cancel(runId, `cancelled from the console by ${actorOf(session)}`)) {
      return { status: 409, body: { error: `run ${runId} is not running in this console` } };
    }
    log({ msg: "run cancelled", runId });
    const reply: CancelResponse = { cancelling: runId };
    return { status: 202, body: reply };
  },
});
