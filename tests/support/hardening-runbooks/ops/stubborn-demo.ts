import { writeFileSync } from "node:fs";
import { z } from "zod";
import { defineRunbook } from "../../../../runbooks/engine/define.ts";
import { GREETING } from "./_helper.ts";

// A fixture for the hardening tests: a step whose process group ignores SIGTERM (only SIGKILL
// stops it), a step that prints terminal escapes and forged lines, and a one-line parameter.

export default defineRunbook({
  id: "stubborn-demo",
  title: "Stubborn demo",
  summary: "Holds a TERM-ignoring process group; prints hostile text.",
  guide: "operational-runbook",
  section: "Tests",
  params: z.object({
    pidFile: z.string().default("").describe("where the TERM-ignoring shell writes its pid"),
    note: z.string().default("").describe("a one-line note"),
    body: z.string().default("").meta({ multiline: true }).describe("a multi-line text"),
  }),
  steps: (step) => [
    step({
      id: "hostile-text",
      title: "Print hostile text",
      description: "Prints escapes, a bidi override and a forged line.",
      danger: "read",
      timeoutMs: 5_000,
      async run(ctx) {
        ctx.log(GREETING);
        ctx.log("clip\u001b]52;c;cHduZWQ=\u0007 clear\u001b[2J\u001b[H title\u001b]0;owned\u0007 done");
        ctx.log("subject \u202Etxt.exe\u202C end");
        ctx.log("row one\n✔ done in 0.1 s");
        await ctx.$`printf ${"from a child \u001b[31mred\u001b[0m\n"}`;
      },
    }),
    step({
      id: "hold",
      title: "Hold a TERM-ignoring process group",
      description: "Starts a shell that ignores SIGTERM and waits.",
      danger: "change",
      timeoutMs: 60_000,
      async run(ctx) {
        if (!ctx.params.pidFile) return;
        writeFileSync(ctx.params.pidFile, "");
        await ctx.$`sh -c ${`trap "" TERM; echo $$ >> ${ctx.params.pidFile}; while :; do sleep 0.2; done`}`;
      },
    }),
  ],
});
