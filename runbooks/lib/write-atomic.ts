import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a file another program reads (a service's configuration, a node_exporter textfile) so that
 * the reader sees the old content or the new, never half of it: a temporary file beside it, then a
 * rename. The mode is set explicitly because the runbooks' umask (077) would hide the file from a
 * service running as its own user.
 */
export async function writeConfigFile(file: string, text: string, mode: number): Promise<void> {
  const created = await mkdir(path.dirname(file), { recursive: true });
  // A folder made here is for the same readers as the file (the umask would make it 0700).
  if (created) await chmod(path.dirname(file), (mode & 0o444) | ((mode & 0o444) >> 2) | 0o700);
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(3).toString("hex")}.tmp`,
  );
  try {
    await writeFile(temporary, text, { mode });
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
