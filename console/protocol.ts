import * as z from "zod/mini";
import type { ApprovalRecord, PlanReceipt } from "../runbooks/engine/approvals.ts";
import type { AuditRecord, RefusalRecord } from "../runbooks/engine/audit.ts";
import type { BudgetReading } from "../runbooks/engine/budget.ts";
import { type ArtifactDeclaration, type ArtifactViewer, ID_PATTERN } from "../runbooks/engine/define.ts";
import { RUN_ID_PATTERN, type RunEvent } from "../runbooks/engine/events.ts";
import type { ExerciseRun } from "../runbooks/engine/exercise.ts";
import type { LedgerReport } from "../runbooks/engine/ledger-verify.ts";
import type { RunDiff } from "../runbooks/engine/run-diff.ts";

// The one contract between the console (console/routes/) and the handbook's pages
// (src/scripts/): request bodies as zod schemas with their inferred types, the response types,
// the constants both sides spell, and the deep-link format. It imports nothing from Node, so the
// page bundles it; `zod/mini` keeps that bundle small.

export { type EventFormatters, renderEvent } from "../runbooks/engine/events.ts";
export {
  describeRow,
  EXERCISED_EXIT,
  type ExerciseRecord,
  type ExerciseRow,
  exerciseRecord,
  exerciseRow,
  exerciseTable,
  lastRunsOf,
  parseExerciseRecord,
} from "../runbooks/engine/exercise.ts";
export { LEDGER_FACTS } from "../runbooks/engine/ledger-facts.ts";
export type { LedgerBreak, LedgerReport } from "../runbooks/engine/ledger-verify.ts";
export { alignsRight, cellText, type TableData, tableLines } from "../runbooks/engine/table.ts";
export type {
  ArtifactDeclaration,
  ArtifactViewer,
  AuditRecord,
  ExerciseRun,
  RefusalRecord,
  RunDiff,
  RunEvent,
};

/** The header every API call from the page carries. HTML forms cannot set it. */
export const CONSOLE_HEADER = "x-console-request";
export const CONSOLE_HEADER_VALUE = "1";
/** The console marks every page it serves with this meta tag; a static copy has none. */
export const CONSOLE_META_NAME = "ssp-console";
export const CONSOLE_MARKER = `meta[name="${CONSOLE_META_NAME}"]`;
export const CONSOLE_META_TAG = `<meta name="${CONSOLE_META_NAME}" content="1">`;
export const DEFAULT_CONSOLE_PORT = 4321;
export const DEFAULT_CONSOLE_URL = `http://127.0.0.1:${DEFAULT_CONSOLE_PORT}`;

/**
 * The Content-Security-Policy every page the console serves runs under, directive by directive;
 * console/csp.ts adds to script-src the sha256 of each inline script of the page. The page's own
 * scripts must work under it (no inline handlers, no eval), and the handbook shows it
 * (infrastructure-architecture/security.mdx).
 */
export const PAGE_POLICY_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
] as const;
/** The policy of API answers and files that are not pages: nothing may load, nothing may frame them. */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Runbook, step and artifact ids, as the engine defines them. */
/** Run ids and approval receipt ids, as the engine defines them. */
export { ID_PATTERN, RUN_ID_PATTERN };
export const PARAM_NAME_PATTERN = /^[A-Za-z]\w*$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const Id = z.string().check(z.maxLength(80), z.regex(ID_PATTERN, "must be a kebab-case id"));

export const StartRunBody = z.strictObject({
  runbook: Id,
  env: z.string().check(z.maxLength(20)),
  step: z.optional(Id),
  from: z.optional(Id),
  resume: z.optional(z.string().check(z.regex(RUN_ID_PATTERN, "must be a run id"))),
  params: z._default(
    z.record(
      z.string().check(z.maxLength(64), z.regex(PARAM_NAME_PATTERN, "parameter names are identifiers")),
      z.union([z.string().check(z.maxLength(4_096)), z.number(), z.boolean()]),
    ),
    {},
  ),
  plan: z._default(z.boolean(), false),
  /** Run as an emergency during an error-budget freeze (it then needs an approval receipt). */
  emergency: z.optional(z.boolean()),
  confirm: z.optional(z.string().check(z.maxLength(40))),
  sourceHash: z.optional(z.string().check(z.regex(SHA256_PATTERN, "must be a sha256 hex digest"))),
  /** The approval receipt (its id: the plan run's) an apply in an approval-required environment names. */
  approval: z.optional(z.string().check(z.regex(RUN_ID_PATTERN, "must be a receipt id (the plan run's id)"))),
});
export type StartRunRequest = z.input<typeof StartRunBody>;
export type StartRun = z.output<typeof StartRunBody>;

