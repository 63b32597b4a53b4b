// Two-person approval of change runbooks: which environments need a signed approval receipt, how
// long a receipt stays valid, where the public keys of those who may sign live, and who may
// approve which environment. runbooks/engine/approvals.ts enforces it; the deployment and incident
// pages render it. Pure data, like the rest of policy/.

/**
 * required: a change or destructive run is refused without a receipt another person signed.
 * optional: a receipt is verified when one is given, and required only when the operator's
 *   environment says so (SSP_<ENV>_APPROVAL=required, see approvalVariable), e.g. a team that
 *   wants four eyes on staging too.
 * none: no receipt is asked for or checked (the local stack).
 */
export type ApprovalMode = "required" | "optional" | "none";

export interface ApprovalRule {
  approval: ApprovalMode;
  /**
   * Who may approve this environment: patterns matched against the principal (the first field of
   * the allowed-signers line whose key signed), `*` matching any run of characters. The key must
   * also be listed for the approval namespace (namespaces="ssp-approval", or no namespaces= at
   * all) in the allowed-signers file: ssh-keygen checks that part.
   */
  approvers: readonly string[];
}

export const APPROVAL_RULES = {
  dev: { approval: "none", approvers: [] },
  staging: { approval: "optional", approvers: ["*"] },
  production: { approval: "required", approvers: ["*"] },
} as const satisfies Record<string, ApprovalRule>;

/**
 * Runbooks whose changes need no second person even where approval is required, and why. Each only
 * adds something (a backup, a check) or returns to what ran before; the production deploy runs
 * them unattended around the approved migration and deploy (.github/workflows/deploy-production.yml).
 * Every run of them is still in the audit log.
 */
export const APPROVAL_EXEMPT: Readonly<Record<string, string>> = {
  "backup-now": "it adds a backup and changes nothing learners use",
  "verify-backup": "it restores a backup into a scratch database, never into the environment's own",
  "post-deploy-verify": "it only checks the release that was deployed (its change is a marker of the check)",
  rollback:
    "it returns to the release that ran before the approved deploy; when a deploy fails its verification, waiting for a second person would prolong the outage",
};

/**
 * The namespace approvals are signed under (ssh-keygen -Y sign -n …); the engine's
 * runbooks/engine/ssh-signatures.ts NAMESPACES.approval, restated here for the pages and the
 * allowed-signers lines (runbooks/engine/approvals.test.ts checks that they agree).
 */
export const APPROVAL_NAMESPACE = "ssp-approval";

/** How long a plan receipt may be applied after it was planned, in minutes: the world moves on. */
export const RECEIPT_LIFETIME_MINUTES = 60;

/**
 * How a receipt records a secret parameter given as a value (one given as a secret reference,
 * env:NAME, is recorded as the reference's text): this prefix and the HMAC-SHA256 of the value,
 * keyed with this install's random key. A different secret at apply is then refused by name,
 * while neither the receipt nor the audit log ever holds the secret.
 */
export const RECEIPT_SECRET_HASH = "hmac-sha256:";

/** That key: in the data directory (owner-only), made on the first receipt that needs it. */
export const RECEIPT_SECRET_KEY_FILE = "approvals/secret-params.key";

/** The allowed-signers file (ssh-keygen(1) ALLOWED SIGNERS), relative to the repository root. */
export const ALLOWED_SIGNERS_FILE = "policy/allowed_signers";

/** The variable that points at another allowed-signers file (a team's own, or a test's throwaway keys). */
export const ALLOWED_SIGNERS_VARIABLE = "SSP_ALLOWED_SIGNERS";

/** The variable that makes an `optional` environment's approval required on this machine. */
export function approvalVariable(env: string): string {
  return `SSP_${env.toUpperCase()}_APPROVAL`;
}

/** Whether `principal` matches one of `patterns` (`*` is any run of characters, case-insensitive). */
export function principalMatches(principal: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
    return new RegExp(`^${escaped}$`, "i").test(principal);
  });
}
