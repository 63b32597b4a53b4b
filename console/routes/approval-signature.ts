import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import {
  ApprovalRefused,
  readReceipt,
  receiptPath,
  recordApproval,
  samePerson,
  signaturePath,
  signerOf,
} from "../../runbooks/engine/approvals.ts";
import { PRIVATE_FILE } from "../../runbooks/engine/private-files.ts";
import { ApprovalSignatureBody, type ApprovalSignatureResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/approvals/<receipt id>/signature: the signature an approver made on their own machine
// (the key never comes here), pasted into the page. It is kept next to the receipt only when it
// verifies: by a key in the allowed signers that may approve the receipt's environment, and not
// the key of who planned it. The apply checks it all again (and who applies).
export default defineRoute({
  method: "POST",
  path: "/api/approvals/:runId/signature",
  body: ApprovalSignatureBody,
  access: "session",
  async handle({ params, body, session }, { dataDir, processEnv, actorOf }) {
    const actor = actorOf(session);
    const file = receiptPath(dataDir, params.runId as string);
    if (!existsSync(file))
      return {
        status: 404,
        body: { error: `run ${params.runId} wrote no approval receipt` },
        rule: "approval-missing",
      };
    try {
      const { text, receipt } = await readReceipt(file);
      const signer = await signerOf(text, body.signature, receipt.env, processEnv);
      if (samePerson(signer, receipt.plannedBy))
        throw new ApprovalRefused(
          `the signature is ${signer}'s, who planned receipt ${receipt.id}: an approval must come from a second person`,
          "approval-self",
        );
      await writeFile(signaturePath(file), body.signature, { mode: PRIVATE_FILE });
      await recordApproval(dataDir, {
        action: "signed",
        receipt: receipt.id,
        runbook: receipt.runbook,
        env: receipt.env,
        who: `${signer} (pasted into the console by ${actor})`,
        signer,
      });
      const reply: ApprovalSignatureResponse = { signer };
      return { status: 200, body: reply };
    } catch (error) {
      if (error instanceof ApprovalRefused)
        return { status: 400, body: { error: error.message }, rule: error.rule };
      throw error;
    }
  },
});
