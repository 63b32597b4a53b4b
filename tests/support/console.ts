import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConsoleOptions, type ConsoleServer, startConsole } from "../../console/server.ts";

// A console on a free loopback port for tests, with helpers that speak its API the way the page
// does (same origin, the console header, JSON) so each test can break exactly one rule.

export const CONSOLE_FIXTURES = path.resolve(import.meta.dirname, "../console/fixtures/runbooks");

export interface TestConsole {
  server: ConsoleServer;
  url: string;
  origin: string;
  host: string;
  dataDir: string;
  logs: string[];
  /** Signs in through the one-time link's token; returns the Cookie header value. */
  signIn(): Promise<string>;
  api(
    method: string,
    route: string,
    options?: { cookie?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

export async function startTestConsole(options: {
  distDir: string;
  runbooksDir?: string;
  processEnv?: NodeJS.ProcessEnv;
  dataDir?: string;
  /** Anything else the console takes (TLS, a clock, the allowed-signers file…). */
  more?: Partial<ConsoleOptions>;
}): Promise<TestConsole> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "ssp-console-")));
  const logs: string[] = [];
  const server = await startConsole({
    port: 0,
    distDir: options.distDir,
    runbooksDir: options.runbooksDir ?? CONSOLE_FIXTURES,
    dataDir,
    processEnv: {
      ...process.env,
      RUNBOOK_DATA_DIR: dataDir,
      SSP_DEV_STACK_FILE: path.join(dataDir, "no-dev-stack.json"),
      ...options.processEnv,
    },
    actor: "tester@console",
    log: (line) => logs.push(line),
    ...options.more,
  });
  const url = new URL(server.url);
  const self: TestConsole = {
    server,
    url: server.url,
    origin: server.url,
    host: url.host,
    dataDir,
    logs,
    async signIn() {
      const token = new URLSearchParams(new URL(server.loginLink()).hash.slice(1)).get("token");
      const response = await self.api("POST", "/api/session", { body: { token } });
      if (response.status !== 200)
        throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
      const cookie = response.headers.get("set-cookie") ?? "";
      return cookie.split(";")[0] ?? "";
    },
    api(method, route, { cookie, body, headers = {} } = {}) {
      return fetch(`${server.url}${route}`, {
        method,
        headers: {
          "X-Console-Request": "1",
          ...(method === "POST" ? { Origin: server.url, "Content-Type": "application/json" } : {}),
          ...(cookie ? { Cookie: cookie } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
        redirect: "manual",
      });
    },
  };
  return self;
}

/** Reads a run's event stream to its end; every data line must be one JSON event. */
export async function readStream(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => JSON.parse(block.slice("data: ".length)) as Record<string, unknown>);
}
