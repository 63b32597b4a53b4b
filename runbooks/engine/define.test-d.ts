// A type test, checked by `tsc --noEmit -p .` (the typecheck gate), not run by Vitest: the `step`
// that `defineRunbook` hands to `steps` is typed by the runbook's params. If it ever falls back to
// an untyped context, the misspelt parameter below compiles, and tsc reports the unused
// `@ts-expect-error` as an error.
import { z } from "zod";
import { defineRunbook, seconds } from "./define.ts";

export const typedParams = defineRunbook({
  id: "typed-params",
  title: "Typed params",
  summary: "Proves that ctx.params is typed by the schema.",
  guide: "operational-runbook",
  section: "Type tests",
  params: z.object({
    profile: z.enum(["smoke", "stress"]).default("smoke"),
    target: z.string().optional(),
  }),
  steps: (step) => [
    step({
      id: "read-params",
      title: "Read the params",
      description: "Uses every parameter with its schema's type.",
      danger: "read",
      timeoutMs: seconds(1),
      run(ctx) {
        // Defaults are applied before a step runs, so the output type has no `undefined` here.
        const profile: "smoke" | "stress" = ctx.params.profile;
        const target: string | undefined = ctx.params.target;
        // @ts-expect-error: "profil" is not a parameter of this runbook.
        const misspelt = ctx.params.profil;
        return { profile, target, misspelt };
      },
    }),
    step({
      id: "plan-params",
      title: "Plan with the params",
      description: "plan gets the same typed context as run.",
      danger: "change",
      timeoutMs: seconds(1),
      plan: (ctx) => [`would load ${ctx.params.profile}`],
      run(ctx) {
        // @ts-expect-error: a number is not one of the profiles.
        const wrong: number = ctx.params.profile;
        return wrong;
      },
    }),
  ],
});
