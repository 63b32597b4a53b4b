import {
  type Approval,
  ApprovalRefused,
  type ApprovalRequirement,
  checkApproval,
  planLineOf,
  policyRequirements,
  recordedSecretParams,
  writePlanReceipt,
} from "./approvals.ts";
import type { Runbook, StepDefinition } from "./define.ts";
import type { EmitFn, RunEvent, RunStatus } from "./events.ts";
import type { ProvenanceFile } from "./provenance.ts";

export type { ApprovalRequirement } from "./approvals.ts";

// The approval gate as runRunbook meets it, so run.ts only calls it: a plan run in an
// approval-required environment collects its output and writes the receipt when it ends well; an
// apply is checked against its receipt before anything runs, and consumes it once its run id exists.

export interface ApprovalGate {
  /** The verified approval of an apply (null when none is needed or it is a plan). */
  approval: Approval | null;
  /** Sees every (masked) event of the run: a plan's output is what the receipt records. */
  observe: (event: RunEvent) => void;
  /** After a plan run ends ok: writes its receipt when one is needed. */
  planned: (runId: string) => Promise<{ id: string; file: string } | null>;
  /** An approval failure as the engine's refusal (the CLI and the console audit it). */
  refused: (error: unknown) => unknown;
}

type Refuse = (message: string, rule: string) => Error;

export async function approvalGate(
  runbook: Runbook,
  options: {
    plan?: boolean;
    approval?: string;
    approvalRequirements?: readonly ApprovalRequirement[];
    receipt?: boolean;
  },
  run: {
    env: string;
    actor: string;
    dir: string;
    processEnv: NodeJS.ProcessEnv;
    steps: readonly StepDefinition[];
    /** The parameters as recorded, secret ones masked. */
    params: Record<string, unknown>;
    /** The secret parameters' values: the receipt holds each as its reference's text or a keyed hash. */
    secrets: Record<string, unknown>;
    provenance: readonly ProvenanceFile[];
    replan: (capture: EmitFn) => Promise<{ status: RunStatus; failedStep: string | null }>;
    refuse: Refuse;
  },
): Promise<ApprovalGate> {
  const refused = (error: unknown) =>
    error instanceof ApprovalRefused ? run.refuse(error.message, error.rule) : error;
  const requirements = [
    ...policyRequirements(run.env, run.steps, run.processEnv, runbook.id),
    ...(options.approvalRequirements ?? []),
  ];
  const changes = run.steps.some((s) => s.danger !== "read");
  // Computed only for a receipt written or checked: it makes this install's key on first use.
  const receiptParams = async () => ({
    ...run.params,
    ...(await recordedSecretParams(run.dir, run.secrets)),
  });
  if (options.plan) {
    const writes = options.receipt !== false && changes && requirements.length > 0;
    const output: string[] = [];
    return {
      approval: null,
      observe: (event) => {
        const line = writes ? planLineOf(event) : null;
        if (line !== null) output.push(line);
      },
      planned: async (runId) => {
        if (!writes) return null;
        const { file } = await writePlanReceipt(run.dir, {
          id: runId,
          runbook: runbook.id,
          env: run.env,
          steps: run.steps.map((s) => s.id),
          params: await receiptParams(),
          output,
          provenance: run.provenance,
          plannedBy: run.actor,
          requiredBy: requirements,
        });
        return { id: runId, file };
      },
      refused,
    };
  }
  let approval: Approval | null;
  try {
    approval = await checkApproval({
      receipt: options.approval,
      requirements,
      runbook: runbook.id,
      env: run.env,
      actor: run.actor,
      steps: run.steps.map((s) => s.id),
      params: options.approval ? await receiptParams() : run.params,
      secrets: Object.keys(run.secrets),
      provenance: run.provenance,
      dir: run.dir,
      processEnv: run.processEnv,
      replan: async () => {
        const output: string[] = [];
        const result = await run.replan((event) => {
          const line = planLineOf(event);
          if (line !== null) output.push(line);
        });
        if (result.status !== "ok")
          throw new ApprovalRefused(
            `the plan could not be re-run to compare with the approved one (it ${result.status}${result.failedStep ? ` at step "${result.failedStep}"` : ""})`,
            "approval-drift",
          );
        return output;
      },
    });
  } catch (error) {
    throw refused(error);
  }
  return { approval, observe: () => undefined, planned: async () => null, refused };
}
