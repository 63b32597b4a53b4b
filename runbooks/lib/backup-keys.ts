import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from "age-encryption";
import { dataDir, localDataDir } from "../engine/paths.ts";

// Backups are encrypted at rest with age (age-encryption.org; the npm package age-encryption is
// its reference TypeScript implementation, interoperable with the `age` CLI). A backup holds every
// learner's e-mail and password hash: a copied backup directory must be useless without the key.
//
// The key file is an age identity file (the format `age-keygen` writes): one or more
// AGE-SECRET-KEY-1… lines, newest first, `#` comments allowed. New backups are encrypted to the
// first identity's public key (recipient); every identity in the file is tried when decrypting, so
// after a rotation (new identity added at the top) old backups stay readable until they are
// pruned. The file lives outside the backup directory (refused inside it): whoever copies the
// backups must not get the key with them.

export const AGE_HEADER = "age-encryption.org/v1\n";

export interface BackupEncryption {
  format: "age";
  /** The public key (age1…) the archive was encrypted to; its identity must be in the key file. */
  recipient: string;
}

/** RUNBOOK_BACKUP_KEY_FILE, or backup-keys/identities.txt in the checkout's local data (.data/). */
export function backupKeyFile(processEnv: NodeJS.ProcessEnv = process.env): string {
  return processEnv.RUNBOOK_BACKUP_KEY_FILE
    ? path.resolve(processEnv.RUNBOOK_BACKUP_KEY_FILE)
    : path.join(localDataDir(processEnv), "backup-keys", "identities.txt");
}

/** Where every environment's backups go (the parent of backupsDir(env)). */
function backupsRoot(processEnv: NodeJS.ProcessEnv): string {
  return path.resolve(processEnv.RUNBOOK_BACKUP_DIR ?? path.join(dataDir(processEnv), "backups"));
}

/** The key file's path; throws when it is inside the backup directory. */
export function checkKeyLocation(processEnv: NodeJS.ProcessEnv = process.env): string {
  const file = backupKeyFile(processEnv);
  const root = backupsRoot(processEnv);
  const relative = path.relative(root, file);
  if (!relative.startsWith("..") && !path.isAbsolute(relative))
    throw new Error(
      `the backup key file ${file} is inside the backup directory ${root}: whoever copies the backups would get the key with them. Move it elsewhere and point RUNBOOK_BACKUP_KEY_FILE at it`,
    );
  return file;
}

export interface BackupKeys {
  file: string;
  /** Identities, newest first. */
  identities: string[];
  /** The recipient new backups are encrypted to: the newest identity's public key. */
  recipient: string;
  /** True when this call created the key file. */
  created: boolean;
}

/**
 * Reads the key file; creates it (0600, in a 0700 directory) with a new identity when it does not
 * exist and `create` is set. Refuses a key file inside the backup directory or readable by others.
 */
export async function loadBackupKeys(
  options: { create?: boolean; processEnv?: NodeJS.ProcessEnv } = {},
): Promise<BackupKeys> {
  const processEnv = options.processEnv ?? process.env;
  const file = checkKeyLocation(processEnv);
  let created = false;
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0)
      throw new Error(
        `the backup key file ${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}): run chmod 600 ${file}, and treat the key as leaked if others could log in here (rotate it: Operational Runbook, "Backup and restore")`,
      );
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (!options.create)
      throw new Error(
        `no backup key file at ${file}: encrypted backups cannot be read without it. Put the key file back there (from where you keep its copy), or point RUNBOOK_BACKUP_KEY_FILE at it`,
      );
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const identity = await generateIdentity();
    text = `# created: ${new Date().toISOString()}\n# public key: ${await identityToRecipient(identity)}\n${identity}\n`;
    try {
      // "wx": two runs creating the key at once must not overwrite each other's identity.
      await writeFile(file, text, { mode: 0o600, flag: "wx" });
      created = true;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      text = await readFile(file, "utf8");
    }
    await chmod(path.dirname(file), 0o700).catch(() => undefined);
  }
  const identities = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("AGE-SECRET-KEY-"));
  const newest = identities[0];
  if (!newest)
    throw new Error(
      `the backup key file ${file} holds no identity (no AGE-SECRET-KEY-… line): restore it from your copy`,
    );
  return { file, identities, recipient: await identityToRecipient(newest), created };
}

/**
 * Encrypts a stream to a file, created 0600 ("wx": never over an existing file). Streams end to
 * end (age's STREAM format, 64 KiB chunks): a dump of any size never sits in memory.
 */
export async function encryptStreamToFile(input: Readable, recipient: string, file: string): Promise<void> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const encrypted = await encrypter.encrypt(Readable.toWeb(input) as ReadableStream<Uint8Array>);
  await pipeline(
    Readable.fromWeb(encrypted as WebReadableStream<Uint8Array>),
    createWriteStream(file, { mode: 0o600, flags: "wx" }),
  );
}

/**
 * The key file's identities, when one of them decrypts an archive encrypted this way; otherwise an
 * error naming the recipient the archive needs. Verify and restore call it before they start.
 */
export async function keysFor(
  archive: string,
  encryption: BackupEncryption,
  processEnv: NodeJS.ProcessEnv = process.env,
): Promise<BackupKeys> {
  if (encryption.format !== "age")
    throw new Error(
      `the archive ${archive} is encrypted as "${encryption.format}", which this version cannot read`,
    );
  const keys = await loadBackupKeys({ processEnv });
  const recipients = await Promise.all(keys.identities.map((i) => identityToRecipient(i)));
  if (!recipients.includes(encryption.recipient))
    throw new Error(
      `the archive ${archive} was encrypted to ${encryption.recipient}, and none of the ${keys.identities.length} identities in ${keys.file} has that public key (they have ${recipients.join(", ")}). Add the identity of ${encryption.recipient} to the key file (old identities stay in it after a rotation until their backups are pruned)`,
    );
  return keys;
}

/**
 * Decrypts an archive to a new 0600 file, streaming. Fails before writing anything when no
 * identity of the key file matches the archive's recipient, naming the recipient.
 */
export async function decryptFileToFile(
  archive: string,
  encryption: BackupEncryption,
  file: string,
  options: { signal?: AbortSignal; processEnv?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const keys = await keysFor(archive, encryption, options.processEnv);
  const decrypter = new Decrypter();
  for (const identity of keys.identities) decrypter.addIdentity(identity);
  const source = createReadStream(archive, options.signal ? { signal: options.signal } : {});
  const plain = await decrypter.decrypt(Readable.toWeb(source) as ReadableStream<Uint8Array>);
  // The source stream carries the signal: a cancelled step stops reading, and the pipeline fails.
  await pipeline(
    Readable.fromWeb(plain as WebReadableStream<Uint8Array>),
    createWriteStream(file, { mode: 0o600, flags: "wx" }),
  );
}
