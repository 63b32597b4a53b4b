// The page's side of the console API: every call is same-origin, JSON, with the header the server
// requires. The server decides everything; this only reports what it said.

export const CONSOLE_MARKER = 'meta[name="ssp-console"]';
const HEADERS = { "X-Console-Request": "1" };

export interface EnvironmentInfo {
  name: string;
  configured: boolean;
  appUrl?: string;
  reason?: string;
}

export interface ConsoleInfo {
  actor: string;
  environments: EnvironmentInfo[];
  running: string[];
  changedOnDisk: string[];
}

export type ConsoleState =
  | { kind: "static" }
  | { kind: "signed-out"; message: string }
  | { kind: "console"; info: ConsoleInfo };

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A static copy of the handbook has no console: the console marks the pages it serves. */
export async function detectConsole(): Promise<ConsoleState> {
  if (!document.querySelector(CONSOLE_MARKER)) return { kind: "static" };
  try {
    return { kind: "console", info: await getJson<ConsoleInfo>("/api/console") };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      return { kind: "signed-out", message: error.message };
    return {
      kind: "signed-out",
      message: `The console did not answer (${String(error)}). Is npm start still running?`,
    };
  }
}

export async function getJson<T>(url: string): Promise<T> {
  return parse<T>(await fetch(url, { headers: HEADERS, credentials: "same-origin" }));
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(url, {
      method: "POST",
      headers: { ...HEADERS, "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    }),
  );
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok)
    throw new ApiError(response.status, body.error ?? `the console answered ${response.status}`);
  return body as T;
}
