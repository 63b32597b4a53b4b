import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { CACHE_CONTROL } from "../policy/cdn.ts";
import { RefusalRecorder } from "../runbooks/engine/audit.ts";
import { ENVIRONMENTS, resolveEnvironment } from "../runbooks/engine/environments.ts";
import { Masker } from "../runbooks/engine/mask.ts";
import { REPO_ROOT } from "../runbooks/engine/paths.ts";
import { stopAllGroups } from "../runbooks/engine/process-groups.ts";
import { terminalText } from "../runbooks/engine/terminal-text.ts";
import { NON_PAGE_POLICY, pagePolicy } from "./csp.ts";
import { checkApiRequest, checkHost, type GuardConfig, type RequestFacts } from "./guard.ts";
import { BodyError, readJson, sendJson, sendText } from "./http-io.ts";
import { hostOperator, listedOperator, type Operator } from "./identity.ts";
import { LOGIN_PAGE, LOGIN_PATH } from "./login-page.ts";
import { CONSOLE_HEADER, CONSOLE_META_TAG, DEFAULT_CONSOLE_PORT, describeIssues } from "./protocol.ts";
import { RunbookRegistry } from "./registry.ts";
import { ROUTES } from "./routes/index.ts";
import { matchPath, type PathMatch, type Route, type RouteDeps } from "./routes/route.ts";
import { RunManager } from "./runs.ts";
import { ConsoleSessions } from "./sessions.ts";
import { ALLOWED_SIGNERS_DEFAULT } from "./settings.ts";
import { SignInChallenges } from "./sign-in-challenges.ts";
import { resolveStatic } from "./static-files.ts";
import { loadTls } from "./tls.ts";

// The console: the built handbook and the API that runs runbook steps from its pages, in one
// small HTTP server on loopback. Every response passes the same checks (guard.ts) and carries the
// same headers; see console/README.md for the threat model.

export interface ConsoleOptions {
  /** Interface to bind; loopback unless the operator says otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Extra Host names the console answers to (e.g. behind an authenticating proxy). */
  extraHosts?: string[];
  distDir: string;
  runbooksDir: string;
  dataDir: string;
  processEnv: NodeJS.ProcessEnv;
  /** Who the link printed at start signs in (default: `<os user>@<host> (console)`). */
  actor?: string;
  /** Serve https with this certificate and key (PEM files, read now). */
  tls?: { certFile: string; keyFile: string };
  /** The https origin browsers use when a TLS proxy stands in front (links, Origin checks, Secure cookies). */
  publicUrl?: string;
  /** Who may sign in by name or key (default: SSP_ALLOWED_SIGNERS, else policy/allowed_signers). */
  allowedSigners?: string;
  /** The clock of sign-in links and challenges (tests move it to expire them). */
  now?: () => number;
  /** One JSON object per line; secrets are masked before it is called. */
  log?: (line: string) => void;
  /** How long identical refusals are folded into one audit line (default a minute). */
  refusalIntervalMs?: number;
}

export interface ConsoleServer {
  /** Where it listens (https:// under TLS). */
  url: string;
  /** Where browsers reach it: the public URL behind a proxy, else `url`. Links point here. */
  publicUrl: string;
  /** A fresh one-time login link for the host's user (the previous one stops working). */
  loginLink(next?: string): string;
  /**
   * A fresh one-time login link for a named operator, a principal of the allowed-signers file
   * (their previous unused link stops working); rejects with the reason otherwise.
   */
  operatorLink(name: string, next?: string): Promise<string>;
  runs: RunManager;
  close(): Promise<void>;
}

const LOGIN_POLICY = pagePolicy(LOGIN_PAGE);