/** POST /api/approvals/<receipt>/signature: the armored text `ssh-keygen -Y sign` printed. */
export const ApprovalSignatureBody = z.strictObject({ signature: z.string().check(z.maxLength(4_096)) });
export type ApprovalSignatureRequest = z.input<typeof ApprovalSignatureBody>;

/** A plan receipt as the page shows it beside the plan, with the commands that sign and apply it. */
export interface ApprovalResponse {
  receipt: PlanReceipt;
  /** Exactly what is signed. */
  text: string;
  /** Where the console keeps it. */
  file: string;
  /** The signer, once a signature that verifies is next to it. */
  signer: string | null;
  used: boolean;
  commands: { approve: string; sshKeygen: string; apply: string };
}

export interface ApprovalSignatureResponse {
  signer: string;
}

export const LoginBody = z.strictObject({ token: z.string().check(z.maxLength(200)) });
export type LoginRequest = z.input<typeof LoginBody>;

export const EmptyBody = z.strictObject({});

/** A challenge signed with the operator's SSH key (POST /api/session/key). */
export const KeySignInBody = z.strictObject({
  challenge: z.string().check(z.maxLength(100)),
  signature: z.string().check(z.maxLength(4_000)),
});
export type KeySignInRequest = z.input<typeof KeySignInBody>;

/** "field: problem; field: problem", for a 400 that names what to fix. */
export function describeIssues(error: {
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>;
}): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
}

// Responses. Every error is `{ error }` with a status that says what kind.

export interface ErrorResponse {
  error: string;
}

export interface EnvironmentInfo {
  name: string;
  configured: boolean;
  appUrl?: string;
  reason?: string;
  /** The settings given as secret references: variable → the reference's text (never its value). */
  references?: Record<string, string>;
}

/**
 * Signing in, as the console does it and the handbook describes it (the site may import this
 * file only): sessions.ts, sign-in-challenges.ts and settings.ts take their numbers and names
 * from here. `namespace` is runbooks/engine/ssh-signatures.ts NAMESPACES.consoleLogin (a test
 * holds them equal; that module runs ssh-keygen, so the page cannot bundle it).
 */
export const SIGN_IN = {
  loginPath: "/console/login",
  /** A named operator's one-time link stays usable this long. */
  operatorLinkMinutes: 30,
  /** A challenge must be signed and presented within this. */
  challengeMinutes: 5,
  namespace: "ssp-console-login",
  /** The command the sign-in page shows (with the challenge piped in). */
  signCommand: "ssh-keygen -Y sign -n ssp-console-login -f ~/.ssh/id_ed25519",
  allowedSignersDefault: "policy/allowed_signers",
  allowedSignersVariable: "SSP_ALLOWED_SIGNERS",
  /** Safe operator names: principals as allowed-signers files spell them. */
  namePattern: /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/,
} as const;

/** The settings that serve the console to a team (console/settings.ts reads them at start). */
export const TEAM_SETTINGS = [
  { name: "CONSOLE_TLS_CERT", what: "the certificate (PEM file) to serve https with; with CONSOLE_TLS_KEY" },
  { name: "CONSOLE_TLS_KEY", what: "its private key (PEM file), readable by the console's user only" },
  {
    name: "CONSOLE_HOST",
    what: "the address to bind (default 127.0.0.1); anything beyond loopback is refused without TLS",
  },
  {
    name: "CONSOLE_PUBLIC_URL",
    what: "the https origin people use when nginx ends TLS in front (links, Host and Origin checks, Secure cookie)",
  },
  {
    name: "SSP_ALLOWED_SIGNERS",
    what: "the allowed-signers file of who may sign in by name or key (default policy/allowed_signers)",
  },
] as const;

