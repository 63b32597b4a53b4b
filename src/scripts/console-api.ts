import {
  API,
  CONSOLE_HEADER,
  CONSOLE_HEADER_VALUE,
  CONSOLE_MARKER,
  type ConsoleInfo,
  type ErrorResponse,
} from "../../console/protocol.ts";

// The page's side of the console API: every call is same-origin, JSON, with the header the server
// requires. The server decides everything; this only reports what it said. Paths, types and the
// header come from console/protocol.ts, the contract the server's routes implement.

const HEADERS = { [CONSOLE_HEADER]: CONSOLE_HEADER_VALUE };

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
    return { kind: "console", info: await getJson<ConsoleInfo>(API.console) };
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

/** A body as text (artifacts), or the console's error. */
export async function getText(url: string): Promise<string> {
  const response = await fetch(url, { headers: HEADERS, credentials: "same-origin" });
  if (!response.ok) await parse(response);
  return response.text();
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
  const body = (await response.json().catch(() => ({}))) as Partial<ErrorResponse>;
  if (!response.ok)
    throw new ApiError(response.status, body.error ?? `the console answered ${response.status}`);
  return body as T;
}
