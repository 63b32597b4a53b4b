import { z } from "zod";
import { defineRunbook, seconds } from "../../../../runbooks/engine/define.ts";

// Fixture runbooks for the `exercised` tests, named after runbooks policy/exercise.ts requires so
// their runs count against the real policy. Two read-only steps (a run in production needs no
// approval and touches nothing); `fail=true` fails the second, so a failed run can be recorded.

export function drill(id: string, title: string) {
  return defineRunbook({
    id,
    title,
    summary: `A stand-in for ${id}: prints two lines.`,
    guide: "maintenance-guide",
    section: "Tests",
    params: z.object({
      fail: z.boolean().default(false).describe("fail the second step"),
    }),
    steps: (step) => [
      step({
        id: "prepare",
        title: "Prepare",
        description: "Prints a line.",
        danger: "read",
        timeoutMs: seconds(10),
        async run(ctx) {
          ctx.log(`preparing ${id} in ${ctx.env.name}`);
        },
      }),
      step({
        id: "check",
        title: "Check",
        description: "Prints a line, or fails when asked to.",
        danger: "read",
        timeoutMs: seconds(10),
        async run(ctx) {
          if (ctx.params.fail) throw new Error("asked to fail");
          ctx.log("checked");
        },
      }),
    ],
  });
}
