import { z } from "zod";
import { defineRunbook } from "../../../../runbooks/engine/define.ts";

// A fixture for tests/runbooks/secret-refs.test.ts: connects to the environment's database (whose
// URL the test gives as a secret reference) and prints the URL, which must come out masked.

export default defineRunbook({
  id: "secret-probe",
  title: "Secret probe",
  summary: "Connects with the environment's database URL and prints it.",
  guide: "incident-response",
  section: "Tests",
  params: z.object({}),
  steps: (step) => [
    step({
      id: "connect",
      title: "Connect and print the URL",
      description: "Runs one query as the URL's user and echoes the URL.",
      danger: "read",
      timeoutMs: 10_000,
      async run(ctx) {
        ctx.log(`url: ${ctx.env.databaseUrl}`);
        const rows = await ctx.sql<{ who: string; method: string }>(
          "select current_user as who, (select 'scram' where current_setting('password_encryption') = 'scram-sha-256') as method",
        );
        ctx.log(`connected as ${rows[0]?.who} (${rows[0]?.method})`);
        return { who: rows[0]?.who ?? null };
      },
    }),
  ],
});
