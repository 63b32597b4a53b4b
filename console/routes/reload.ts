import { EmptyBody, type ReloadResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/reload: re-read the runbook files, once nothing is running.
export default defineRoute({
  method: "POST",
  path: "/api/reload",
  body: EmptyBody,
  access: "session",
  async handle(_request, { runs, registry, log }) {
    if (runs.running().length > 0) {
      return {
        status: 409,
        body: { error: `runs are in progress (${runs.running().join(", ")}); reload when they end` },
      };
    }
    const changed = await registry.reload();
    log({ msg: "runbooks reloaded", changed });
    const reply: ReloadResponse = { changed };
    return { status: 200, body: reply };
  },
});
