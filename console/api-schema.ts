import { z } from "zod";

// What the page may send. Nothing else is accepted: a run is a registered runbook, a step of it,
// an environment and parameters, and the parameters are validated again by the runbook's schema.

const Id = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be a kebab-case id");

export const StartRunBody = z.strictObject({
  runbook: Id,
  env: z.string().max(20),
  step: Id.optional(),
  from: Id.optional(),
  resume: z
    .string()
    .regex(/^[\w-]{1,80}$/, "must be a run id")
    .optional(),
  params: z
    .record(
      z
        .string()
        .max(64)
        .regex(/^[A-Za-z]\w*$/, "parameter names are identifiers"),
      z.union([z.string().max(4_096), z.number(), z.boolean()]),
    )
    .default({}),
  plan: z.boolean().default(false),
  confirm: z.string().max(40).optional(),
  sourceHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a sha256 hex digest")
    .optional(),
});

export const LoginBody = z.strictObject({ token: z.string().max(200) });

export const EmptyBody = z.strictObject({});

export const RUN_ID = /^[\w-]{1,80}$/;

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
}
