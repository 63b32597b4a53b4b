import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import {
  ALLOWED_SIGNERS_FILE,
  ALLOWED_SIGNERS_VARIABLE,
  APPROVAL_EXEMPT,
  APPROVAL_RULES,
  type ApprovalMode,
  approvalVariable,
  principalMatches,
  RECEIPT_LIFETIME_MINUTES,
  RECEIPT_SECRET_HASH,
  RECEIPT_SECRET_KEY_FILE,
} from "../../policy/approvals.ts";
import { appendAuditEntries } from "./audit.ts";
import { RUN_ID_PATTERN, type RunEvent } from "./events.ts";
import { REPO_ROOT } from "./paths.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";
import type { ProvenanceFile } from "./provenance.ts";
import { parseSecretRef } from "./secret-refs.ts";
import { findPrincipals, NAMESPACES, SignatureError, verifySignature } from "./ssh-signatures.ts";

// Two-person approval of a plan (policy/approvals.ts says where it is required).
//
// 1. The operator plans (`--plan`) a change runbook in such an environment; the engine writes a
//    plan receipt: canonical JSON naming the runbook, the hash of every file the run executes,
//    the environment, the parameters (a secret one as its reference's text, or as a keyed hash of
//    its value: recordedSecretParams), the plan's output and its hash, who
//    planned it, when, and until when it may be applied.
// 2. Someone else signs the receipt's exact bytes with their own SSH key (`ssh-keygen -Y sign`,
//    namespace ssp-approval), on their machine: `npm run runbook -- approve <receipt>`, or by
//    hand, pasting the signature into the page. The signature sits next to the receipt (.sig).
// 3. The apply names the receipt. checkApproval verifies, in this order, that the signature is
//    by a key in the allowed-signers file whose principal may approve that environment; that the
//    signer is neither who applies nor who planned; that it is this runbook, environment, steps
//    and parameters; not expired; not used before; that every source hash still matches; and,
//    last, re-runs the plan and compares its output with the approved one (the world may have
//    changed: other rows, another release, another lock holder). Any failure refuses the run
//    with the reason before anything runs. A receipt is used once.
//
// Other gates add their own reason to need a receipt (the error-budget freeze: an emergency change
// needs one) through `requirements`; the receipt is then checked the same way.

/** Why a run needs an approval receipt: a rule name (the audit log's) and a sentence. */
export interface ApprovalRequirement {
  rule: string;
  reason: string;
}

export const PlanReceipt = z.strictObject({
  kind: z.literal("plan-receipt"),
  v: z.literal(1),
  /** The plan run's id: one receipt per plan. */
  id: z.string().regex(RUN_ID_PATTERN),
  runbook: z.string(),
  env: z.string(),
  /** The steps the plan covered (and the apply must run), in order. */
  steps: z.array(z.string()),
  /**
   * The parameters as recorded. A secret one is its reference's text when given as one (env:NAME),
   * else a keyed hash of its value (SECRET_HASH_PREFIX…): never the secret (recordedSecretParams).
   */
  params: z.record(z.string(), z.unknown()),
  /** Every file the run executes or imports, relative to the repository root, with its sha256. */
  sources: z.array(z.strictObject({ file: z.string(), sha256: z.string(), how: z.string() })),
  plan: z.strictObject({ output: z.array(z.string()), sha256: z.string() }),
  plannedBy: z.string(),
  plannedAt: z.string(),
  expiresAt: z.string(),
  /** Why it needs approval (the policy's and any other gate's reasons). */
  requiredBy: z.array(z.strictObject({ rule: z.string(), reason: z.string() })),
});
export type PlanReceipt = z.infer<typeof PlanReceipt>;

/** An approval as the audit log records it (kind "approval"). */
export interface ApprovalRecord {
  kind: "approval";
  at: string;
  /** planned: a receipt was written; signed: an approver signed it; applied: a run used it. */
  action: "planned" | "signed" | "applied";
  receipt: string;
  runbook: string;
  env: string;
  /** Who planned, signed or applied. */
  who: string;
  /** The signer's principal (signed, applied). */
  signer?: string;
  /** The run that used it (applied). */
  runId?: string;
}

