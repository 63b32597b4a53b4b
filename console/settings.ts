import path from "node:path";
import { DEFAULT_CONSOLE_PORT } from "./protocol.ts";

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
  return { host, port, extraHosts, distDir: env.CONSOLE_DIST_DIR ?? path.join(root, "dist") };
}
