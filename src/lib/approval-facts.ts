import {
  ALLOWED_SIGNERS_FILE,
  ALLOWED_SIGNERS_VARIABLE,
  APPROVAL_EXEMPT,
  APPROVAL_NAMESPACE,
  APPROVAL_RULES,
  approvalVariable,
  RECEIPT_LIFETIME_MINUTES,
  RECEIPT_SECRET_HASH,
  RECEIPT_SECRET_KEY_FILE,
} from "../../policy/approvals.ts";
import type { TableView } from "./policy-view.ts";

// The approval policy (policy/approvals.ts) as the handbook's tables: which environments need a
// second person, who may approve them, which runbooks are exempt and why, and the settings.

const MODE_WORDS = {
  required: "required for every change or destructive run",
  optional: "checked when a receipt is given; required when the variable says so",
  none: "never asked for",
} as const;

export function approvalRulesView(): TableView {
  return {
    caption: "Where a second person must approve",
    source: "policy/approvals.ts",
    headers: ["Environment", "Approval", "Who may approve (principal patterns)", "Made required by"],
    rows: Object.entries(APPROVAL_RULES).map(([env, rule]) => [
      env,
      `${rule.approval}: ${MODE_WORDS[rule.approval]}`,
      rule.approvers.length ? rule.approvers.join(", ") : "nobody",
      rule.approval === "optional" ? `${approvalVariable(env)}=required` : "",
    ]),
  };
}

export function approvalExemptView(): TableView {
  return {
    caption: "Runbooks that need no approval",
    source: "policy/approvals.ts",
    headers: ["Runbook", "Why"],
    rows: Object.entries(APPROVAL_EXEMPT).map(([id, why]) => [id, why]),
  };
}

export function approvalSettingsView(): TableView {
  return {
    caption: "Approval settings",
    source: "policy/approvals.ts",
    headers: ["Setting", "Value"],
    rows: [
      ["Receipt lifetime", `${RECEIPT_LIFETIME_MINUTES} minutes after the plan`],
      ["Allowed-signers file", ALLOWED_SIGNERS_FILE],
      ["Another allowed-signers file", `${ALLOWED_SIGNERS_VARIABLE}=<path>`],
      ["Signature namespace", APPROVAL_NAMESPACE],
      [
        "A secret parameter given as a value, in the receipt",
        `${RECEIPT_SECRET_HASH}<HMAC-SHA256 of the value>`,
      ],
      ["The key of that hash (in the data directory, owner-only)", RECEIPT_SECRET_KEY_FILE],
    ],
  };
}