export class ApprovalRefused extends Error {
  /** approval-missing, approval-signature, approval-signer, approval-self, approval-scope, approval-expired, approval-reused, approval-params, approval-sources, approval-drift */
  readonly rule: string;
  constructor(message: string, rule: string) {
    super(message);
    this.name = "ApprovalRefused";
    this.rule = rule;
  }
}

/** Sorted keys, no spaces, one line: the same receipt is always the same bytes (what is signed). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const approvalsDir = (dir: string) => path.join(dir, "approvals");
/** Where the receipt of plan run `id` is written. */
export const receiptPath = (dir: string, id: string) =>
  path.join(approvalsDir(dir), `${safeId(id)}.receipt.json`);
/** The signature of a receipt sits next to it. */
export const signaturePath = (receiptFile: string) => `${receiptFile}.sig`;
/** Written when a run uses the receipt: its presence refuses a second use. */
export const usedPath = (dir: string, id: string) => path.join(approvalsDir(dir), `${safeId(id)}.used`);

/** The approve command an approver runs on their own machine, where their key is. */
export function approveCommand(receiptFile: string): string {
  return `npm run runbook -- approve ${quote(receiptFile)}`;
}

/** The command that applies an approved receipt: the same runbook, environment and parameters (a hashed secret left for the operator to give). */
export function applyCommand(
  receipt: Pick<PlanReceipt, "runbook" | "env" | "params">,
  receiptFile: string,
): string {
  const params = Object.entries(receipt.params)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(
      ([name, value]) => `--param ${quote(`${name}=${isSecretHash(value) ? `<${name}>` : String(value)}`)}`,
    );
  return [
    `npm run runbook -- ${receipt.runbook} --env ${receipt.env}`,
    ...params,
    `--approval ${quote(receiptFile)}`,
  ].join(" ");
}

/**
 * The same signature made with ssh-keygen alone, the receipt's text in the command (for the page:
 * the approver runs it where their key is and pastes what it prints; nothing else to copy).
 */
export function sshKeygenCommand(text: string, key = "~/.ssh/id_ed25519"): string {
  return `printf '%s' ${quote(text)} | ssh-keygen -Y sign -f ${key} -n ${NAMESPACES.approval}`;
}

/** How a receipt records a secret parameter given as a plain value: this prefix, then the keyed hash. */
export const SECRET_HASH_PREFIX = RECEIPT_SECRET_HASH;

/** The key of those hashes, in the data dir: random, made on first use, owner-only. */
export const secretKeyPath = (dir: string) => path.join(dir, RECEIPT_SECRET_KEY_FILE);

const SECRET_KEY_BYTES = 32;

const isSecretHash = (value: unknown): boolean =>
  typeof value === "string" && value.startsWith(SECRET_HASH_PREFIX);

/**
 * This install's key for the secret parameters' hashes, made the first time one is needed. It is
 * written whole under another name and linked into place, so two processes making it at once end
 * up with the one that was linked first, and nobody reads half a key.
 */
export async function secretParamKey(dir: string): Promise<Buffer> {
  const file = secretKeyPath(dir);
  const read = async () => {
    const key = await readFile(file);
    if (key.length < SECRET_KEY_BYTES)
      throw new Error(
        `${file} holds ${key.length} bytes, not a ${SECRET_KEY_BYTES}-byte key: delete it (receipts planned since it was made then need planning again)`,
      );
    return key;
  };
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(draft, randomBytes(SECRET_KEY_BYTES), { mode: PRIVATE_FILE, flag: "wx" });
  try {
    await link(draft, file);
  } catch (error) {
    // Another process made it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(draft);
  }
  return read();
}

/**
 * The secret parameters as a receipt records them, so that another secret at apply is refused
 * while the secret itself is never written down:
 * - given as a secret reference (`token=env:RAILWAY_TOKEN`, file:…, cmd:…): the reference's text,
 *   which is no secret and is what the apply must give again;
 * - given as a value: HMAC-SHA256 of it under this install's key (secretParamKey). Without the
 *   key, the hash cannot be checked against guesses; with another install's key, it never matches
 *   (so such a receipt applies only where it was planned, where its data dir is);
 * - empty or absent: as it is.
 */
