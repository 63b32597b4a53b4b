import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { readReceipt, signaturePath } from "../../runbooks/engine/approvals.ts";
import { NAMESPACES, signMessage } from "../../runbooks/engine/ssh-signatures.ts";

// A second person for tests that change production through the engine: a throwaway ed25519 key
// made by ssh-keygen in the test's folder, listed as an approver in an allowed-signers file of its
// own (SSP_ALLOWED_SIGNERS). A test plans (the engine writes the receipt), has it `approve` the
// receipt as the approve command would, and applies with the receipt.

export interface Approver {
  /** The variable that points the engine at this approver's allowed-signers file. */
  env: { SSP_ALLOWED_SIGNERS: string };
  /** Signs a receipt file as the approve command does (the signature next to it). */
  approve(receiptFile: string): Promise<void>;
}

export async function makeApprover(dir: string, principal = "test-approver"): Promise<Approver> {
  const key = path.join(dir, `approver-${principal}`);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", key]);
  const allowed = path.join(dir, "allowed_signers");
  const pub = (await readFile(`${key}.pub`, "utf8")).trim();
  await writeFile(allowed, `${principal} namespaces="${NAMESPACES.approval}" ${pub}\n`);
  return {
    env: { SSP_ALLOWED_SIGNERS: allowed },
    async approve(receiptFile) {
      const { text } = await readReceipt(receiptFile);
      await writeFile(signaturePath(receiptFile), await signMessage(key, NAMESPACES.approval, text), {
        mode: 0o600,
      });
    },
  };
}
