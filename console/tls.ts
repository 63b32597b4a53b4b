import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { SettingsError } from "./settings.ts";

// The certificate and key the console serves https with, read once at start. Each way it can be
// wrong stops the console with a message naming the variable and the file: missing, unreadable,
// not PEM, or a key that does not belong to the certificate.

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

async function read(variable: string, file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SettingsError(
      code === "ENOENT"
        ? `${variable}=${file}: no such file (the ${what}, PEM)`
        : `${variable}=${file}: cannot read it (${code ?? String(error)}); the console's user must be able to read the ${what}`,
    );
  }
}

export async function loadTls(files: { certFile: string; keyFile: string }): Promise<TlsFiles> {
  const cert = await read("CONSOLE_TLS_CERT", files.certFile, "certificate");
  const key = await read("CONSOLE_TLS_KEY", files.keyFile, "private key");
  if (!cert.includes("-----BEGIN CERTIFICATE-----"))
    throw new SettingsError(`CONSOLE_TLS_CERT=${files.certFile} is not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString("latin1")))
    throw new SettingsError(`CONSOLE_TLS_KEY=${files.keyFile} is not a PEM private key`);
  try {
    // OpenSSL checks that the key is the certificate's: "key values mismatch" otherwise.
    createSecureContext({ cert, key });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SettingsError(
      /mismatch/i.test(message)
        ? `CONSOLE_TLS_KEY=${files.keyFile} is not the private key of CONSOLE_TLS_CERT=${files.certFile} (key values mismatch)`
        : `CONSOLE_TLS_CERT / CONSOLE_TLS_KEY cannot be used: ${message}`,
    );
  }
  return { cert, key };
}