export async function recordedSecretParams(
  dir: string,
  secrets: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entries = Object.entries(secrets);
  const plain = entries.filter(
    ([, value]) => value !== undefined && value !== null && value !== "" && !secretRefText(value),
  );
  const key = plain.length > 0 ? await secretParamKey(dir) : null;
  return Object.fromEntries(
    entries.map(([name, value]) => {
      if (value === undefined || value === null || value === "") return [name, value ?? null];
      const reference = secretRefText(value);
      if (reference) return [name, reference];
      const hash = createHmac("sha256", key as Buffer)
        .update(`${name}\0${String(value)}`)
        .digest("hex");
      return [name, `${SECRET_HASH_PREFIX}${hash}`];
    }),
  );
}

const secretRefText = (value: unknown): string | null =>
  typeof value === "string" ? (parseSecretRef(value)?.text ?? null) : null;

/** The allowed-signers file: SSP_ALLOWED_SIGNERS, else the policy's. */
export function allowedSignersFile(processEnv: NodeJS.ProcessEnv = process.env): string {
  return processEnv[ALLOWED_SIGNERS_VARIABLE] || path.join(REPO_ROOT, ALLOWED_SIGNERS_FILE);
}

/** The approval mode in force for `env` on this machine (an optional one may be made required). */
export function approvalMode(env: string, processEnv: NodeJS.ProcessEnv = process.env): ApprovalMode {
  const rule = (APPROVAL_RULES as Record<string, { approval: ApprovalMode }>)[env];
  if (!rule) return "none";
  if (rule.approval === "optional" && processEnv[approvalVariable(env)] === "required") return "required";
  return rule.approval;
}

/** The policy's reason for a run to need a receipt: a change or destructive step where approval is required. */
export function policyRequirements(
  env: string,
  steps: ReadonlyArray<{ danger: string }>,
  processEnv: NodeJS.ProcessEnv = process.env,
  runbook?: string,
): ApprovalRequirement[] {
  if (!steps.some((s) => s.danger !== "read")) return [];
  if (runbook && Object.hasOwn(APPROVAL_EXEMPT, runbook)) return [];
  if (approvalMode(env, processEnv) !== "required") return [];
  return [
    {
      rule: "approval-required",
      reason: `a change in ${env} needs a plan approved by a second person (policy/approvals.ts: ${env} approval is required)`,
    },
  ];
}

const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?\b/g;

/**
 * A plan line as the drift check compares it: timestamps are left out (a plan that says "expired
 * before <now − 30 days>" names another instant a minute later without the world having changed);
 * rows, counts, releases, lock holders and everything else must be the same.
 */
export function comparable(line: string): string {
  return line.replace(TIMESTAMP, "<time>");
}

/** One line of a plan's output, as the receipt records it (output lines and tables); null for other events. */
export function planLineOf(event: RunEvent): string | null {
  if (event.type === "output") return `${event.step} ${event.stream}: ${event.line}`;
  if (event.type === "table") return `${event.step} table "${event.title}": ${canonicalJson(event.rows)}`;
  return null;
}

