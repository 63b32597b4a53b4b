import { writeFileSync } from "node:fs";
import { z } from "zod";
import { defineRunbook } from "../../../../runbooks/engine/define.ts";

// A change runbook whose plan reads the environment's database (a scratch one in the tests), so an
// approved plan goes stale when a row changes: the approval tests' drift case.

export default defineRunbook({
  id: "approval-demo",
  title: "Approval demo",
  summary: "Closes the open tickets of a scratch table; the plan lists which.",
  guide: "deployment-playbook",
  section: "Tests",
  params: z.object({
    marker: z.string().describe("file the change step writes, so a test sees whether it ran"),
    reason: z.string().default("tidy up").describe("why"),
    token: z.string().default("").meta({ secret: true }).describe("a secret the receipt must not hold"),
  }),
  steps: (step) => [
    step({
      id: "open-tickets",
      title: "List the open tickets",
      description: "Reads the open tickets.",
      danger: "read",
      timeoutMs: 10_000,
      async run(ctx) {
        const rows = await ctx.sql<{ id: number; title: string }>(
          "SELECT id, title FROM tickets WHERE state = 'open' ORDER BY id",
        );
        ctx.table({ title: "Open tickets", columns: ["id", "title"], rows });
        return rows.length;
      },
    }),
    step({
      id: "close-tickets",
      title: "Close them",
      description: "Sets every open ticket to closed.",
      danger: "change",
      timeoutMs: 10_000,
      async plan(ctx) {
        const rows = await ctx.sql<{ id: number }>("SELECT id FROM tickets WHERE state = 'open' ORDER BY id");
        return [`would close tickets ${rows.map((r) => r.id).join(", ") || "(none)"} (${ctx.params.reason})`];
      },
      async run(ctx) {
        const rows = await ctx.sql<{ id: number }>(
          "UPDATE tickets SET state = 'closed' WHERE state = 'open' RETURNING id",
        );
        writeFileSync(ctx.params.marker, rows.map((r) => r.id).join(","));
        ctx.log(`closed ${rows.length} tickets`);
      },
    }),
  ],
});
