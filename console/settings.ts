import path from "node:path";
import { DEFAULT_CONSOLE_PORT, SIGN_IN } from "./protocol.ts";

// The console's settings from the environment, checked once: a bad value stops it with a message
// naming the variable.

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

export interface ConsoleSettings {
  host: string;
  port: number;
  extraHosts: string[];
  distDir: string;
  /** Certificate and key files (PEM) to serve https; read at start (tls.ts). */
  tls?: { certFile: string; keyFile: string };
  /** The address browsers use when a TLS proxy (nginx) stands in front: its origin is the console's. */
  publicUrl?: string;
  /** The allowed-signers file: who may sign in by name or by key (and approve). */
  allowedSigners: string;
}

/** The allowed-signers file, relative to the checkout, unless SSP_ALLOWED_SIGNERS names another. */
export const ALLOWED_SIGNERS_DEFAULT = SIGN_IN.allowedSignersDefault;

/** Addresses that stay on this machine: the console binds anything else only over TLS. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

export function consoleSettings(env: NodeJS.ProcessEnv, root: string): ConsoleSettings {
  const port = Number(env.CONSOLE_PORT ?? DEFAULT_CONSOLE_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(
      `CONSOLE_PORT must be a port number (0-65535, 0 = any free port), got "${env.CONSOLE_PORT}"`,
    );
  }
  const host = env.CONSOLE_HOST ?? "127.0.0.1";
  if (!/^[\w.:-]+$/.test(host))
    throw new SettingsError(`CONSOLE_HOST must be an address to bind, got "${host}"`);
  const extraHosts = (env.CONSOLE_HOSTS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of extraHosts) {
    if (!/^[\w.-]+(:\d+)?$|^\[[\da-f:]+\](:\d+)?$/i.test(name)) {
      throw new SettingsError(
        `CONSOLE_HOSTS must list host[:port] names separated by commas; "${name}" is not one`,
      );
    }
  }
  const certFile = env.CONSOLE_TLS_CERT?.trim();
  const keyFile = env.CONSOLE_TLS_KEY?.trim();
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new SettingsError(
      `CONSOLE_TLS_CERT and CONSOLE_TLS_KEY go together (the certificate and its private key, PEM files); only ${certFile ? "CONSOLE_TLS_CERT" : "CONSOLE_TLS_KEY"} is set`,
    );
  const tls = certFile && keyFile ? { certFile, keyFile } : undefined;
  if (!tls && !isLoopback(host))
    throw new SettingsError(
      `CONSOLE_HOST=${host} would serve the console beyond this machine without TLS, and it runs commands: set CONSOLE_TLS_CERT and CONSOLE_TLS_KEY to serve https, or keep CONSOLE_HOST on 127.0.0.1 behind nginx with TLS (deploy/nginx/console.conf)`,
    );
  let publicUrl: string | undefined;
  if (env.CONSOLE_PUBLIC_URL) {
    let parsed: URL;
    try {
      parsed = new URL(env.CONSOLE_PUBLIC_URL);
    } catch {
      throw new SettingsError(
        `CONSOLE_PUBLIC_URL must be a URL such as https://handbook.example.org, got "${env.CONSOLE_PUBLIC_URL}"`,
      );
    }
    if (
      parsed.protocol !== "https:" ||
      parsed.pathname !== "/" ||
      parsed.search ||
      parsed.hash ||
      parsed.username
    )
      throw new SettingsError(
        `CONSOLE_PUBLIC_URL must be the https origin browsers use (https://name[:port], no path), got "${env.CONSOLE_PUBLIC_URL}"`,
      );
    publicUrl = parsed.origin;
  }
  const allowedSigners = path.resolve(root, env.SSP_ALLOWED_SIGNERS?.trim() || ALLOWED_SIGNERS_DEFAULT);
  return {
    host,
    port,
    extraHosts,
    distDir: env.CONSOLE_DIST_DIR ?? path.join(root, "dist"),
    ...(tls ? { tls } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    allowedSigners,
  };
}
