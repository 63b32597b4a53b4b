// The checks every request to the console passes before anything else looks at it. The console
// runs commands, so it treats every web page the operator visits as a potential attacker:
// DNS rebinding (a foreign name resolving to 127.0.0.1), cross-site requests, and HTML forms.
// Pure functions of the request's headers, so each rule is tested on its own.
import { CONSOLE_HEADER, CONSOLE_HEADER_VALUE } from "./protocol.ts";

export interface Refusal {
  status: number;
  error: string;
  /** A short stable name of the rule that refused it, for the audit log (refusals of a rule fold into one line). */
  rule?: string;
}

export interface RequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  contentType: string | undefined;
  consoleHeader: string | undefined;
}

// The page sends CONSOLE_HEADER with every API call. HTML forms cannot set it; cross-site fetch
// would need CORS, which the console never grants.

export interface GuardConfig {
  /** Host header values the console answers to, e.g. "127.0.0.1:4321" and "localhost:4321". */
  hosts: ReadonlySet<string>;
  /** The Origins of its pages, when not `http://` + each host (https, or a TLS proxy in front). */
  origins?: ReadonlySet<string>;
}

export function originsOf(config: GuardConfig): Set<string> {
  return new Set(config.origins ?? [...config.hosts].map((host) => `http://${host}`));
}

/** Every request, static files included: a name the console does not own is refused. */
export function checkHost(facts: RequestFacts, config: GuardConfig): Refusal | null {
  if (!facts.host || !config.hosts.has(facts.host.toLowerCase())) {
    return {
      status: 421,
      rule: "host",
      error: `this console answers to ${[...config.hosts].join(", ")}, not "${facts.host ?? ""}" (DNS rebinding protection); set CONSOLE_HOSTS to add a name`,
    };
  }
  return null;
}

/**
 * API requests: same origin only, the console header, JSON bodies, no state change on GET.
 * `eventStream`: the browser's EventSource cannot send headers, so the stream of a run is the one
 * GET without the console header; its single-use ticket stands in for it.
 */
export function checkApiRequest(
  facts: RequestFacts,
  config: GuardConfig,
  options: { eventStream?: boolean } = {},
): Refusal | null {
  const method = facts.method.toUpperCase();
  if (method !== "GET" && method !== "POST") {
    return {
      status: 405,
      rule: "method",
      error: `${method} is not allowed: the console API takes GET to read and POST to act`,
    };
  }
  if (facts.origin !== undefined && !originsOf(config).has(facts.origin)) {
    return { status: 403, rule: "origin", error: `cross-origin request from "${facts.origin}" refused` };
  }
  if (facts.secFetchSite !== undefined && !["same-origin", "none"].includes(facts.secFetchSite)) {
    return {
      status: 403,
      rule: "fetch-site",
      error: `${facts.secFetchSite} request refused: only the console's own pages may call it`,
    };
  }
  if (facts.consoleHeader !== CONSOLE_HEADER_VALUE && !(options.eventStream && method === "GET")) {
    return {
      status: 403,
      rule: "console-header",
      error: `missing the ${CONSOLE_HEADER} header: the console API is called by the console's pages`,
    };
  }
  if (method === "POST") {
    // Browsers always send Origin on POST; a POST without one did not come from a page of ours.
    if (facts.origin === undefined)
      return { status: 403, rule: "origin", error: "a POST without an Origin header is refused" };
    const type = facts.contentType?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return {
        status: 415,
        rule: "content-type",
        error: `the console API accepts only application/json bodies, not "${facts.contentType ?? "none"}"`,
      };
    }
  }
  return null;
}
