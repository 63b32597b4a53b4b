import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  ApprovalRefused,
  allowedSignersFile,
  applyCommand,
  approveCommand,
  readReceipt,
  recordApproval,
  samePerson,
  signaturePath,
  signerOf,
} from "../approvals.ts";
import { dataDir } from "../paths.ts";
import { PRIVATE_FILE } from "../private-files.ts";
import { NAMESPACES, SignatureError, signMessage } from "../ssh-signatures.ts";
import { terminalText } from "../terminal-text.ts";

// npm run runbook -- approve <receipt> [--key ~/.ssh/id_ed25519] [--yes]
// Run by the approver, on their own machine, where their key is: shows what the receipt approves
// (runbook, environment, parameters, the files' hashes, the plan's output), asks them to type
// "approve" (or takes --yes), signs the receipt's exact bytes with `ssh-keygen -Y sign` under the
// approval namespace, checks that the signature verifies against the allowed-signers file for that
// environment, and writes it next to the receipt (<receipt>.sig) for the operator who applies.

export interface ApproveIo {
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
  ask?: (question: string) => Promise<string>;
}

export async function approve(
  receiptArg: string | undefined,
  options: { key?: string | undefined; yes?: boolean | undefined },
  io: ApproveIo,
): Promise<void> {
  if (!receiptArg)
    throw new ApprovalRefused(
      "approve needs the receipt file the plan wrote: npm run runbook -- approve <receipt>",
      "approval-missing",
    );
  const file = path.resolve(receiptArg);
  const { text, receipt } = await readReceipt(file);
  const log = (line: string) => io.out(`${terminalText(line)}\n`);
  log(`You are asked to approve receipt ${receipt.id}:`);
  log(`  runbook      ${receipt.runbook}`);
  log(`  environment  ${receipt.env}`);
  log(`  steps        ${receipt.steps.join(", ")}`);
  log(`  parameters   ${JSON.stringify(receipt.params)}`);
  log(`  planned by   ${receipt.plannedBy} at ${receipt.plannedAt}`);
  log(`  expires      ${receipt.expiresAt}`);
  for (const requirement of receipt.requiredBy) log(`  required by  ${requirement.reason}`);
  log(
    `  sources      ${receipt.sources.length} files, each with its sha256 (the apply refuses if any changed)`,
  );
  log(`\nthe plan's output (sha256 ${receipt.plan.sha256}):`);
  for (const line of receipt.plan.output) log(`  │ ${line}`);
  if (receipt.plan.output.length === 0) log("  │ (no output)");
  if (Date.now() > Date.parse(receipt.expiresAt))
    throw new ApprovalRefused(
      `receipt ${receipt.id} expired at ${receipt.expiresAt}: ask for a new plan`,
      "approval-expired",
    );
  if (!options.yes) {
    if (!io.ask)
      throw new ApprovalRefused(
        "no terminal to confirm the approval in: read the receipt above, then pass --yes",
        "confirmation",
      );
    const answer = await io.ask(`\nType "approve" to sign receipt ${receipt.id} with your key: `);
    if (answer.trim() !== "approve")
      throw new ApprovalRefused("not approved: nothing was signed", "confirmation");
  }
  const key = options.key ?? path.join(os.homedir(), ".ssh", "id_ed25519");
  let signature: string;
  try {
    signature = await signMessage(key, NAMESPACES.approval, text);
  } catch (error) {
    if (error instanceof SignatureError) throw new ApprovalRefused(error.message, "approval-signature");
    throw error;
  }
  // The apply checks the same: better to hear now that the key is not an approver's.
  const signer = await signerOf(text, signature, receipt.env, io.env);
  if (samePerson(signer, receipt.plannedBy))
    throw new ApprovalRefused(
      `your key is ${signer}'s, who planned receipt ${receipt.id}: an approval must come from a second person`,
      "approval-self",
    );
  const sigFile = signaturePath(file);
  await writeFile(sigFile, signature, { mode: PRIVATE_FILE });
  await recordApproval(dataDir(io.env), {
    action: "signed",
    receipt: receipt.id,
    runbook: receipt.runbook,
    env: receipt.env,
    // The key says who approved: the OS account of the approver's machine is not a person.
    who: signer,
    signer,
  });
  log(`\nsigned as ${signer} (verified against ${allowedSignersFile(io.env)}); the signature is in`);
  log(`  ${sigFile}`);
  log("give it to the operator (next to the receipt), or paste it into the console's approval box:\n");
  io.out(signature);
  log(`\nthey apply with: ${applyCommand(receipt, file)}`);
}

/** What the CLI prints after a plan that wrote a receipt: where it is and the commands that follow. */
export async function receiptNotice(file: string): Promise<string> {
  const { receipt } = await readReceipt(file);
  return (
    `\nthis plan needs a second person's approval before it is applied; its receipt is\n  ${file}\n` +
    `the approver, on their machine (where their key is), with a copy of it:\n  ${approveCommand(file)}\n` +
    `then, with the signature next to the receipt (${path.basename(file)}.sig), you apply:\n  ${applyCommand(receipt, file)}\n`
  );
}
