import { readFile } from "node:fs/promises";
import { readRunEvents } from "../../runbooks/engine/audit.ts";
import { artifactsOfRun } from "../artifacts.ts";
import { defineRoute } from "./route.ts";

// GET /api/runs/<id>/artifacts/<name>: a file the run left, as its runbook declared it. Only a
// declared name reaches the file system, and only inside that run's own artifacts folder.
export default defineRoute({
  method: "GET",
  path: "/api/runs/:runId/artifacts/:name",
  access: "session",
  async handle({ params, res }, { dataDir, registry, masker }) {
    const runId = params.runId ?? "";
    const name = params.name ?? "";
    const start = (await readRunEvents(dataDir, runId).catch(() => [])).find((e) => e.type === "run-start");
    if (start?.type !== "run-start") return { status: 404, body: { error: `no recorded run "${runId}"` } };
    const runbook = registry.get(start.runbook);
    if (!runbook)
      return {
        status: 404,
        body: { error: `run ${runId} is of runbook "${start.runbook}", which is not loaded` },
      };
    const declared = (runbook.artifacts ?? []).find((a) => a.name === name);
    if (!declared)
      return { status: 404, body: { error: `runbook "${runbook.id}" declares no artifact "${name}"` } };
    const present = await artifactsOfRun(dataDir, runbook, runId, start.params);
    const found = present.find((a) => a.name === name);
    if (!found) return { status: 404, body: { error: `run ${runId} left no "${name}" (${declared.title})` } };
    const text = await readFile(found.file, "utf8");
    res.writeHead(200, { "Content-Type": `${declared.mediaType}; charset=utf-8` });
    res.end(masker.mask(text));
    return undefined;
  },
});