/** Sources relative to the repository root, as a receipt records them (stable across checkouts' paths). */
export function receiptSources(provenance: readonly ProvenanceFile[]): PlanReceipt["sources"] {
  return provenance
    .map((entry) => ({
      file: path.relative(REPO_ROOT, entry.file) || entry.file,
      sha256: entry.sha256,
      how: entry.how,
    }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Writes the receipt of a finished plan run (0600 under the data dir); returns its path. */
export async function writePlanReceipt(
  dir: string,
  input: Omit<PlanReceipt, "kind" | "v" | "plan" | "plannedAt" | "expiresAt" | "sources"> & {
    output: string[];
    provenance: readonly ProvenanceFile[];
    /** When it was planned (now by default); the receipt expires RECEIPT_LIFETIME_MINUTES later. */
    now?: Date;
  },
): Promise<{ file: string; receipt: PlanReceipt }> {
  const now = input.now ?? new Date();
  const receipt: PlanReceipt = {
    kind: "plan-receipt",
    v: 1,
    id: input.id,
    runbook: input.runbook,
    env: input.env,
    steps: input.steps,
    params: input.params,
    sources: receiptSources(input.provenance),
    plan: { output: input.output, sha256: sha256(input.output.join("\n")) },
    plannedBy: input.plannedBy,
    plannedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + RECEIPT_LIFETIME_MINUTES * 60_000).toISOString(),
    requiredBy: input.requiredBy,
  };
  await mkdir(approvalsDir(dir), { recursive: true, mode: PRIVATE_DIR });
  const file = receiptPath(dir, receipt.id);
  await writeFile(file, `${canonicalJson(receipt)}\n`, { mode: PRIVATE_FILE });
  await recordApproval(dir, {
    action: "planned",
    receipt: receipt.id,
    runbook: receipt.runbook,
    env: receipt.env,
    who: receipt.plannedBy,
  });
  return { file, receipt };
}

/**
 * A receipt file's signed text and its parsed content; refused with the reason when it is not one.
 * What is signed is the canonical JSON without the file's final newline, so the page can give a
 * command that signs exactly it (printf '%s' '<receipt>' | ssh-keygen -Y sign …).
 */
export async function readReceipt(file: string): Promise<{ text: string; receipt: PlanReceipt }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ApprovalRefused(
      `no approval receipt at ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"}): plan the run with --plan, have it approved, then apply with --approval <receipt>`,
      "approval-missing",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApprovalRefused(`${file} is not a plan receipt: it is not JSON`, "approval-receipt");
  }
  const result = PlanReceipt.safeParse(parsed);
  if (!result.success)
    throw new ApprovalRefused(
      `${file} is not a plan receipt: ${result.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
      "approval-receipt",
    );
  if (text.trimEnd() !== canonicalJson(result.data))
    throw new ApprovalRefused(
      `${file} is not in canonical form (was it edited or re-formatted?): a receipt is signed byte for byte as the engine wrote it`,
      "approval-receipt",
    );
  return { text: canonicalJson(result.data), receipt: result.data };
}

/** A person as the audit log names them: "alice@laptop (console)" → "alice@laptop". */
function person(name: string): string {
  return name
    .replace(/\s*\([^)]*\)\s*$/, "")
    .trim()
    .toLowerCase();
}

/**
 * Whether a signer's principal and an actor are the same person: equal names, or a principal
 * without a host ("alice") and an OS user's actor on any host ("alice@laptop").
 */
export function samePerson(principal: string, actor: string): boolean {
  const a = person(principal);
  const b = person(actor);
  if (a === b) return true;
  if (!a.includes("@") && b.split("@")[0] === a) return true;
  if (!b.includes("@") && a.split("@")[0] === b) return true;
  return false;
}

/**
 * Who signed `text` (the receipt's bytes): a principal of the allowed-signers file whose key made
 * the signature under the approval namespace and who may approve `env`. Refused when none is.
 */
export async function signerOf(
  text: string,
  signature: string,
  env: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const allowed = allowedSignersFile(processEnv);
  if (!existsSync(allowed))
    throw new ApprovalRefused(
      `the allowed-signers file ${allowed} does not exist: add the approvers' public keys (policy/allowed_signers says how) or set ${ALLOWED_SIGNERS_VARIABLE}`,
      "approval-signer",
    );
  let principals: string[];
  try {
    principals = await findPrincipals(allowed, NAMESPACES.approval, signature);
  } catch (error) {
    if (error instanceof SignatureError) throw new ApprovalRefused(error.message, "approval-signature");
    throw error;
  }
  if (principals.length === 0)
    throw new ApprovalRefused(
      `the approval is not signed by a key in ${allowed} for ${NAMESPACES.approval}: whoever signed it is not an approver (or it is not a signature)`,
      "approval-signature",
    );
  const patterns = (APPROVAL_RULES as Record<string, { approvers: readonly string[] }>)[env]?.approvers ?? [];
  const eligible = principals.filter((p) => principalMatches(p, patterns));
  if (eligible.length === 0)
    throw new ApprovalRefused(
      `${principals.join(", ")} may not approve ${env}: policy/approvals.ts lets ${patterns.length ? patterns.join(", ") : "nobody"} approve it`,
      "approval-signer",
    );
  const problems: string[] = [];
  for (const principal of eligible) {
    try {
      await verifySignature({
        allowedSigners: allowed,
        principal,
        namespace: NAMESPACES.approval,
        message: text,
        signature,
      });
      return principal;
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      problems.push(error.message);
    }
  }
  throw new ApprovalRefused(
    `the signature is not of this receipt as an approval (forged, made for another receipt, or made under another namespace than ${NAMESPACES.approval}): ${problems.join("; ")}`,
    "approval-signature",
  );
}

export interface ApprovalCheck {
  /** The receipt file the apply names (--approval); undefined when none was given. */
  receipt: string | undefined;
  /** Why this run needs one (policyRequirements plus other gates'); empty: only a given receipt is checked. */
  requirements: readonly ApprovalRequirement[];
  runbook: string;
  env: string;
  /** Who applies. */
  actor: string;
  steps: readonly string[];
  /** The parameters as recorded (secret ones by recordedSecretParams), compared with the receipt's. */
  params: Record<string, unknown>;
  /** Which parameters are secret: a difference in one is named, its values never shown. */
  secrets?: readonly string[];
  provenance: readonly ProvenanceFile[];
  dir: string;
  processEnv?: NodeJS.ProcessEnv;
  /** Re-runs the plan now and returns its output lines (planLineOf), for the drift check. */
  replan: () => Promise<string[]>;
  now?: Date;
}

export interface Approval {
  receipt: PlanReceipt;
  file: string;
  signer: string;
  /** Marks the receipt used and records it in the audit log; call it once the run starts. */
  consume: (runId: string) => Promise<void>;
}

/**
 * Decides whether a run may go on: null when it needs no receipt and has none; the verified
 * approval when it has one; ApprovalRefused with the reason otherwise. Nothing is changed by a
 * refusal (the receipt stays unused).
 */
export async function checkApproval(check: ApprovalCheck): Promise<Approval | null> {
  const processEnv = check.processEnv ?? process.env;
  if (!check.receipt) {
    if (check.requirements.length === 0) return null;
    throw new ApprovalRefused(
      `${check.requirements.map((r) => r.reason).join("; ")}. Plan it (npm run runbook -- ${check.runbook} --env ${check.env} --plan), have another person approve the receipt the plan writes (npm run runbook -- approve <receipt>, on their machine), then apply with --approval <receipt>`,
      check.requirements[0]?.rule ?? "approval-required",
    );
  }
  const file = resolveReceipt(check.receipt, check.dir);
  const { text, receipt } = await readReceipt(file);
  let signature: string;
  try {
    signature = await readFile(signaturePath(file), "utf8");
  } catch {
    throw new ApprovalRefused(
      `receipt ${receipt.id} is not signed: no ${signaturePath(file)}. Another person approves it with ${approveCommand(file)}`,
      "approval-unsigned",
    );
  }
  if (receipt.runbook !== check.runbook || receipt.env !== check.env)
    throw new ApprovalRefused(
      `receipt ${receipt.id} approves ${receipt.runbook} in ${receipt.env}, not ${check.runbook} in ${check.env}`,
      "approval-scope",
    );
  const signer = await signerOf(text, signature, check.env, processEnv);
  if (samePerson(signer, check.actor))
    throw new ApprovalRefused(
      `receipt ${receipt.id} is signed by ${signer}, who is applying it (${check.actor}): an approval must come from a second person`,
      "approval-self",
    );
  if (samePerson(signer, receipt.plannedBy))
    throw new ApprovalRefused(
      `receipt ${receipt.id} is signed by ${signer}, who planned it (${receipt.plannedBy}): an approval must come from a second person`,
      "approval-self",
    );
  const now = check.now ?? new Date();
  if (now.getTime() > Date.parse(receipt.expiresAt))
    throw new ApprovalRefused(
      `receipt ${receipt.id} expired at ${receipt.expiresAt} (receipts last ${RECEIPT_LIFETIME_MINUTES} minutes): plan again and have the new plan approved`,
      "approval-expired",
    );
  if (existsSync(usedPath(check.dir, receipt.id)))
    throw new ApprovalRefused(
      `receipt ${receipt.id} was used already (${(await readFile(usedPath(check.dir, receipt.id), "utf8")).trim()}): a receipt approves one run; plan again`,
      "approval-reused",
    );
  if (canonicalJson(receipt.steps) !== canonicalJson(check.steps))
    throw new ApprovalRefused(
      `receipt ${receipt.id} approves steps ${receipt.steps.join(", ")}; this run would run ${check.steps.join(", ")}`,
      "approval-scope",
    );
  const paramDiff = differences(receipt.params, check.params, check.secrets ?? []);
  if (paramDiff.length > 0)
    throw new ApprovalRefused(
      `receipt ${receipt.id} approves other parameters: ${paramDiff.join("; ")}`,
      "approval-params",
    );
  const sourceDiff = sourceDifferences(receipt.sources, receiptSources(check.provenance));
  if (sourceDiff.length > 0)
    throw new ApprovalRefused(
      `the code changed since receipt ${receipt.id} was planned: ${sourceDiff.join("; ")}. Plan again and have the new plan approved`,
      "approval-sources",
    );
  const output = await check.replan();
  if (canonicalJson(output.map(comparable)) !== canonicalJson(receipt.plan.output.map(comparable)))
    throw new ApprovalRefused(
      `the world changed since receipt ${receipt.id} was approved: the plan now differs from the approved one (- approved, + now):\n${lineDiff(receipt.plan.output.map(comparable), output.map(comparable)).join("\n")}\nPlan again and have the new plan approved`,
      "approval-drift",
    );
  return {
    receipt,
    file,
    signer,
    consume: async (runId) => {
      try {
        await writeFile(
          usedPath(check.dir, receipt.id),
          `by run ${runId} of ${check.actor} at ${now.toISOString()}\n`,
          {
            mode: PRIVATE_FILE,
            flag: "wx",
          },
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST")
          throw new ApprovalRefused(
            `receipt ${receipt.id} was used by another run just now`,
            "approval-reused",
          );
        throw error;
      }
      await recordApproval(check.dir, {
        action: "applied",
        receipt: receipt.id,
        runbook: receipt.runbook,
        env: receipt.env,
        who: check.actor,
        signer,
        runId,
      });
    },
  };
}

/** A receipt given as a path, or as the id of one in this data dir's approvals folder. */
export function resolveReceipt(receipt: string, dir: string): string {
  if (RUN_ID_PATTERN.test(receipt) && !existsSync(receipt)) return receiptPath(dir, receipt);
  return path.resolve(receipt);
}

/** Appends an approval event to the audit log. */
export async function recordApproval(dir: string, entry: Omit<ApprovalRecord, "kind" | "at">): Promise<void> {
  const record: ApprovalRecord = { kind: "approval", at: new Date().toISOString(), ...entry };
  await appendAuditEntries(dir, [record]);
}

function differences(
  approved: Record<string, unknown>,
  now: Record<string, unknown>,
  secrets: readonly string[],
): string[] {
  const keys = [...new Set([...Object.keys(approved), ...Object.keys(now)])].sort();
  return keys
    .filter((key) => canonicalJson(approved[key] ?? null) !== canonicalJson(now[key] ?? null))
    .map((key) =>
      // A hash is no secret, but it says nothing to a reader either: the parameter's name does.
      secrets.includes(key) && (isSecretHash(approved[key]) || isSecretHash(now[key]))
        ? `${key}: not the secret that was approved (secret parameters are compared by a keyed hash; neither value is recorded or shown); give the same secret, or plan again`
        : `${key}: approved ${JSON.stringify(approved[key] ?? null)}, now ${JSON.stringify(now[key] ?? null)}`,
    );
}

function sourceDifferences(approved: PlanReceipt["sources"], now: PlanReceipt["sources"]): string[] {
  const before = new Map(approved.map((s) => [s.file, s.sha256]));
  const after = new Map(now.map((s) => [s.file, s.sha256]));
  const out: string[] = [];
  for (const [file, hash] of before) {
    const current = after.get(file);
    if (current === undefined) out.push(`${file} is no longer part of the run`);
    else if (current !== hash) out.push(`${file} changed`);
  }
  for (const file of after.keys()) if (!before.has(file)) out.push(`${file} is new to the run`);
  return out;
}

/** A line diff (longest common subsequence): "  same", "- only approved", "+ only now". */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        before[i] === after[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      out.push(`  ${before[i]}`);
      i++;
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
      out.push(`- ${before[i++]}`);
    else out.push(`+ ${after[j++]}`);
  }
  while (i < n) out.push(`- ${before[i++]}`);
  while (j < m) out.push(`+ ${after[j++]}`);
  return out;
}

function safeId(id: string): string {
  if (!RUN_ID_PATTERN.test(id)) throw new ApprovalRefused(`"${id}" is not a receipt id`, "approval-receipt");
  return id;
}

const quote = (text: string) => (/^[\w./~:@-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);