/** How the session's operator proved who they are. */
export type SignInMethod = "host-link" | "operator-link" | "ssh-key";

export interface ConsoleInfo {
  /** The name runs and refusals from this session record: the signed-in operator. */
  actor: string;
  signedInVia: SignInMethod;
  environments: EnvironmentInfo[];
  running: string[];
  changedOnDisk: string[];
  /** Runbooks (by id) and environments (`env:<name>`) disabled for now, with the reason. */
  disabled: DisabledInfo[];
}

export interface DisabledInfo {
  target: string;
  reason: string;
  by: string;
  at: string;
  until: string | null;
}

export interface SessionResponse {
  ok: true;
  /** Who the session acts as. */
  operator: string;
}

/** A sign-in challenge (POST /api/session/challenge): the text to sign and the command that signs it. */
export interface ChallengeResponse {
  id: string;
  message: string;
  expiresAt: string;
  command: string;
}

export interface StartRunResponse {
  runId: string;
  /** The run's event stream, with its single-use ticket. */
  events: string;
}

/** What POST /api/runs/check says of a request that would start (nothing runs). */
export interface CheckRunResponse {
  ok: true;
  env: string;
  /** The steps that would run and are destructive: the operator confirms those. */
  destructive: string[];
  /** For a resume: where it starts and the parameters it reuses (shown before it starts). */
  resume?: ResumePreview;
}

export interface ResumePreview {
  runId: string;
  /** The failed step it starts from. */
  from: string;
  /** The steps it would run, from `from` to the end. */
  steps: string[];
  /** The recorded run's parameters (secret ones masked). */
  params: Record<string, unknown>;
}

export interface ReloadResponse {
  changed: string[];
}

export interface CancelResponse {
  cancelling: string;
}

/** A recorded run, with the names of the declared artifacts it left. */
export type HistoryEntry = AuditRecord & { artifacts: string[] };

export interface HistoryResponse {
  runs: HistoryEntry[];
}

/** A line of the audit view: a run (with its artifacts) or a refused attempt. */
export type AuditViewEntry = ({ kind: "run" } & HistoryEntry) | RefusalRecord | ApprovalRecord;

/** The audit view's filters (GET /api/audit query); a result is a run's status or "refused". */
export interface AuditFilter {
  runbook?: string;
  env?: string;
  actor?: string;
  result?: string;
}

export interface AuditResponse {
  /** Newest first, at most AUDIT_VIEW_LIMIT. */
  entries: AuditViewEntry[];
  /** How many matched before the limit. */
  matched: number;
}

export const AUDIT_VIEW_LIMIT = 500;

/** GET /api/exercised: the last successful run per runbook and environment (the page adds the state). */
export interface ExercisedResponse {
  lastRuns: ExerciseRun[];
}
/** GET /api/audit/verify: the ledger's verification, and its lines as audit verify prints them. */
export type AuditVerifyResponse = LedgerReport & { summary: string[] };

export interface RunLogResponse {
  events: RunEvent[];
}

/** GET /api/runs/<id>/diff: the run (B) compared with another or the previous one (A). */
export interface RunDiffResponse {
  diff: RunDiff;
}

/** The `event: gone` message of a stream whose run this console no longer holds. */
export interface GoneMessage {
  error: string;
}

export const COMMIT_PATTERN = /^[0-9a-f]{40}$/;

/**
 * How the handbook's commit relates to the release an environment runs (its /healthz): "ahead"
 * means the handbook describes commits the environment does not run yet.
 */
export interface ReleaseComparison {
  env: string;
  state: "same" | "ahead" | "behind" | "diverged" | "unknown";
  /** Commits in the handbook's build and not in the release, and the other way round. */
  ahead?: number;
  behind?: number;
  /** What the environment reports it runs. */
  version?: string;
  commit?: string;
  /** The sentence the page shows, "unknown" cases saying why. */
  summary: string;
}

export interface ReleasesResponse {
  handbook: string | null;
  environments: ReleaseComparison[];
}

