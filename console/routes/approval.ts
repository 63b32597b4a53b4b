import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import {
  ApprovalRefused,
  applyCommand,
  approveCommand,
  readReceipt,
  receiptPath,
  signaturePath,
  signerOf,
  sshKeygenCommand,
  usedPath,
} from "../../runbooks/engine/approvals.ts";
import type { ApprovalResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/approvals/<receipt id>: the plan receipt a plan run wrote (its id is the run's), for the
// page to show beside the plan: what would be approved, exactly what is signed, the commands that
// sign it on the approver's machine and apply it, and who signed it once a signature is there.
// 404 when that run wrote none (a read-only plan, or an environment that needs no approval).
export default defineRoute({
  method: "GET",
  path: "/api/approvals/:runId",
  access: "session",
  async handle({ params }, { dataDir, processEnv }) {
    const file = receiptPath(dataDir, params.runId as string);
    if (!existsSync(file))
      return {
        status: 404,
        body: { error: `run ${params.runId} wrote no approval receipt` },
        rule: "approval-missing",
      };
    const { text, receipt } = await readReceipt(file);
    let signer: string | null = null;
    if (existsSync(signaturePath(file))) {
      try {
        signer = await signerOf(text, await readFile(signaturePath(file), "utf8"), receipt.env, processEnv);
      } catch (error) {
        // A signature that no longer verifies (the allowed signers changed) is shown as none.
        if (!(error instanceof ApprovalRefused)) throw error;
      }
    }
    const reply: ApprovalResponse = {
      receipt,
      text,
      file,
      signer,
      used: existsSync(usedPath(dataDir, receipt.id)),
      commands: {
        approve: approveCommand(file),
        sshKeygen: sshKeygenCommand(text),
        apply: applyCommand(receipt, file),
      },
    };
    return { status: 200, body: reply };
  },
});
