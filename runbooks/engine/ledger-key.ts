import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LEDGER_FACTS } from "./ledger-facts.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";
import { NAMESPACES, SignatureError, signMessage, verifySignature } from "./ssh-signatures.ts";

// The host's key that signs the ledger's checkpoints: an ed25519 key made with ssh-keygen the
// first time a checkpoint is written, kept in the data directory (owner-only, never in the
// repository). Signing and checking go through ssh-signatures.ts (ssh-keygen -Y); the check builds
// an allowed-signers file naming the public key for the checkpoint namespace only.

/** The principal the allowed-signers file gives the host key. */
const PRINCIPAL = "ledger-host";

export const ledgerKeyFile = (dir: string) => path.join(dir, LEDGER_FACTS.hostKey);
export const ledgerKeyDir = (dir: string) => path.dirname(ledgerKeyFile(dir));

/** What a checkpoint signs: its place in the chain and when; a changed field breaks the signature. */
export function checkpointMessage(checkpoint: { count: number; head: string; at: string }): string {
  return `ssp ledger checkpoint\ncount ${checkpoint.count}\nhead ${checkpoint.head}\nat ${checkpoint.at}\n`;
}

/** SHA256:… of an OpenSSH public key line, as ssh-keygen -l prints it. */
export function fingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}

function keygen(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("ssh-keygen", args, { encoding: "utf8" }, (error, _stdout, stderr) => {
      if (error)
        reject(
          new SignatureError(
            `ssh-keygen could not make the ledger's host key (${stderr.trim() || error.message}); install OpenSSH's client (Debian: openssh-client)`,
          ),
        );
      else resolve();
    });
  });
}

/** The host key's public line, or null when none was made yet. */
export async function ledgerPublicKey(dir: string): Promise<string | null> {
  try {
    return (await readFile(`${ledgerKeyFile(dir)}.pub`, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Makes the host key on first use (callers hold the ledger's append lock, so only one is made). */
export async function ensureLedgerKey(dir: string): Promise<string> {
  const existing = await ledgerPublicKey(dir);
  if (existing) return existing;
  await mkdir(ledgerKeyDir(dir), { recursive: true, mode: PRIVATE_DIR });
  const key = ledgerKeyFile(dir);
  await keygen(["-q", "-t", "ed25519", "-N", "", "-C", `ssp-ledger@${os.hostname()}`, "-f", key]);
  // ssh-keygen leaves the public half world-readable; everything under .data is owner-only.
  await chmod(`${key}.pub`, PRIVATE_FILE);
  return (await readFile(`${key}.pub`, "utf8")).trim();
}

/** Signs a checkpoint with the host key (made now if there is none); returns the key's fingerprint and the signature. */
export async function signCheckpoint(
  dir: string,
  checkpoint: { count: number; head: string; at: string },
): Promise<{ key: string; signature: string }> {
  const publicKey = await ensureLedgerKey(dir);
  const signature = await signMessage(
    ledgerKeyFile(dir),
    NAMESPACES.ledgerCheckpoint,
    checkpointMessage(checkpoint),
  );
  return { key: fingerprint(publicKey), signature };
}

/**
 * A checker of checkpoint signatures against one public key (the host's, or a copy of it kept
 * elsewhere): the allowed-signers file is written once into a private scratch folder; `close`
 * removes it.
 */
export async function checkpointChecker(publicKey: string): Promise<{
  check(checkpoint: { count: number; head: string; at: string; signature: string }): Promise<void>;
  close(): Promise<void>;
}> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "ssp-ledger-"));
  const allowed = path.join(scratch, "allowed_signers");
  await writeFile(allowed, `${PRINCIPAL} namespaces="${NAMESPACES.ledgerCheckpoint}" ${publicKey}\n`, {
    mode: PRIVATE_FILE,
  });
  return {
    check: (checkpoint) =>
      verifySignature({
        allowedSigners: allowed,
        principal: PRINCIPAL,
        namespace: NAMESPACES.ledgerCheckpoint,
        message: checkpointMessage(checkpoint),
        signature: checkpoint.signature,
      }),
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}
