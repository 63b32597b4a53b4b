// What leaves the app for the error tracker: an event with no secret and no personal data in it.
// The SDK is told to collect none (dataCollection off, see sentry.ts); this scrubber is the second
// line, for what an error's own message or a log context carries: a pg error quoting an e-mail
// address, a URL with a password, a token in a breadcrumb. Pure: no SDK import, tested beside it.

export const FILTERED = "[Filtered]";

/** Keys whose value is never sent, at any depth (headers, extra, contexts, breadcrumb data). */
const SENSITIVE_KEY =
  /pass(word|wd)?|secret|token|authori[sz]ation|cookie|session|e-?mail|dsn|api[-_]?key|credential|^ip_address$/i;

/** Request headers worth keeping: everything else (Authorization, Cookie, X-Forwarded-For…) is dropped. */
const KEPT_HEADERS = new Set(["content-type", "content-length", "x-request-id", "host"]);

const STRING_RULES: ReadonlyArray<[RegExp, string]> = [
  // userinfo of a URL: postgres://user:password@host, https://key@sentry…
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(:[^\s/@]*)?@/gi, `$1${FILTERED}@`],
  [/\bBearer\s+[^\s"',;]+/gi, `Bearer ${FILTERED}`],
  [
    /\b(pass(?:word|wd)?|secret|token|api[-_]?key|session)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${FILTERED}`,
  ],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "[email]"],
  // A session token (43 base64url characters) on its own.
  [/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, FILTERED],
];

export function scrubString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy with sensitive keys filtered and every string scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 12) return FILTERED; // deeper than any event the SDK builds: not worth the risk
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SENSITIVE_KEY.test(key) && item !== null && item !== undefined ? FILTERED : scrubValue(item, depth + 1);
  }
  return out;
}

interface RequestPart {
  url?: string;
  headers?: Record<string, string>;
  cookies?: unknown;
  data?: unknown;
  query_string?: unknown;
  env?: unknown;
  [key: string]: unknown;
}

/** The event's request without cookies, body, query string (tRPC puts its input there) or most headers. */
function scrubRequest(request: RequestPart): RequestPart {
  const { cookies: _cookies, data: _data, query_string: _query, env: _env, headers, url, ...rest } = request;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (KEPT_HEADERS.has(name.toLowerCase())) kept[name] = value;
  return {
    ...rest,
    ...(url === undefined ? {} : { url: url.split("?")[0] }),
    headers: kept,
  };
}

/** The `beforeSend` of the SDK: no user, no request secrets, every string scrubbed. */
export function scrubEvent<E extends object>(event: E): E {
  const { user: _user, request, ...rest } = event as E & { user?: unknown; request?: RequestPart };
  const scrubbed = scrubValue(rest) as Record<string, unknown>;
  if (request) scrubbed.request = scrubValue(scrubRequest(request));
  return scrubbed as E;
}