const COMMON_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": NON_PAGE_POLICY,
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? "127.0.0.1";
  const distDir = await realpath(options.distDir).catch(() => {
    throw new Error(`the handbook is not built (${options.distDir} is missing): run npm run build first`);
  });
  const registry = await RunbookRegistry.load(options.runbooksDir);
  const hostUser: Operator = options.actor ? { name: options.actor, via: "host-link" } : hostOperator();
  const actor = hostUser.name;
  const runs = new RunManager(registry, { dataDir: options.dataDir, processEnv: options.processEnv, actor });
  const sessions = new ConsoleSessions(options.now ? { now: options.now } : {});
  const allowedSigners =
    options.allowedSigners ??
    path.resolve(REPO_ROOT, options.processEnv.SSP_ALLOWED_SIGNERS?.trim() || ALLOWED_SIGNERS_DEFAULT);
  const challenges = new SignInChallenges({ allowedSigners, ...(options.now ? { now: options.now } : {}) });
  const tls = options.tls ? await loadTls(options.tls) : null;
  // A browser that reaches the console over https (here, or through a TLS proxy) gets Secure cookies.
  const secure = Boolean(tls || options.publicUrl);
  const masker = new Masker();
  for (const name of ENVIRONMENTS) {
    try {
      // References are not resolved here (a cmd: reference may prompt or take seconds); each run
      // resolves them and its own masker learns the values before any output.
      const env = resolveEnvironment(name, options.processEnv, { resolveReferences: false });
      masker.addUrl(env.databaseUrl);
      masker.addUrl(env.redisUrl);
    } catch {
      // An environment that is not configured has no secrets to mask.
    }
  }
  masker.addSecretsOf(options.processEnv);
  const write = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (entry: Record<string, unknown>) =>
    write(masker.mask(JSON.stringify({ time: new Date().toISOString(), ...entry })));

  // Every refused request goes to the audit log (who, what, why); a flood of the same refusal from
  // one place is folded into one summary line per interval, so it cannot fill the disk.
  const refusals = new RefusalRecorder(options.dataDir, {
    mask: (text) => masker.mask(text),
    ...(options.refusalIntervalMs ? { intervalMs: options.refusalIntervalMs } : {}),
  });
  // Who tried: the signed-in operator when the request carries a live session, else the address.
  // Behind the TLS proxy every request comes from the proxy's address; the client's address it
  // appends to X-Forwarded-For is added as what the proxy said (only the proxy can reach a
  // loopback console from outside, but a local user could write the header, so it is not trusted
  // as the address itself).
  const addressOf = (req: IncomingMessage) => {
    const address = req.socket?.remoteAddress ?? "unknown address";
    const forwarded = options.publicUrl ? String(req.headers["x-forwarded-for"] ?? "") : "";
    const client = forwarded.split(",").at(-1)?.trim();
    return client ? `${address} (forwarded for ${terminalText(client.slice(0, 45))})` : address;
  };
  const whoOf = (req: IncomingMessage) => {
    const address = addressOf(req);
    const operator = sessions.operatorOfCookie(req.headers.cookie);
    return operator ? `${operator.name} at ${address}` : address;
  };
  const refuse = (
    req: IncomingMessage,
    what: string,
    refusal: { status: number; error: string; rule?: string; who?: string },
  ) =>
    refusals.record({
      source: "console",
      who: refusal.who ?? whoOf(req),
      what: terminalText(what),
      rule: refusal.rule ?? String(refusal.status),
      reason: `${refusal.status}: ${refusal.error}`,
    });

  const deps: RouteDeps = {
    sessions,
    runs,
    registry,
    masker,
    // A session the sweep ended between the check and the handler has no operator: say so rather than guess.
    actorOf: (session) => sessions.operatorOf(session)?.name ?? "(session ended)",
    challenges,
    secure,
    dataDir: options.dataDir,
    processEnv: options.processEnv,
    log,
  };

  let guard: GuardConfig = { hosts: new Set() };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const pathname = (req.url ?? "/").split("?")[0] ?? "/";
    res.on("finish", () => {
      // The path only: query strings carry stream tickets.
      log({
        msg: "request",
        method: req.method,
        path: pathname,
        status: res.statusCode,
        ms: Date.now() - started,
      });
    });
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BodyError) {
        refuse(req, `${req.method} ${pathname}`, {
          status: error.status,
          rule: "body",
          error: error.message,
        });
        return sendJson(res, error.status, { error: error.message });
      }
      log({
        level: "error",
        msg: "request failed",
        path: pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendJson(res, 500, { error: "the console failed on this request; see its log" });
      else res.end();
    });
  };
  const server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
    : createHttpServer(listener);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    const facts = factsOf(req);
    const rawPath = req.url ?? "/";
    const pathname = rawPath.split("?")[0] ?? "/";
    const isApi = pathname.startsWith("/api/");
    const wrongHost = checkHost(facts, guard);
    if (wrongHost) refuse(req, `${req.method} ${pathname} (Host: ${facts.host ?? "none"})`, wrongHost);
    if (wrongHost)
      return isApi ? sendJson(res, wrongHost.status, { error: wrongHost.error }) : sendText(res, wrongHost);
    if (isApi)
      return handleApi(req, res, facts, pathname, new URL(rawPath, "http://console.invalid").searchParams);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendText(res, { status: 405, error: `${req.method} is not allowed here` });
    }
    if (pathname === LOGIN_PATH) {
      res.writeHead(200, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": LOGIN_POLICY,
      });
      res.end(req.method === "HEAD" ? undefined : LOGIN_PAGE);
      return;
    }
    const found = await resolveStatic(distDir, rawPath);
    const notFound = found ? null : await resolveStatic(distDir, "/404.html");
    const file = found ?? notFound;
    if (!file) return sendText(res, { status: 404, error: "not found" });
    // Astro names what it emits under /_astro/ by content hash: a CDN may keep those for a year.
    // Everything else keeps its name across builds and is revalidated by its ETag (policy/cdn.ts).
    const headers: Record<string, string> = {
      "Content-Type": file.type,
      "Cache-Control": pathname.startsWith("/_astro/") ? CACHE_CONTROL.hashedAsset : CACHE_CONTROL.revalidate,
    };
    const current = (etag: string) => {
      headers.ETag = etag;
      const asked = req.headers["if-none-match"];
      if (!found || !asked?.split(",").some((tag) => tag.trim() === etag)) return false;
      res.writeHead(304, headers);
      res.end();
      return true;
    };
    if (file.type.startsWith("text/html")) {
      // The mark that tells the page's script a console serves it (a static copy has none, so
      // its pages never call an API that is not there); the policy allows this page's own
      // inline scripts by hash.
      const html = (await readFile(file.file, "utf8")).replace(/<head>/i, `<head>${CONSOLE_META_TAG}`);
      // A 304 carries the page's policy too: the browser merges its headers into the cached copy,
      // and without it the strict default below would replace the policy and block every script.
      headers["Content-Security-Policy"] = pagePolicy(html);
      if (current(`"${createHash("sha256").update(html).digest("hex").slice(0, 16)}"`)) return;
      res.writeHead(found ? 200 : 404, headers);
      return void res.end(req.method === "HEAD" ? undefined : html);
    }
    // A script file may start a worker (search does), whose policy is this response's own.
    headers["Content-Security-Policy"] = pagePolicy("");
    const info = await stat(file.file);
    if (current(`W/"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"`)) return;
    res.writeHead(found ? 200 : 404, headers);
    if (req.method === "HEAD") return void res.end();
    createReadStream(file.file).pipe(res);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    facts: RequestFacts,
    pathname: string,
    query: URLSearchParams,
  ): Promise<void> {
    res.setHeader("Cache-Control", "no-store");
    const method = req.method ?? "GET";
    const found = findRoute(method, pathname);
    const what = `${method} ${pathname}`;
    const refused = checkApiRequest(facts, guard, { eventStream: found?.route.access === "stream" });
    if (refused) {
      refuse(req, what, refused);
      return sendJson(res, refused.status, { error: refused.error });
    }
    if (!found) {
      const error = `no API route ${method} ${pathname}`;
      refuse(req, what, { status: 404, rule: "no-route", error });
      return sendJson(res, 404, { error });
    }
    const { route, match } = found;

    let session = "";
    if (route.access !== "public") {
      session = sessions.fromCookie(req.headers.cookie) ?? "";
      if (!session) {
        const error =
          "not signed in: open a one-time login link (npm start printed one; npm run console:link -- --operator <name> mints one) or sign in with your SSH key at /console/login";
        refuse(req, what, { status: 401, rule: "session", error });
        return sendJson(res, 401, { error });
      }
    }
    if ("invalid" in match) {
      refuse(req, what, { status: 400, rule: "path", error: match.invalid });
      return sendJson(res, 400, { error: match.invalid });
    }
    let body: unknown;
    if (route.body) {
      const parsed = route.body.safeParse(await readJson(req));
      if (!parsed.success) {
        const error = describeIssues(parsed.error);
        refuse(req, what, { status: 400, rule: "body", error });
        return sendJson(res, 400, { error });
      }
      body = parsed.data;
    }
    const reply = await route.handle({ body, params: match.params, query, session, req, res }, deps);
    if (!reply) return;
    if (reply.status >= 400) {
      const asked = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
      const subject = ["runbook", "env", "step", "from", "resume"]
        .filter((key) => typeof asked[key] === "string")
        .map((key) => `${key} ${asked[key]}`)
        .join(", ");
      const error = (reply.body as { error?: unknown } | null)?.error;
      refuse(req, subject ? `${what} (${subject})` : what, {
        status: reply.status,
        error: typeof error === "string" ? error : "refused",
        ...(reply.rule ? { rule: reply.rule } : {}),
        ...(reply.claimed ? { who: `${reply.claimed}? (signature claimed) at ${addressOf(req)}` } : {}),
      });
    }
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    sendJson(res, reply.status, reply.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${options.port} on ${host} is in use: stop what runs there or set CONSOLE_PORT`)
          : error,
      ),
    );
    server.listen(options.port ?? DEFAULT_CONSOLE_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? "https" : "http";
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl) : null;
  const names = new Set(
    [
      `${host.includes(":") ? `[${host}]` : host}:${port}`,
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      ...(options.extraHosts ?? []),
      ...(publicOrigin ? [publicOrigin.host] : []),
    ].map((name) => name.toLowerCase()),
  );
  guard = {
    hosts: names,
    // Pages are served over this scheme; behind a TLS proxy the browser's origin is the proxy's https one.
    origins: new Set([
      ...[...names].map((name) => `${scheme}://${name}`),
      ...(publicOrigin ? [publicOrigin.origin] : []),
    ]),
  };
  const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const publicUrl = publicOrigin?.origin ?? url;
  const linkFor = (operator: Operator, next?: string) => {
    const token = sessions.mintLoginToken(operator);
    const fragment = new URLSearchParams({ token, ...(next ? { next } : {}) });
    return `${publicUrl}${LOGIN_PATH}#${fragment}`;
  };
  log({ msg: "console listening", url, runbooks: registry.ids().length });

  return {
    url,
    publicUrl,
    runs,
    loginLink(next?: string) {
      return linkFor(hostUser, next);
    },
    async operatorLink(name: string, next?: string) {
      const operator = await listedOperator(allowedSigners, name).catch((error: unknown) => {
        // Only the host's user reaches this (console:link's private socket); a refused name is still audited.
        refusals.record({
          source: "console",
          who: `${hostUser.name} (npm run console:link)`,
          what: terminalText(`mint a sign-in link for "${name.slice(0, 80)}"`),
          rule: "operator-name",
          reason: error instanceof Error ? error.message : String(error),
        });
        throw error;
      });
      log({ msg: "operator link minted", operator: operator.name });
      return linkFor(operator, next);
    },
    async close() {
      await runs.shutdown("aborted: the console shut down");
      // Each stopped step waited for its own process groups; anything else a step left running
      // is stopped now, and waited for, so the console leaves no process behind when it exits.
      const left = await stopAllGroups();
      if (left.length > 0) log({ level: "error", msg: "process groups survived SIGKILL", groups: left });
      await refusals.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A connection still busy after two seconds (a stream a browser keeps open) is cut, so a
        // shutdown never waits on a client.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
    },
  };
}

/** The route for this method and path; a path that matches but fails a parameter's pattern still finds it. */
function findRoute(
  method: string,
  pathname: string,
  // biome-ignore lint/suspicious/noExplicitAny: the table erases each route's body type (see routes/index.ts).
): { route: Route<any>; match: Exclude<PathMatch, null> } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = matchPath(route.path, pathname);
    if (match) return { route, match };
  }
  return null;
}

function factsOf(req: IncomingMessage): RequestFacts {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    method: req.method ?? "GET",
    host: one(req.headers.host),
    origin: one(req.headers.origin),
    secFetchSite: one(req.headers["sec-fetch-site"]),
    contentType: one(req.headers["content-type"]),
    consoleHeader: one(req.headers[CONSOLE_HEADER]),
  };
}
