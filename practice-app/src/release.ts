import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// Which release this process runs: the package version and the git commit. Shown on /healthz and
// as the app_build_info metric, so an operator (and the handbook's console) can tell which code an
// environment runs and compare it with the handbook's.

export interface Release {
  version: string;
  /** 40 hex digits, or "unknown" outside a checkout when APP_COMMIT is unset. */
  commit: string;
}

const PACKAGE_JSON = new URL("../../package.json", import.meta.url);

export function readRelease(appCommit: string | undefined): Release {
  let version = "unknown";
  try {
    const parsed = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version?: unknown };
    if (typeof parsed.version === "string") version = parsed.version;
  } catch {
    // An image without package.json: the commit still tells the release apart.
    version = "unknown";
  }
  return { version, commit: appCommit ?? gitCommit() };
}

function gitCommit(): string {
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5_000,
    }).trim();
    return /^[0-9a-f]{40}$/.test(out) ? out : "unknown";
  } catch {
    // No git or no checkout (an image without .git and without APP_COMMIT): say so, do not fail.
    return "unknown";
  }
}
