import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { defineRunbook } from "../../../../runbooks/engine/define.ts";

// A stand-in for the real deploy in the error-budget gate's tests: the gate keys on the runbook's
// id (policy/error-budget-freeze.ts), and this one's change is a file the test can look for.

export default defineRunbook({
  id: "deploy",
  title: "Deploy (test stand-in)",
  summary: "Writes a marker file: proof the change ran.",
  guide: "deployment-playbook",
  section: "Tests",
  params: z.object({
    marker: z.string().min(1).describe("the file the change writes"),
  }),
  steps: (step) => [
    step({
      id: "ship",
      title: "Ship",
      description: "Writes the marker file.",
      danger: "change",
      timeoutMs: 5_000,
      async run(ctx) {
        await writeFile(ctx.params.marker, "deployed\n");
        ctx.log("deployed");
      },
    }),
  ],
});
