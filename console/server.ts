import { createReadStream } from "node:fs";
import { readFile, realpath } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { isProfileName } from "../load-tests/lib/profiles.ts";
import { readAudit, readRunEvents } from "../runbooks/engine/audit.ts";
import { ENVIRONMENTS, resolveEnvironment } from "../runbooks/engine/environments.ts";
import type { RunEvent } from "../runbooks/engine/events.ts";
import { Masker } from "../runbooks/engine/mask.ts";
import { describeIssues, EmptyBody, LoginBody, RUN_ID, StartRunBody } from "./api-schema.ts";
import { checkApiRequest, checkHost, type GuardConfig, type Refusal, type RequestFacts } from "./guard.ts";
import { LOGIN_PAGE, LOGIN_PATH } from "./login-page.ts";
import { RunbookRegistry } from "./registry.ts";
import { RunManager } from "./runs.ts";
import { ConsoleSessions, sessionCookie } from "./sessions.ts";
import { resolveStatic } from "./static-files.ts";
import { forPage } from "./terminal-text.ts";

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
  actor?: string;
  /** One JSON object per line; secrets are masked before it is called. */
  log?: (line: string) => void;
}

export interface ConsoleServer {
  url: string;
  /** A fresh one-time login link (the previous one stops working). */
  loginLink(next?: string): string;
  runs: RunManager;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

const COMMON_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? "127.0.0.1";
  const distDir = await realpath(options.distDir).catch(() => {
    throw new Error(`the handbook is not built (${options.distDir} is missing): run npm run build first`);
  });
  const registry = await RunbookRegistry.load(options.runbooksDir);
  const actor = options.actor ?? `${os.userInfo().username}@${os.hostname()} (console)`;
  const runs = new RunManager(registry, { dataDir: options.dataDir, processEnv: options.processEnv, actor });
  const sessions = new ConsoleSessions();
  const masker = new Masker();
  for (const name of ENVIRONMENTS) {
    try {
      const env = resolveEnvironment(name, options.processEnv);
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

  let guard: GuardConfig = { hosts: new Set() };
  const server = createServer((req, res) => {
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
      if (error instanceof BodyError) return sendJson(res, error.status, { error: error.message });
      log({
        level: "error",
        msg: "request failed",
        path: pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendJson(res, 500, { error: "the console failed on this request; see its log" });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    const facts = factsOf(req);
    const rawPath = req.url ?? "/";
    const pathname = rawPath.split("?")[0] ?? "/";
    const isApi = pathname.startsWith("/api/");
    const wrongHost = checkHost(facts, guard);
    if (wrongHost)
      return isApi ? sendJson(res, wrongHost.status, { error: wrongHost.error }) : sendText(res, wrongHost);
    if (isApi)
      return handleApi(req, res, facts, pathname, new URL(rawPath, "http://console.invalid").searchParams);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendText(res, { status: 405, error: `${req.method} is not allowed here` });
    }
    if (pathname === LOGIN_PATH) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : LOGIN_PAGE);
      return;
    }
    const found = await resolveStatic(distDir, rawPath);
    const notFound = found ? null : await resolveStatic(distDir, "/404.html");
    const file = found ?? notFound;
    if (!file) return sendText(res, { status: 404, error: "not found" });
    res.writeHead(found ? 200 : 404, {
      "Content-Type": file.type,
      "Cache-Control": pathname.startsWith("/_astro/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") return void res.end();
    if (file.type.startsWith("text/html")) {
      // The mark that tells the page's script a console serves it (a static copy has none, so
      // its pages never call an API that is not there).
      const html = await readFile(file.file, "utf8");
      return void res.end(html.replace(/<head>/i, '<head><meta name="ssp-console" content="1">'));
    }
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
    const refused = checkApiRequest(facts, guard, {
      eventStream: /^\/api\/runs\/[^/]+\/events$/.test(pathname),
    });
    if (refused) return sendJson(res, refused.status, { error: refused.error });
    const method = req.method ?? "GET";

    if (pathname === "/api/session" && method === "POST") {
      const body = LoginBody.safeParse(await readJson(req));
      if (!body.success) return sendJson(res, 400, { error: describeIssues(body.error) });
      const session = sessions.exchange(body.data.token);
      if (!session) {
        return sendJson(res, 401, {
          error:
            "this login link was already used or is not the current one; restart the console for a new link",
        });
      }
      res.setHeader("Set-Cookie", sessionCookie(session));
      log({ msg: "signed in" });
      return sendJson(res, 200, { ok: true });
    }

    const session = sessions.fromCookie(req.headers.cookie);
    if (!session) {
      return sendJson(res, 401, {
        error: "not signed in: open the one-time login link that npm start (or npm run console) printed",
      });
    }

    if (pathname === "/api/console" && method === "GET") {
      return sendJson(res, 200, {
        actor,
        environments: ENVIRONMENTS.map((name) => {
          try {
            return { name, configured: true, appUrl: resolveEnvironment(name, options.processEnv).appUrl };
          } catch (error) {
            return { name, configured: false, reason: (error as Error).message };
          }
        }),
        running: runs.running(),
        changedOnDisk: await registry.changedOnDisk(),
      });
    }

    if (pathname === "/api/runs" && method === "POST") {
      const body = StartRunBody.safeParse(await readJson(req));
      if (!body.success) return sendJson(res, 400, { error: describeIssues(body.error) });
      const outcome = await runs.start(body.data);
      if ("error" in outcome) {
        log({ msg: "run refused", runbook: body.data.runbook, env: body.data.env, error: outcome.error });
        return sendJson(res, outcome.status, { error: outcome.error });
      }
      log({ msg: "run started", runId: outcome.runId, runbook: body.data.runbook, env: body.data.env });
      const ticket = sessions.issueTicket(session, outcome.runId);
      return sendJson(res, 202, {
        runId: outcome.runId,
        events: `/api/runs/${outcome.runId}/events?ticket=${encodeURIComponent(ticket)}`,
      });
    }

    if (pathname === "/api/reload" && method === "POST") {
      const body = EmptyBody.safeParse(await readJson(req));
      if (!body.success) return sendJson(res, 400, { error: describeIssues(body.error) });
      if (runs.running().length > 0) {
        return sendJson(res, 409, {
          error: `runs are in progress (${runs.running().join(", ")}); reload when they end`,
        });
      }
      const changed = await registry.reload();
      log({ msg: "runbooks reloaded", changed });
      return sendJson(res, 200, { changed });
    }

    if (pathname === "/api/history" && method === "GET") {
      const runbook = query.get("runbook") ?? "";
      if (!registry.ids().includes(runbook))
        return sendJson(res, 404, { error: `unknown runbook "${runbook}"` });
      const records = (await readAudit(options.dataDir)).filter((record) => record.runbook === runbook);
      return sendJson(res, 200, { runs: records.reverse().slice(0, 25) });
    }

    if (pathname === "/api/load-test/last" && method === "GET") {
      // The newest summary the load-test runbook kept, for the chart the Scaling Guide draws after a
      // run from the page. Only a known profile name reaches the file system.
      const profile = query.get("profile") ?? "";
      if (!isProfileName(profile))
        return sendJson(res, 400, { error: `unknown load-test profile "${profile}"` });
      const file = path.join(options.dataDir, "artifacts", "load-test", `${profile}-summary.json`);
      const text = await readFile(file, "utf8").catch(() => null);
      if (text === null)
        return sendJson(res, 404, { error: `no ${profile} run of the load-test runbook recorded yet` });
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
      return void res.end(masker.mask(text));
    }

    const match = /^\/api\/runs\/([^/]+)\/(events|cancel|log)$/.exec(pathname);
    if (match) {
      const [, runId = "", action] = match;
      if (!RUN_ID.test(runId)) return sendJson(res, 400, { error: `"${runId}" is not a run id` });
      if (action === "events" && method === "GET") {
        if (!sessions.redeemTicket(query.get("ticket"), session, runId)) {
          return sendJson(res, 403, {
            error: "the event stream needs the single-use ticket returned when this run was started",
          });
        }
        return streamEvents(res, runId);
      }
      if (action === "cancel" && method === "POST") {
        const body = EmptyBody.safeParse(await readJson(req));
        if (!body.success) return sendJson(res, 400, { error: describeIssues(body.error) });
        if (!runs.cancel(runId, `cancelled from the console by ${actor}`)) {
          return sendJson(res, 409, { error: `run ${runId} is not running in this console` });
        }
        log({ msg: "run cancelled", runId });
        return sendJson(res, 202, { cancelling: runId });
      }
      if (action === "log" && method === "GET") {
        const events = await readRunEvents(options.dataDir, runId).catch(() => null);
        if (!events) return sendJson(res, 404, { error: `no recorded run "${runId}"` });
        return sendJson(res, 200, { events: events.map(forPage) });
      }
    }
    return sendJson(res, 404, { error: `no API route ${method} ${pathname}` });
  }

  function streamEvents(res: ServerResponse, runId: string): void {
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" });
    res.flushHeaders();
    // One JSON document per event: a line of step output cannot end the event or forge another.
    const send = (event: RunEvent) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
      if (event.type === "run-end") res.end();
    };
    const following = runs.follow(runId, send);
    if (!following) {
      res.write(
        `event: gone\ndata: ${JSON.stringify({ error: `run ${runId} is not in this console's memory; see its history` })}\n\n`,
      );
      return void res.end();
    }
    res.on("close", following.stop);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${options.port} on ${host} is in use: stop what runs there or set CONSOLE_PORT`)
          : error,
      ),
    );
    server.listen(options.port ?? 4321, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const names = new Set([
    `${host}:${port}`,
    `localhost:${port}`,
    `127.0.0.1:${port}`,
    ...(options.extraHosts ?? []),
  ]);
  guard = { hosts: new Set([...names].map((name) => name.toLowerCase())) };
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log({ msg: "console listening", url, runbooks: registry.ids().length });

  return {
    url,
    runs,
    loginLink(next?: string) {
      const token = sessions.mintLoginToken();
      const fragment = new URLSearchParams({ token, ...(next ? { next } : {}) });
      return `${url}${LOGIN_PATH}#${fragment}`;
    },
    async close() {
      await runs.shutdown("aborted: the console shut down");
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

function factsOf(req: IncomingMessage): RequestFacts {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    method: req.method ?? "GET",
    host: one(req.headers.host),
    origin: one(req.headers.origin),
    secFetchSite: one(req.headers["sec-fetch-site"]),
    contentType: one(req.headers["content-type"]),
    consoleHeader: one(req.headers["x-console-request"]),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(413, `the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new BodyError(400, "the body is not valid JSON");
  }
}

class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${refusal.error}\n`);
}
