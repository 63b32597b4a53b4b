import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleServer, startConsole } from "../../console/server.ts";
import { consoleSettings, SettingsError } from "../../console/settings.ts";
import { type RefusalRecord, readAudit, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { CONSOLE_FIXTURES } from "../support/console.ts";

// The console served to a team: over https with a certificate and key from configuration (a
// self-signed pair made here with openssl), and behind a real nginx that ends TLS
// (deploy/nginx/console.conf, as committed, with only its names, ports and paths swapped).

const run = promisify(execFile);
const NGINX = "/usr/sbin/nginx";
let dir: string;
let dist: string;
let cert: string;
let key: string;
let otherKey: string;
const started: ConsoleServer[] = [];
const dataDirs = new Map<ConsoleServer, string>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An https request that trusts only the test's own certificate. */
async function https(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const ca = await readFile(cert);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ca,
        headers: {
          "X-Console-Request": "1",
          ...(body ? { "Content-Type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const cookieOf = (answer: Answer) => String(answer.headers["set-cookie"] ?? "").split(";")[0] ?? "";
const tokenOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get("token");

async function start(more: Partial<Parameters<typeof startConsole>[0]>): Promise<ConsoleServer> {
  const dataDir = await mkdtemp(path.join(dir, "data-"));
  const server = await startConsole({
    port: 0,
    distDir: dist,
    runbooksDir: CONSOLE_FIXTURES,
    dataDir,
    processEnv: {
      ...process.env,
      RUNBOOK_DATA_DIR: dataDir,
      SSP_DEV_STACK_FILE: path.join(dataDir, "no-dev-stack.json"),
    },
    actor: "tester@console",
    log: () => undefined,
    ...more,
  });
  started.push(server);
  dataDirs.set(server, dataDir);
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-tls-"));
  dist = path.join(dir, "dist");
  await mkdir(dist);
  await writeFile(
    path.join(dist, "index.html"),
    "<!doctype html><html><head></head><body>home</body></html>",
  );
  cert = path.join(dir, "cert.pem");
  key = path.join(dir, "key.pem");
  otherKey = path.join(dir, "other-key.pem");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  await run("openssl", [
    "genpkey",
    "-algorithm",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-out",
    otherKey,
  ]);
});

afterAll(async () => {
  for (const server of started) await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("TLS settings", () => {
  it("binds beyond loopback only with TLS, and wants the certificate and key together", () => {
    expect(() => consoleSettings({ CONSOLE_HOST: "0.0.0.0" }, REPO_ROOT)).toThrow(
      /CONSOLE_HOST=0\.0\.0\.0 would serve the console beyond this machine without TLS/,
    );
    expect(() => consoleSettings({ CONSOLE_TLS_CERT: cert }, REPO_ROOT)).toThrow(
      /CONSOLE_TLS_CERT and CONSOLE_TLS_KEY go together.*only CONSOLE_TLS_CERT is set/,
    );
    expect(
      consoleSettings({ CONSOLE_HOST: "0.0.0.0", CONSOLE_TLS_CERT: cert, CONSOLE_TLS_KEY: key }, REPO_ROOT)
        .tls,
    ).toEqual({ certFile: cert, keyFile: key });
    expect(consoleSettings({ CONSOLE_HOST: "127.0.0.1" }, REPO_ROOT).tls).toBeUndefined();
    expect(() => consoleSettings({ CONSOLE_PUBLIC_URL: "http://handbook.example.org" }, REPO_ROOT)).toThrow(
      /CONSOLE_PUBLIC_URL must be the https origin/,
    );
    expect(consoleSettings({ CONSOLE_PUBLIC_URL: "https://handbook.example.org" }, REPO_ROOT).publicUrl).toBe(
      "https://handbook.example.org",
    );
  });

  it("stops with a clear error for a missing, non-PEM or mismatched certificate and key", async () => {
    const attempts: Array<[{ certFile: string; keyFile: string }, RegExp]> = [
      [{ certFile: path.join(dir, "nope.pem"), keyFile: key }, /CONSOLE_TLS_CERT=.*nope\.pem: no such file/],
      [{ certFile: cert, keyFile: path.join(dir, "nope.pem") }, /CONSOLE_TLS_KEY=.*nope\.pem: no such file/],
      [{ certFile: key, keyFile: key }, /CONSOLE_TLS_CERT=.*key\.pem is not a PEM certificate/],
      [{ certFile: cert, keyFile: cert }, /CONSOLE_TLS_KEY=.*cert\.pem is not a PEM private key/],
      [{ certFile: cert, keyFile: otherKey }, /other-key\.pem is not the private key of CONSOLE_TLS_CERT/],
    ];
    for (const [tls, message] of attempts) {
      const failed = await start({ tls }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(SettingsError);
      expect(String(failed)).toMatch(message);
    }
  });
});

describe("the console over https", () => {
  it("serves pages and the API over TLS, checks the https Origin and marks the cookie Secure", async () => {
    const server = await start({ tls: { certFile: cert, keyFile: key } });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.loginLink()).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/console\/login#token=/);
    expect((await https(`${server.url}/`)).text).toContain("home");
    const crossScheme = await https(`${server.url}/api/session`, {
      method: "POST",
      headers: { Origin: server.url.replace("https:", "http:") },
      body: { token: tokenOf(server.loginLink()) },
    });
    expect(crossScheme.status).toBe(403);
    const signedIn = await https(`${server.url}/api/session`, {
      method: "POST",
      headers: { Origin: server.url },
      body: { token: tokenOf(server.loginLink()) },
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(String(signedIn.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Secure$/);
    const info = await https(`${server.url}/api/console`, { headers: { Cookie: cookieOf(signedIn) } });
    expect(JSON.parse(info.text)).toMatchObject({ actor: "tester@console" });
    // Plain http to the TLS port gets no page.
    const plain = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), "127.0.0.1", () =>
        socket.end("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(plain).not.toContain("home");
  });
});

describe.skipIf(!existsSync(NGINX))("behind nginx (deploy/nginx/console.conf)", () => {
  let nginx: ChildProcess | null = null;
  const nginxDir = () => path.join(dir, "nginx");

  afterAll(async () => {
    if (nginx?.pid && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once("exit", resolve));
      nginx.kill("SIGTERM");
      await exited;
    }
  });

  /** The committed config with this test's names, ports and files; each swap must find its line. */
  async function localConfig(ports: { tls: number; http: number; console: number }): Promise<string> {
    let conf = await readFile(path.join(REPO_ROOT, "deploy/nginx/console.conf"), "utf8");
    const swap = (from: string | RegExp, to: string) => {
      const next = conf.replaceAll(from, to);
      if (next === conf) throw new Error(`deploy/nginx/console.conf no longer has ${String(from)}`);
      conf = next;
    };
    swap("listen 443 ssl http2;", `listen 127.0.0.1:${ports.tls} ssl http2;`);
    swap(/^\s*listen \[::\]:\d+.*$/gm, "");
    swap("listen 80;", `listen 127.0.0.1:${ports.http};`);
    swap("server_name handbook.example.org;", "server_name localhost;");
    swap("/etc/ssl/handbook/fullchain.pem", cert);
    swap("/etc/ssl/handbook/privkey.pem", key);
    swap("proxy_pass http://127.0.0.1:4321;", `proxy_pass http://127.0.0.1:${ports.console};`);
    const d = nginxDir();
    return `worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/tmp/body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
${conf}
}
`;
  }

  it("passes nginx -t, signs in and streams a run through nginx, with Secure cookies and https links", async () => {
    const tlsPort = await freePort();
    const httpPort = await freePort();
    const publicUrl = `https://localhost:${tlsPort}`;
    const server = await start({ publicUrl });
    const consolePort = Number(new URL(server.url).port);
    await mkdir(path.join(nginxDir(), "tmp"), { recursive: true });
    const file = path.join(nginxDir(), "nginx.conf");
    await writeFile(file, await localConfig({ tls: tlsPort, http: httpPort, console: consolePort }));
    const args = ["-p", nginxDir(), "-c", file, "-e", path.join(nginxDir(), "error.log")];
    await run(NGINX, ["-t", "-q", ...args]);
    nginx = spawn(NGINX, [...args, "-g", "daemon off;"], { stdio: "ignore" });
    // Ready once it accepts connections on the TLS port.
    for (let ready = false; !ready; ) {
      ready = await new Promise<boolean>((resolve) => {
        const socket = connect(tlsPort, "127.0.0.1", () => {
          socket.destroy();
          resolve(true);
        });
        socket.on("error", () => setTimeout(() => resolve(false), 50));
      });
      if (nginx.exitCode !== null)
        throw new Error(await readFile(path.join(nginxDir(), "error.log"), "utf8"));
    }

    const link = server.loginLink();
    expect(link.startsWith(`${publicUrl}/console/login#token=`)).toBe(true);
    const signedIn = await https(`${publicUrl}/api/session`, {
      method: "POST",
      headers: { Origin: publicUrl },
      body: { token: tokenOf(link) },
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(String(signedIn.headers["set-cookie"])).toContain("; Secure");
    expect(String(signedIn.headers["strict-transport-security"])).toContain("max-age=");
    const cookie = cookieOf(signedIn);
    const runStart = await https(`${publicUrl}/api/runs`, {
      method: "POST",
      headers: { Origin: publicUrl, Cookie: cookie },
      body: { runbook: "console-demo", env: "dev", step: "greet", params: { note: "through nginx" } },
    });
    expect(runStart.status, runStart.text).toBe(202);
    const { runId, events } = JSON.parse(runStart.text) as { runId: string; events: string };
    const stream = await https(`${publicUrl}${events}`, { headers: { Cookie: cookie } });
    expect(stream.text).toContain("note: through nginx");
    expect(stream.text).toContain('"type":"run-end"');
    const audit = await readAudit(dataDirs.get(server) ?? "");
    expect(audit.find((entry) => entry.runId === runId)?.actor).toBe("tester@console");
    // A refusal through the proxy names the client's address as nginx forwarded it.
    const refused = await https(`${publicUrl}/api/reload`, {
      method: "POST",
      headers: { Origin: publicUrl },
      body: {},
    });
    expect(refused.status).toBe(401);
    let who: string | undefined;
    for (let attempt = 0; attempt < 50 && !who; attempt++) {
      who = (await readAuditEntries(dataDirs.get(server) ?? "")).find(
        (entry): entry is RefusalRecord => entry.kind === "refusal" && entry.rule === "session",
      )?.who;
      if (!who) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(who).toBe("127.0.0.1 (forwarded for 127.0.0.1)");
    // Plain http only redirects to https.
    const redirect = await new Promise<string>((resolve) => {
      const socket = connect(httpPort, "127.0.0.1", () =>
        socket.end(`GET /api/console HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
      );
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("close", () => resolve(text));
    });
    expect(redirect).toMatch(/^HTTP\/1\.1 301/);
    expect(redirect).toContain("Location: https://localhost/api/console");
  });
});
