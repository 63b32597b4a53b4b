import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PRIVATE_FILE } from "./private-files.ts";

// SSH signatures, the way git signs with SSH keys: `ssh-keygen -Y sign` on the signer's machine
// (the private key never leaves it), `ssh-keygen -Y verify` against an allowed-signers file
// (principal, optional namespaces="…", public key per line; see ssh-keygen(1) ALLOWED SIGNERS).
// OpenSSH parses the file and checks the signature; this module only runs it and reports why not.
// Each use signs under its own namespace, so a signature made for one purpose (signing in to the
// console) can never be replayed as another (approving a plan).

export const NAMESPACES = {
  /** A console sign-in challenge. */
  consoleLogin: "ssp-console-login",
  /** An approval of a plan receipt. */
  approval: "ssp-approval",
  /** A checkpoint of the audit ledger, signed with the host's key. */
  ledgerCheckpoint: "ssp-ledger-checkpoint",
} as const;

export type Namespace = (typeof NAMESPACES)[keyof typeof NAMESPACES];

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureError";
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sshKeygen(args: string[], input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile("ssh-keygen", args, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(
          new SignatureError(
            `could not run ssh-keygen (${error.message}); install OpenSSH's client (Debian: openssh-client)`,
          ),
        );
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    // ssh-keygen may exit without reading its input (a bad key file, find-principals, which reads
    // none): the write then fails with EPIPE, and the exit code and stderr above already say why.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

/** A scratch folder only this user can read, removed after `use`. */
async function withScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ssp-sig-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Signs `message` with the private key at `keyFile` (the signer's own machine); returns the armored signature. */
export async function signMessage(keyFile: string, namespace: Namespace, message: string): Promise<string> {
  const result = await sshKeygen(["-Y", "sign", "-q", "-f", keyFile, "-n", namespace], message);
  if (result.code !== 0 || !result.stdout.includes("BEGIN SSH SIGNATURE"))
    throw new SignatureError(
      `ssh-keygen could not sign with ${keyFile}: ${result.stderr.trim() || `exit ${result.code}`}`,
    );
  return result.stdout;
}

/** The principals of the allowed-signers file whose key made `signature` (empty when none). */
export async function findPrincipals(
  allowedSigners: string,
  namespace: Namespace,
  signature: string,
): Promise<string[]> {
  return withScratch(async (dir) => {
    const sig = path.join(dir, "message.sig");
    await writeFile(sig, signature, { mode: PRIVATE_FILE });
    const result = await sshKeygen(
      ["-Y", "find-principals", "-s", sig, "-f", allowedSigners, "-n", namespace],
      "",
    );
    if (result.code !== 0) return [];
    return result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
  });
}

/**
 * Verifies that `principal`'s key in the allowed-signers file signed `message` under `namespace`.
 * Throws SignatureError with OpenSSH's reason when it did not.
 */
export async function verifySignature(options: {
  allowedSigners: string;
  principal: string;
  namespace: Namespace;
  message: string;
  signature: string;
}): Promise<void> {
  if (!/^-----BEGIN SSH SIGNATURE-----[\s\S]+-----END SSH SIGNATURE-----\s*$/.test(options.signature.trim()))
    throw new SignatureError("not an SSH signature: expected the armored text ssh-keygen -Y sign prints");
  await withScratch(async (dir) => {
    const sig = path.join(dir, "message.sig");
    await writeFile(sig, options.signature, { mode: PRIVATE_FILE });
    const result = await sshKeygen(
      [
        "-Y",
        "verify",
        "-f",
        options.allowedSigners,
        "-I",
        options.principal,
        "-n",
        options.namespace,
        "-s",
        sig,
      ],
      options.message,
    );
    if (result.code !== 0)
      throw new SignatureError(
        `the signature does not verify for "${options.principal}" (${options.namespace}): ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}`,
      );
  });
}

/**
 * Whether `name` is a principal of the allowed-signers file (patterns in the file count, as
 * OpenSSH matches them), without a signature: `ssh-keygen -Y match-principals`. Throws
 * SignatureError when the file cannot be read.
 */
export async function matchPrincipals(allowedSigners: string, name: string): Promise<string[]> {
  const result = await sshKeygen(["-Y", "match-principals", "-I", name, "-f", allowedSigners], "");
  if (result.code !== 0 && /unable to open/i.test(result.stderr))
    throw new SignatureError(
      `cannot read the allowed-signers file ${allowedSigners}: ${result.stderr.trim()}`,
    );
  if (result.code !== 0) return [];
  return result.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}
