import { API, type ApprovalResponse, type ApprovalSignatureResponse } from "../../console/protocol.ts";
import { ApiError, getJson, postJson } from "./console-api.ts";

// After a plan run that wrote an approval receipt (a change in an environment whose policy requires
// a second person's approval), the runbook shows the receipt beside the plan: what is approved,
// exactly what is signed, the commands that sign it on the approver's own machine (the key never
// comes to the page or the console), a box for the signature they paste back, and Apply, which
// runs the same steps with the same parameters naming the receipt. The console checks the pasted
// signature when it is pasted; the engine checks everything again when the run starts.

export interface ApprovedRun {
  receipt: string;
  steps: string[];
}

/** Removes the approval panel of an earlier plan (a new run starts). */
export function clearApproval(section: HTMLElement): void {
  for (const panel of section.querySelectorAll(".approval-panel")) panel.remove();
}

/**
 * Shows the receipt plan run `runId` wrote, if it wrote one; `apply` starts the apply with it.
 * The panel goes right after the run's output.
 */
export async function showApproval(
  section: HTMLElement,
  runId: string,
  apply: (run: ApprovedRun) => Promise<void>,
): Promise<void> {
  clearApproval(section);
  let reply: ApprovalResponse;
  try {
    reply = await getJson<ApprovalResponse>(API.approval(runId));
  } catch (error) {
    // 404: this plan needs no approval (read-only, or an environment without the rule).
    if (error instanceof ApiError && error.status === 404) return;
    throw error;
  }
  const { receipt, commands } = reply;
  const panel = element("section", "approval-panel");
  panel.setAttribute("aria-label", `Approval of plan ${receipt.id}`);
  panel.append(
    element("h4", "", "A second person must approve this plan before it is applied"),
    element(
      "p",
      "approval-summary",
      `Receipt ${receipt.id}: ${receipt.runbook} in ${receipt.env}, steps ${receipt.steps.join(", ")}, planned by ${receipt.plannedBy} at ${receipt.plannedAt}; it expires at ${receipt.expiresAt}. ${receipt.requiredBy.map((r) => r.reason).join("; ")}.`,
    ),
    element("p", "", "The plan being approved (its output, with the hash of every file the run executes):"),
    element("pre", "approval-plan history-output", receipt.plan.output.join("\n") || "(no output)"),
  );
  const signed = element("details", "approval-text");
  signed.append(
    element("summary", "", "Exactly what is signed"),
    element("pre", "history-output", reply.text),
  );
  panel.append(
    signed,
    element(
      "p",
      "",
      "The approver signs it on their own machine, where their SSH key is. With the handbook checked out and a copy of the receipt file:",
    ),
    code(commands.approve, "approval-approve-command"),
    element(
      "p",
      "",
      "or with ssh-keygen alone (the receipt is in the command), then paste what it prints below:",
    ),
    code(commands.sshKeygen, "approval-sign-command"),
  );
  const label = element("label", "approval-signature-label", "Signature (-----BEGIN SSH SIGNATURE----- …)");
  const box = document.createElement("textarea");
  box.className = "approval-signature";
  box.rows = 6;
  box.spellcheck = false;
  label.append(box);
  const check = element("button", "approval-check", "Check the signature") as HTMLButtonElement;
  check.type = "button";
  const go = element("button", "approval-apply", "Apply with this approval") as HTMLButtonElement;
  go.type = "button";
  go.disabled = reply.signer === null || reply.used;
  const status = element("p", "approval-status");
  status.setAttribute("role", "status");
  if (reply.used) say(status, "This receipt was used already: plan again for a new approval.", "error");
  else if (reply.signer)
    say(status, `Signed by ${reply.signer}. Apply re-runs the plan first and compares it.`);
  panel.append(label, check, go, status);
  check.addEventListener("click", async () => {
    check.disabled = true;
    try {
      const answer = await postJson<ApprovalSignatureResponse>(API.approvalSignature(receipt.id), {
        signature: box.value,
      });
      say(
        status,
        `Signed by ${answer.signer}. Apply runs the same steps with the same parameters; the plan is re-run first and compared with this one.`,
      );
      go.disabled = false;
      go.focus();
    } catch (error) {
      say(status, `Not accepted: ${error instanceof Error ? error.message : String(error)}`, "error");
      go.disabled = true;
    } finally {
      check.disabled = false;
    }
  });
  go.addEventListener("click", () => {
    go.disabled = true;
    void apply({ receipt: receipt.id, steps: receipt.steps });
  });
  const anchor = section.querySelector(".run-panel");
  if (anchor) anchor.after(panel);
  else section.append(panel);
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function code(text: string, className: string): HTMLElement {
  const pre = element("pre", `${className} history-output`);
  pre.append(element("code", "", text));
  return pre;
}

function say(status: HTMLElement, text: string, kind: "error" | "info" = "info"): void {
  status.textContent = text;
  status.dataset.kind = kind;
}