/** The API's paths, built in one place. Ids are checked by the server; these only encode them. */
/**
 * GET /api/budget?env=: the error budget that gates change there and whether the freeze holds; or,
 * when it cannot be read (no Prometheus configured, or it does not answer), why, and what to set.
 */
export type BudgetResponse = BudgetReadingResponse | { env: string; gated: boolean; unavailable: string };

/** A budget reading as runbooks/engine/budget.ts reads it (without the SLO id and the Prometheus asked), and the freeze. */
export type BudgetReadingResponse = Omit<BudgetReading, "slo" | "prometheus"> & {
  frozen: boolean;
  /** Whether the freeze applies in this environment at all. */
  gated: boolean;
  /** Why it is frozen, one line each. */
  why: string[];
};

export const API = {
  session: "/api/session",
  challenge: "/api/session/challenge",
  keySignIn: "/api/session/key",
  console: "/api/console",
  runs: "/api/runs",
  checkRun: "/api/runs/check",
  reload: "/api/reload",
  releases: (handbookCommit: string | null) =>
    `/api/releases${handbookCommit ? `?handbook=${encodeURIComponent(handbookCommit)}` : ""}`,
  history: (runbook: string) => `/api/history?runbook=${encodeURIComponent(runbook)}`,
  exercised: "/api/exercised",
  budget: (env: string) => `/api/budget?env=${encodeURIComponent(env)}`,
  audit: (filter: AuditFilter) =>
    `/api/audit?${new URLSearchParams(Object.entries(filter).filter((pair): pair is [string, string] => Boolean(pair[1])))}`,
  auditVerify: "/api/audit/verify",
  events: (runId: string, ticket: string) =>
    `/api/runs/${encodeURIComponent(runId)}/events?ticket=${encodeURIComponent(ticket)}`,
  approval: (receipt: string) => `/api/approvals/${encodeURIComponent(receipt)}`,
  approvalSignature: (receipt: string) => `/api/approvals/${encodeURIComponent(receipt)}/signature`,
  cancel: (runId: string) => `/api/runs/${encodeURIComponent(runId)}/cancel`,
  log: (runId: string) => `/api/runs/${encodeURIComponent(runId)}/log`,
  diff: (runId: string, withRun?: string) =>
    `/api/runs/${encodeURIComponent(runId)}/diff${withRun ? `?with=${encodeURIComponent(withRun)}` : ""}`,
  artifact: (runId: string, name: string) =>
    `/api/runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`,
} as const;

// Deep links: a page, a runbook, optionally a step, an environment and parameter values. Opening
// one fills the form in and points at the step; it never runs anything.

export interface DeepLink {
  runbook: string;
  step?: string;
  env?: string;
  params: Record<string, string>;
}

export type DeepLinkParams = Record<string, string | number | boolean>;

/** `?runbook=<id>&step=<id>&env=<env>&p.<name>=<value>` */
export function encodeDeepLink(link: {
  runbook: string;
  step?: string;
  env?: string;
  params?: DeepLinkParams;
}): string {
  const query = new URLSearchParams({ runbook: link.runbook });
  if (link.step) query.set("step", link.step);
  if (link.env) query.set("env", link.env);
  for (const [name, value] of Object.entries(link.params ?? {})) query.set(`p.${name}`, String(value));
  return `?${query}`;
}

/** The deep link in a page's query string, or null when it names no runbook. */
export function decodeDeepLink(search: string): DeepLink | null {
  const query = new URLSearchParams(search);
  const runbook = query.get("runbook");
  if (!runbook) return null;
  const params: Record<string, string> = {};
  for (const [key, value] of query) if (key.startsWith("p.")) params[key.slice(2)] = value;
  const step = query.get("step");
  const env = query.get("env");
  return { runbook, ...(step ? { step } : {}), ...(env ? { env } : {}), params };
}

/** A link into the console on its default address: the page, with a deep link. */
export function consoleLink(
  page: string,
  runbook: string,
  options: { step?: string; env?: string; params?: DeepLinkParams } = {},
): string {
  if (!page.startsWith("/") || !page.endsWith("/"))
    throw new Error(`consoleLink: page "${page}" must look like /guide/page/`);
  return `${DEFAULT_CONSOLE_URL}${page}${encodeDeepLink({ runbook, ...options })}`;
}
