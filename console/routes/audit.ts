import { readAuditEntries } from "../../runbooks/engine/audit.ts";
import { artifactsOfRun } from "../artifacts.ts";
import { AUDIT_VIEW_LIMIT, type AuditResponse, type AuditViewEntry } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/audit?runbook=&env=&actor=&result=: every run and every refused attempt in the audit
// log, newest first, filtered; runs carry the names of their artifacts. The audit view page
// (src/pages/audit.astro) shows it. A refusal matches a runbook or environment its `what` names.
export default defineRoute({
  method: "GET",
  path: "/api/audit",
  access: "session",
  async handle({ query }, { registry, dataDir }) {
    const runbook = query.get("runbook") ?? "";
    const env = query.get("env") ?? "";
    const actor = (query.get("actor") ?? "").toLowerCase();
    const result = query.get("result") ?? "";
    const matching = (await readAuditEntries(dataDir)).filter((entry) =>
      entry.kind === "run"
        ? (!runbook || entry.runbook === runbook) &&
          (!env || entry.env === env) &&
          (!actor || entry.actor.toLowerCase().includes(actor)) &&
          (!result || entry.status === result)
        : entry.kind === "approval"
          ? (!runbook || entry.runbook === runbook) &&
            (!env || entry.env === env) &&
            (!actor || entry.who.toLowerCase().includes(actor)) &&
            (!result || result === "approval")
          : (!runbook || entry.what.includes(`runbook ${runbook}`) || entry.what.includes(` ${runbook}`)) &&
            (!env || entry.what.includes(`env ${env}`) || entry.what.includes(`--env ${env}`)) &&
            (!actor || entry.who.toLowerCase().includes(actor)) &&
            (!result || result === "refused"),
    );
    const newest = matching.reverse().slice(0, AUDIT_VIEW_LIMIT);
    const entries: AuditViewEntry[] = await Promise.all(
      newest.map(async (entry): Promise<AuditViewEntry> => {
        if (entry.kind !== "run") return entry;
        const loaded = registry.get(entry.runbook);
        const artifacts = loaded
          ? (await artifactsOfRun(dataDir, loaded, entry.runId, entry.params)).map((a) => a.name)
          : [];
        return { ...entry, artifacts };
      }),
    );
    const reply: AuditResponse = { entries, matched: matching.length };
    return { status: 200, body: reply };
  },
});
