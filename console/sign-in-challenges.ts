import { randomBytes } from "node:crypto";
import { access, constants } from "node:fs/promises";
import { findPrincipals, NAMESPACES, verifySignature } from "../runbooks/engine/ssh-signatures.ts";
import { type Operator, operatorNameProblem } from "./identity.ts";
import { SIGN_IN } from "./protocol.ts";

// Signing in with an SSH key: the console issues a challenge (random, single-use, short-lived,
// naming this console's origin), the operator signs it on their own machine with
// `ssh-keygen -Y sign -n ssp-console-login` (the private key never leaves it) and pastes the
// signature; OpenSSH checks it against the allowed-signers file (ssh-signatures.ts). The origin in
// the signed text means a signature made for one console (or a page pretending to be it) does not
// sign anyone in to another; the namespace means it can never pass for an approval.

/** How long a challenge may be signed and presented. */
export const CHALLENGE_MS = SIGN_IN.challengeMinutes * 60_000;
/** Challenges waiting at once; the route is public, so their number is bounded. */
const MAX_PENDING = 1_000;

export interface IssuedChallenge {
  id: string;
  /** The exact text to sign (one line, no newline). */
  message: string;
  expiresAt: string;
  /** The command that signs it on the operator's machine. */
  command: string;
}

/** Why a sign-in by key was refused: a stable rule for the audit log and a sentence for the person. */
export interface KeyRefusal {
  status: number;
  rule: string;
  error: string;
  /** Who the signature claims to be, when the file names its key. */
  claimed?: string;
}

interface Pending {
  message: string;
  origin: string;
  expires: number;
  usedAt: number | null;
}

export function signCommand(message: string): string {
  return `printf '%s' '${message}' | ${SIGN_IN.signCommand}`;
}

export class SignInChallenges {
  private readonly pending = new Map<string, Pending>();
  private readonly allowedSigners: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { allowedSigners: string; ttlMs?: number; now?: () => number }) {
    this.allowedSigners = options.allowedSigners;
    this.ttlMs = options.ttlMs ?? CHALLENGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new challenge for a browser on `origin`, or null when too many are waiting. */
  issue(origin: string): IssuedChallenge | null {
    for (const [id, entry] of this.pending) if (entry.expires < this.now()) this.pending.delete(id);
    if (this.pending.size >= MAX_PENDING) return null;
    const id = randomBytes(24).toString("base64url");
    const expires = this.now() + this.ttlMs;
    const expiresAt = new Date(expires).toISOString();
    // Letters, digits, ':', '/', '.', '-', '_' only: the text sits inside single quotes in the command.
    const message = `${NAMESPACES.consoleLogin} ${origin} ${id} ${expiresAt}`;
    this.pending.set(id, { message, origin, expires, usedAt: null });
    return { id, message, expiresAt, command: signCommand(message) };
  }

  /** The operator the signature proves, or why not. A challenge is spent by its first presentation. */
  async verify(request: { id: string; signature: string; origin: string }): Promise<Operator | KeyRefusal> {
    const entry = this.pending.get(request.id);
    if (!entry)
      return {
        status: 401,
        rule: "challenge-unknown",
        error:
          "this console did not issue that challenge, or it expired and was forgotten (or the console restarted): ask for a new one",
      };
    if (entry.usedAt !== null)
      return {
        status: 401,
        rule: "challenge-replayed",
        error: `that challenge was already presented at ${new Date(entry.usedAt).toISOString()}: a signed challenge signs in once; ask for a new one`,
      };
    entry.usedAt = this.now();
    if (entry.origin !== request.origin)
      return {
        status: 401,
        rule: "challenge-origin",
        error: `that challenge was issued for ${entry.origin}, not ${request.origin}`,
      };
    if (this.now() > entry.expires)
      return {
        status: 401,
        rule: "challenge-expired",
        error: `that challenge expired at ${new Date(entry.expires).toISOString()} (${this.ttlMs / 60_000} minutes after it was issued): ask for a new one and sign it`,
      };
    const signature = request.signature.trim();
    if (!/^-----BEGIN SSH SIGNATURE-----[\s\S]+-----END SSH SIGNATURE-----$/.test(signature))
      return {
        status: 400,
        rule: "signature-malformed",
        error:
          "that is not an SSH signature: paste everything ssh-keygen -Y sign printed, from -----BEGIN SSH SIGNATURE----- to -----END SSH SIGNATURE-----",
      };
    try {
      await access(this.allowedSigners, constants.R_OK);
    } catch (error) {
      return {
        status: 503,
        rule: "allowed-signers",
        error: `the allowed-signers file ${this.allowedSigners} cannot be read (${(error as NodeJS.ErrnoException).code}): nobody can sign in by key until it can`,
      };
    }
    const principals = await findPrincipals(this.allowedSigners, NAMESPACES.consoleLogin, `${signature}\n`);
    if (principals.length === 0)
      return {
        status: 403,
        rule: "signer-unlisted",
        error: `the key that made this signature is not listed in ${this.allowedSigners} for ${NAMESPACES.consoleLogin} (a line without namespaces=, or with it among them)`,
      };
    const named = principals.filter((name) => operatorNameProblem(name) === null);
    if (named.length !== 1)
      return {
        status: 403,
        rule: "signer-ambiguous",
        error:
          named.length === 0
            ? `the key is listed only under a pattern (${principals.join(", ")}), not a person's name: list it under the operator's name`
            : `the key is listed for several people (${named.join(", ")}): give each person their own key`,
      };
    const name = named[0] as string;
    try {
      await verifySignature({
        allowedSigners: this.allowedSigners,
        principal: name,
        namespace: NAMESPACES.consoleLogin,
        message: entry.message,
        signature: `${signature}\n`,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // find-principals ignores namespaces="…"; verify applies them: a key listed for approvals only.
      if (/not permitted for use in signature namespace/.test(reason))
        return {
          status: 403,
          rule: "signer-unlisted",
          claimed: name,
          error: `${name}'s key is listed in ${this.allowedSigners} for other uses only (its namespaces= does not include ${NAMESPACES.consoleLogin}): it cannot sign in to the console`,
        };
      return {
        status: 403,
        rule: "signature-forged",
        claimed: name,
        error: `the signature is not ${name}'s signature of this challenge: ${reason}`,
      };
    }
    return { name, via: "ssh-key" };
  }
}
