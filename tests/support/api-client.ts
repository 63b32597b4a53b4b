import { randomBytes } from "node:crypto";

// A deliberately raw tRPC-over-HTTP client: tests see the real status codes, headers and bodies.

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: {
    result?: { data: T };
    error?: {
      message: string;
      data: {
        code: string;
        httpStatus: number;
        issues?: Array<{ path: string; message: string }>;
        retryAfterSeconds?: number;
      };
    };
  };
}

export class Api {
  readonly baseUrl: string;
  readonly token: string | null;

  constructor(baseUrl: string, token: string | null = null) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  as(token: string | null): Api {
    return new Api(this.baseUrl, token);
  }

  async query<T = unknown>(
    path: string,
    input?: unknown,
    init: { signal?: AbortSignal } = {},
  ): Promise<ApiResponse<T>> {
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.send<T>(`${this.baseUrl}/trpc/${path}${search}`, { method: "GET", ...init });
  }

  async mutation<T = unknown>(
    path: string,
    input?: unknown,
    init: { signal?: AbortSignal } = {},
  ): Promise<ApiResponse<T>> {
    return this.send<T>(`${this.baseUrl}/trpc/${path}`, {
      method: "POST",
      ...(input === undefined ? {} : { body: typeof input === "string" ? input : JSON.stringify(input) }),
      headers: { "content-type": "application/json" },
      ...init,
    });
  }

  /** Returns the data of a successful call, or throws with the server's message. */
  async ok<T>(response: Promise<ApiResponse<T>>): Promise<T> {
    const res = await response;
    if (res.status !== 200 || !res.body.result) {
      throw new Error(
        `expected 200, got ${res.status}: ${res.body.error?.message ?? JSON.stringify(res.body)}`,
      );
    }
    return res.body.result.data;
  }

  private async send<T>(url: string, init: RequestInit): Promise<ApiResponse<T>> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    const res = await fetch(url, { ...init, headers });
    const text = await res.text();
    let body: ApiResponse<T>["body"];
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response ${res.status} from ${url}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, body };
  }
}

export interface Learner {
  api: Api;
  token: string;
  email: string;
  password: string;
  id: string;
}

export function uniqueEmail(tag: string): string {
  return `${tag}-${randomBytes(5).toString("hex")}@example.test`;
}

export async function signUp(api: Api, tag = "learner"): Promise<Learner> {
  const email = uniqueEmail(tag);
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const data = await api.ok(
    api.mutation<{ token: string; learner: { id: string } }>("accounts.signUp", {
      email,
      password,
      displayName: tag,
    }),
  );
  return { api: api.as(data.token), token: data.token, email, password, id: data.learner.id };
}
