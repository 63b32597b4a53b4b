// The error-budget freeze as a gate (issue 20, part 5): which SLO's budget gates change, in which
// environments, which change runbooks stop while it is spent (and which go on, and why), which
// incidents hold the freeze until their post-mortem is linked, and what an emergency needs.
// ERROR_BUDGET_POLICY in slo.ts says it in words; this is the part the engine enforces
// (runbooks/engine/budget-gate.ts) and the page renders (the SLO page, "The freeze as a gate").
// Every change runbook of the catalog is in FROZEN_RUNBOOKS or CHANGES_THAT_GO_ON: a test checks
// both lists against the catalog, so a new change runbook cannot slip past the gate unclassified.
// Pure data, like the rest of policy/.
import type { Severity } from "./index.ts";
import type { SloId } from "./slo.ts";

/** The SLO whose remaining budget decides the freeze: what learners feel first. */
export const FREEZE_SLO: SloId = "availability";

/** The environments the freeze applies in (the engine's environment names). */
export const FREEZE_ENVIRONMENTS: readonly string[] = ["production"];

/** The environment `npm run runbook -- budget` reads when none is given: the freeze is production's. */
export const BUDGET_DEFAULT_ENV = "production";

/** The rule name a refusal of the gate carries in the audit log. */
export const FREEZE_RULE = "error-budget-freeze";

/** Why an emergency run during a freeze needs an approval receipt, as the approval requirement says it. */
export const EMERGENCY_APPROVAL_REASON = "emergency change during an error-budget freeze";

/** Non-urgent change runbooks that stop in a frozen environment, by runbook id, with the risk they carry. */
export const FROZEN_RUNBOOKS = {
  deploy: "ships new code: the most common cause of a new outage",
  "compose-deploy": "ships new code with Docker Compose",
  "railway-deploy": "ships new code on Railway",
  "render-deploy": "ships new code on Render",
  release: "cuts a release that the pipeline then deploys",
  "migrate-database": "changes the schema under live traffic",
  "scale-instances": "changes how many instances serve (scaling down removes capacity)",
  "remove-instance": "takes an instance out from behind nginx (scales down)",
  "add-instance": "changes the set of instances nginx sends traffic to",
  "create-replica": "adds load on the primary while the replica copies it",
  reindex: "maintenance change: heavy I/O on the primary",
  "vacuum-analyze": "maintenance change: heavy I/O on the primary",
  "dr-drill": "a drill: planned work, which waits until the budget is back",
} as const satisfies Record<string, string>;
export type FrozenRunbook = keyof typeof FROZEN_RUNBOOKS;

/** Change runbooks that go on during a freeze, by runbook id: fixes, incident response, backups, and why. */
export const CHANGES_THAT_GO_ON = {
  rollback: "a fix: returns to the release that met the SLO",
  "compose-rollback": "a fix: returns to the previous release",
  "railway-rollback": "a fix: returns to the previous release",
  "render-rollback": "a fix: returns to the previous release",
  "failover-to-replica": "incident response: the primary is lost",
  restore: "incident response: data was lost",
  "maintenance-mode": "incident response: stops the damage while it is fixed",
  "revoke-all-sessions": "incident response: a security measure",
  "rotate-database-password": "a security measure",
  "rotate-session-secret": "a security measure",
  patch: "security patches ship during a freeze (the policy's exceptions); it works on a branch",
  "post-deploy-verify": "checks a deployment; what it changes is its own probe data",
  "dev-stack": "the local stack only",
  "vercel-handbook-deploy": "publishes the handbook, not the app: learners never see it",
  "backup-now": "backups protect the budget; they do not spend it",
  "backup-timestamp": "publishes when the last backup ran",
  "copy-backup-offsite": "backups protect the budget; they do not spend it",
  "prune-backups": "keeps the backup disk from filling",
  "verify-backup": "restores into a scratch database, not production's",
  "monitoring-setup": "monitoring is how the budget is measured",
  "purge-sessions": "removes expired rows only",
  "cache-warm": "fills the caches: reduces load",
  "cdn-purge": "serves fixed pages after a fix",
  "troubleshoot-blocking-query": "incident response: ends the query that blocks",
  "troubleshoot-disk": "incident response: the disk is full",
  "troubleshoot-exercise-bank": "incident response: learners have no exercises",
  "troubleshoot-idle-transactions": "incident response: sessions hold locks",
  "troubleshoot-rate-limit": "incident response: one learner is locked out",
  "troubleshoot-replication-slot": "incident response: a slot fills the disk",
  "troubleshoot-stuck-instance": "incident response: an instance hangs",
  "troubleshoot-redis-memory": "incident response: Redis is out of memory",
  "rolling-restart": "incident response: restarts instances one at a time, capacity kept",
} as const satisfies Record<string, string>;

/**
 * Incidents that hold the freeze until their post-mortem link is recorded, by severity. An incident
 * counts while it started within the SLO window; until its link is recorded the freeze holds (and
 * starts) even if the budget reads positive: the cause of the spending comes before new change.
 */
export const POST_MORTEM_HOLDS = {
  P0: true,
  P1: true,
  P2: false,
  P3: false,
} as const satisfies Record<Severity, boolean>;

/** What the freeze says, in words, for the refusal and the page. */
export const FREEZE_SAYS = {
  frozen:
    "Non-urgent change runbooks refuse in production while the availability budget over the window is spent.",
  held: "After a P0 or P1 incident in the window, the freeze holds until its post-mortem link is recorded.",
  emergency: "An emergency change runs with --emergency and an approval receipt signed by a second person.",
  plans: "Plans (--plan) change nothing and are never frozen: a plan is how an emergency approval starts.",
  unknown:
    "When the budget cannot be read (no Prometheus configured, or it does not answer), frozen runbooks refuse in production: the gate fails closed.",
} as const;
