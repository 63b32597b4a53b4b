import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "../../runbooks/engine/audit.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { processAlive } from "../../runbooks/lib/process.ts";
import { CONSOLE_FIXTURES, readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// Every defence of the console, each asserting the refusal AND that nothing ran: the fixture
// runbook appends to ran.log whenever one of its steps runs, and every run is in the audit log.

const SECRET = "zz-console-secret-9431";
let dist: string;
let consoleUnderTest: TestConsole;
let cookie: string;
let runbooksDir: string;

async function makeDist(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "ssp-dist-"));
  await writeFile(
    path.join(root, "index.html"),
    "<!doctype html><html><head><title>home</title></head><body>home</body></html>",
  );
  await writeFile(
    path.join(root, "404.html"),
    "<!doctype html><html><head></head><body>not here</body></html>",
  );
  await mkdir(path.join(root, "guide"));
  await writeFile(
    path.join(root, "guide", "index.html"),
    "<!doctype html><html><head></head><body>guide</body></html>",
  );
  await writeFile(path.join(root, ".env"), "SECRET=1");
  await symlink("/etc/hostname", path.join(root, "linked.txt"));
  await writeFile(path.join(path.dirname(root), `${path.basename(root)}-outside.txt`), "outside");
  return root;
}

function raw(
  target: TestConsole,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        headers: { Host: target.host, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
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

const ranLog = (runbook = "console-demo") =>
  path.join(consoleUnderTest.dataDir, "artifacts", runbook, "ran.log");
const ran = () => (existsSync(ranLog()) ? readFileSync(ranLog(), "utf8").trim().split("\n") : []);
const auditCount = async () => (await readAudit(consoleUnderTest.dataDir)).length;

async function startRun(body: Record<string, unknown>, target = consoleUnderTest, session = cookie) {
  return target.api("POST", "/api/runs", { cookie: session, body });
}

async function runToEnd(body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const response = await startRun(body);
  expect(response.status, await response.clone().text()).toBe(202);
  const { events } = (await response.json()) as { events: string };
  return readStream(await consoleUnderTest.api("GET", events, { cookie }));
}

/** The refusal and its proof: same ran.log, same number of audit records. */
async function expectNothingRan(action: () => Promise<{ status: number }>, status: number): Promise<void> {
  const before = { ran: ran(), audit: await auditCount() };
  const result = await action();
  expect(result.status).toBe(status);
  expect(ran()).toEqual(before.ran);
  expect(await auditCount()).toBe(before.audit);
}

beforeAll(async () => {
  dist = await makeDist();
  // A private copy of the fixture runbooks: one test edits a file to prove changed files are refused.
  runbooksDir = await mkdtemp(path.join(tmpdir(), "ssp-console-rb-"));
  // The copies import zod like the originals do.
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(runbooksDir, "node_modules"));
  await mkdir(path.join(runbooksDir, "demo"));
  for (const file of ["console-demo.ts", "console-flaky.ts"]) {
    const text = await readFile(path.join(CONSOLE_FIXTURES, "demo", file), "utf8");
    await writeFile(
      path.join(runbooksDir, "demo", file),
      text.replaceAll("../../../../../runbooks/engine/", `${path.join(REPO_ROOT, "runbooks/engine")}/`),
    );
  }
  consoleUnderTest = await startTestConsole({
    distDir: dist,
    runbooksDir,
    processEnv: { CONSOLE_DEMO_PASSWORD: SECRET },
  });
  cookie = await consoleUnderTest.signIn();
});

afterAll(async () => {
  await consoleUnderTest?.server.close();
  if (runbooksDir) await rm(runbooksDir, { recursive: true, force: true });
});

const goodRun = { runbook: "console-demo", env: "dev", step: "greet", params: { note: "hi" } };

describe("console: who may call it", () => {
  it("refuses a Host that is not the console's own name (DNS rebinding), for pages and the API", async () => {
    const page = await raw(consoleUnderTest, "GET", "/", { Host: "attacker.example:80" });
    expect(page.status).toBe(421);
    expect(page.text).not.toContain("home");
    await expectNothingRan(
      () =>
        raw(
          consoleUnderTest,
          "POST",
          "/api/runs",
          {
            Host: `rebound.example:${new URL(consoleUnderTest.url).port}`,
            Origin: `http://rebound.example:${new URL(consoleUnderTest.url).port}`,
            "X-Console-Request": "1",
            "Content-Type": "application/json",
            Cookie: cookie,
          },
          JSON.stringify(goodRun),
        ),
      421,
    );
  });

  it("refuses other origins, requests without the console header, POSTs without Origin, and cross-site fetch metadata", async () => {
    const attempts: Array<[Record<string, string>, number]> = [
      [{ Origin: "https://evil.example" }, 403],
      [{ Origin: "null" }, 403],
      [{ "X-Console-Request": "" }, 403],
      [{ "Sec-Fetch-Site": "cross-site" }, 403],
    ];
    for (const [headers, status] of attempts) {
      await expectNothingRan(
        () => consoleUnderTest.api("POST", "/api/runs", { cookie, body: goodRun, headers }),
        status,
      );
    }
    await expectNothingRan(
      () =>
        raw(
          consoleUnderTest,
          "POST",
          "/api/runs",
          { "X-Console-Request": "1", "Content-Type": "application/json", Cookie: cookie },
          JSON.stringify(goodRun),
        ),
      403,
    );
  });

  it("accepts only JSON bodies: a form post is refused", async () => {
    for (const type of [
      "application/x-www-form-urlencoded",
      "text/plain",
      "multipart/form-data; boundary=x",
    ]) {
      await expectNothingRan(
        () =>
          consoleUnderTest.api("POST", "/api/runs", {
            cookie,
            body: "runbook=console-demo&env=dev",
            headers: { "Content-Type": type },
          }),
        415,
      );
    }
    await expectNothingRan(
      () => consoleUnderTest.api("POST", "/api/runs", { cookie, body: "{not json" }),
      400,
    );
    await expectNothingRan(
      () =>
        consoleUnderTest.api("POST", "/api/runs", {
          cookie,
          body: JSON.stringify({ ...goodRun, pad: "x".repeat(20_000) }),
        }),
      413,
    );
  });

  it("needs the session from the one-time login link; the link works once", async () => {
    await expectNothingRan(() => startRun(goodRun, consoleUnderTest, ""), 401);
    await expectNothingRan(() => startRun(goodRun, consoleUnderTest, "ssp_console=forged"), 401);
    const link = consoleUnderTest.server.loginLink();
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get("token");
    const first = await consoleUnderTest.api("POST", "/api/session", { body: { token } });
    expect(first.status).toBe(200);
    const setCookie = first.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const again = await consoleUnderTest.api("POST", "/api/session", { body: { token } });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: string }).error).toMatch(/already used/);
    const wrong = await consoleUnderTest.api("POST", "/api/session", { body: { token: "guess" } });
    expect(wrong.status).toBe(401);
    // The token travels in the fragment: the login page is the same for everyone and is not cached.
    const page = await raw(consoleUnderTest, "GET", "/console/login");
    expect(page.status).toBe(200);
    expect(page.headers["cache-control"]).toBe("no-store");
  });

  it("changes nothing on GET, allows no other method, and never sends CORS headers", async () => {
    await expectNothingRan(() => consoleUnderTest.api("GET", "/api/runs", { cookie }), 404);
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await raw(consoleUnderTest, method, "/api/runs", {
        Origin: "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "X-Console-Request": "1",
        Cookie: cookie,
      });
      expect(response.status, method).toBe(405);
      expect(
        Object.keys(response.headers).filter((h) => h.startsWith("access-control-")),
        method,
      ).toEqual([]);
    }
    const ok = await raw(consoleUnderTest, "GET", "/api/console", {
      "X-Console-Request": "1",
      Cookie: cookie,
      Origin: consoleUnderTest.origin,
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });
});

describe("console: what may run", () => {
  it("runs only registered runbooks and steps, with parameters valid for the runbook's schema", async () => {
    const refusals: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ ...goodRun, runbook: "nope" }, 404, /unknown runbook "nope"/],
      [{ ...goodRun, runbook: "../engine/cli" }, 400, /kebab-case/],
      [{ ...goodRun, step: "rm-rf" }, 400, /has no step "rm-rf"/],
      [{ ...goodRun, params: { command: "id" } }, 400, /unknown parameter "command"/],
      [{ ...goodRun, params: { wait: "soon" } }, 400, /wait/],
      [{ ...goodRun, params: { wait: 999 } }, 400, /wait/],
      [{ ...goodRun, env: "moon" }, 400, /unknown environment "moon"/],
      [{ ...goodRun, env: "production" }, 400, /not configured/],
      [{ ...goodRun, shell: "touch /tmp/pwned" }, 400, /shell/],
      [{ ...goodRun, params: { "a b": "x" } }, 400, /params\.a b/],
    ];
    for (const [body, status, message] of refusals) {
      const before = ran();
      const response = await startRun(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
      expect(ran()).toEqual(before);
    }
  });

  it("passes parameters as values, never into a shell string", async () => {
    const marker = path.join(consoleUnderTest.dataDir, "pwned");
    const events = await runToEnd({ ...goodRun, params: { note: `$(touch ${marker}); touch ${marker}` } });
    expect(existsSync(marker)).toBe(false);
    const lines = events.filter((e) => e.type === "output").map((e) => e.line);
    expect(lines).toContain(`child says $(touch ${marker}); touch ${marker}`);
  });

  it("asks for the environment name before a destructive step and runs nothing without it", async () => {
    const wipe = { runbook: "console-demo", env: "dev", step: "wipe" };
    const before = ran().filter((l) => l === "wipe").length;
    for (const confirm of [undefined, "", "production", "DEV"]) {
      const response = await startRun({ ...wipe, ...(confirm === undefined ? {} : { confirm }) });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/not confirmed/);
    }
    expect(ran().filter((l) => l === "wipe").length).toBe(before);
    const planned = await runToEnd({ ...wipe, plan: true });
    expect(planned.some((e) => e.type === "output" && e.line === "[plan] would wipe")).toBe(true);
    expect(ran().filter((l) => l === "wipe").length).toBe(before);
    const events = await runToEnd({ ...wipe, confirm: "dev" });
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "ok" });
    expect(ran().filter((l) => l === "wipe").length).toBe(before + 1);
  });

  it("refuses a runbook file changed since the console loaded it until reload, and a page showing other code", async () => {
    const file = path.join(runbooksDir, "demo", "console-flaky.ts");
    const original = await readFile(file, "utf8");
    const flaky = { runbook: "console-flaky", env: "dev" };
    await writeFile(file, original.replace('"Always succeeds."', '"Always succeeds, edited."'));
    try {
      await expectNothingRan(() => startRun(flaky), 409);
      const status = (await (await consoleUnderTest.api("GET", "/api/console", { cookie })).json()) as {
        changedOnDisk: string[];
      };
      expect(status.changedOnDisk).toEqual(["console-flaky"]);
      const reload = await consoleUnderTest.api("POST", "/api/reload", { cookie, body: {} });
      expect(await reload.json()).toEqual({ changed: ["console-flaky"] });
      await expectNothingRan(() => startRun({ ...flaky, sourceHash: "0".repeat(64) }), 409);
    } finally {
      await writeFile(file, original);
      await consoleUnderTest.api("POST", "/api/reload", { cookie, body: {} });
    }
  });

  it("allows one change run per environment, across the console and the CLI", async () => {
    // The CLI holds the dev lock with a change step that waits.
    const cli = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, "runbooks/engine/cli.ts"),
        "console-demo",
        "--step",
        "change",
        "--param",
        "wait=20",
        "--json",
      ],
      {
        env: {
          ...process.env,
          RUNBOOKS_DIR: runbooksDir,
          RUNBOOK_DATA_DIR: consoleUnderTest.dataDir,
          SSP_DEV_STACK_FILE: "/nonexistent",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let stderr = "";
        cli.stderr.on("data", (chunk: Buffer) => {
          stderr += String(chunk);
        });
        cli.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes('"step-start"')) resolve();
        });
        cli.once("exit", (code) => reject(new Error(`the CLI exited early (${code}): ${stderr}`)));
      });
      const response = await startRun({ runbook: "console-demo", env: "dev", step: "change" });
      expect(response.status).toBe(409);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /locked by run .* \(console-demo, by /,
      );
      // Read steps need no lock.
      const read = await runToEnd(goodRun);
      expect(read.at(-1)).toMatchObject({ type: "run-end", status: "ok" });
    } finally {
      if (cli.exitCode === null && cli.signalCode === null) {
        const exited = new Promise((resolve) => cli.once("exit", resolve));
        cli.kill("SIGINT");
        await exited;
      }
    }
  }, 40_000);
});

describe("console: the event stream", () => {
  it("needs the single-use ticket of the request that started the run", async () => {
    const response = await startRun(goodRun);
    const { runId, events } = (await response.json()) as { runId: string; events: string };
    expect((await consoleUnderTest.api("GET", `/api/runs/${runId}/events`, { cookie })).status).toBe(403);
    const otherSession = await consoleUnderTest.signIn();
    expect((await consoleUnderTest.api("GET", events, { cookie: otherSession })).status).toBe(403);
    // The failed attempt above used the ticket up? No: a ticket shown to another session is spent.
    const second = await startRun(goodRun);
    const next = (await second.json()) as { runId: string; events: string };
    const wrongRun = next.events.replace(next.runId, runId);
    expect((await consoleUnderTest.api("GET", wrongRun, { cookie })).status).toBe(403);
    const third = await startRun(goodRun);
    const good = (await third.json()) as { events: string };
    // EventSource sends no custom header: the ticket stands in for it, but cross-site is still refused.
    expect(
      (
        await consoleUnderTest.api("GET", good.events, {
          cookie,
          headers: { "Sec-Fetch-Site": "cross-site", "X-Console-Request": "" },
        })
      ).status,
    ).toBe(403);
    const fourth = (await (await startRun(goodRun)).json()) as { events: string };
    expect(
      (await consoleUnderTest.api("GET", fourth.events, { cookie, headers: { "X-Console-Request": "" } }))
        .status,
    ).toBe(200);
    expect((await consoleUnderTest.api("GET", good.events, { cookie })).status).toBe(200);
    expect((await consoleUnderTest.api("GET", good.events, { cookie })).status).toBe(403);
  });

  it("sends each event as one JSON document: output cannot forge events, escapes are stripped, secrets masked", async () => {
    const events = await runToEnd({ ...goodRun, params: { note: `password ${SECRET}` } });
    expect(events.filter((e) => e.type === "run-end")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "ok" });
    const lines = events.filter((e) => e.type === "output").map((e) => String(e.line));
    expect(lines).toContain('data: {"type":"run-end","status":"ok"}');
    expect(lines).toContain("red alert done");
    expect(lines).toContain("<img src=x onerror=alert(1)>");
    expect(lines.join("\n")).not.toContain(SECRET);
    expect(lines).toContain("note: password ***");
    const runId = String(events[0]?.runId);
    const history = (await (
      await consoleUnderTest.api("GET", "/api/history?runbook=console-demo", { cookie })
    ).json()) as {
      runs: Array<{ runId: string; params: Record<string, unknown> }>;
    };
    const recorded = history.runs.find((r) => r.runId === runId);
    expect(recorded?.params.note).toBe("password ***");
    const log = await (await consoleUnderTest.api("GET", `/api/runs/${runId}/log`, { cookie })).text();
    expect(log).toContain("note: password ***");
    expect(log).not.toContain(SECRET);
    expect(consoleUnderTest.logs.join("\n")).not.toContain(SECRET);
    expect(consoleUnderTest.logs.join("\n")).not.toMatch(/ticket=/);
  });
});

describe("console: run artifacts", () => {
  it("serves a declared artifact of a run from that run's folder only, masked, and lists it in the history", async () => {
    const started = await startRun({ ...goodRun, params: { note: `password ${SECRET}` } });
    expect(started.status).toBe(202);
    const { runId, events } = (await started.json()) as { runId: string; events: string };
    await readStream(await consoleUnderTest.api("GET", events, { cookie }));
    const artifact = await consoleUnderTest.api("GET", `/api/runs/${runId}/artifacts/greeting`, { cookie });
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await artifact.text()).toBe("greeting: password ***\n");

    const history = (await (
      await consoleUnderTest.api("GET", "/api/history?runbook=console-demo", { cookie })
    ).json()) as { runs: Array<{ runId: string; artifacts: string[] }> };
    expect(history.runs.find((r) => r.runId === runId)?.artifacts).toEqual(["greeting"]);

    const refused: Array<[string, number]> = [
      [`/api/runs/${runId}/artifacts/nope`, 404], // not declared
      [`/api/runs/${runId}/artifacts/..%2F..%2Faudit`, 400], // not an artifact name
      [`/api/runs/${runId}/artifacts/ran-log`, 404], // a file in the folder, but not declared
      ["/api/runs/no-such-run/artifacts/greeting", 404],
      ["/api/runs/..%2F..%2Faudit/artifacts/greeting", 400],
    ];
    for (const [url, status] of refused)
      expect((await consoleUnderTest.api("GET", url, { cookie })).status, url).toBe(status);
    expect((await consoleUnderTest.api("GET", `/api/runs/${runId}/artifacts/greeting`)).status).toBe(401);
    // A plan of the same step runs nothing and leaves no artifact.
    const planned = await startRun({ ...goodRun, step: "change", plan: true });
    const plan = (await planned.json()) as { runId: string; events: string };
    await readStream(await consoleUnderTest.api("GET", plan.events, { cookie }));
    expect(
      (await consoleUnderTest.api("GET", `/api/runs/${plan.runId}/artifacts/greeting`, { cookie })).status,
    ).toBe(404);
  });
});

describe("console: static files", () => {
  it("serves the build output and nothing else", async () => {
    expect((await raw(consoleUnderTest, "GET", "/")).text).toContain("home");
    expect((await raw(consoleUnderTest, "GET", "/guide/")).text).toContain("guide");
    const outside = `/${"..%2f".repeat(1)}${path.basename(dist)}-outside.txt`;
    for (const trick of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/%2E%2E%2Fpackage.json",
      "/guide/..%2f..%2fpackage.json",
      "/guide/%2e%2e/%2e%2e/package.json",
      "/..%5cpackage.json",
      "/guide\\..\\..\\package.json",
      outside,
      "/.env",
      "/%2eenv",
      "/guide/%00.html",
      "/linked.txt",
    ]) {
      const response = await raw(consoleUnderTest, "GET", trick);
      expect(response.status, trick).toBe(404);
      expect(response.text, trick).not.toMatch(/SECRET=1|outside|"name"/);
    }
  });

  it("forbids framing on HTML and marks the pages it serves as console pages", async () => {
    const page = await raw(consoleUnderTest, "GET", "/guide/");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('<meta name="ssp-console" content="1">');
    const missing = await raw(consoleUnderTest, "GET", "/nope/");
    expect(missing.status).toBe(404);
    expect(missing.headers["x-frame-options"]).toBe("DENY");
  });
});

describe("console: cancel and shutdown", () => {
  it("cancel stops the step and its child process; shutdown aborts running steps and records them", async () => {
    const target = await startTestConsole({ distDir: dist, runbooksDir });
    const session = await target.signIn();
    const sleeperPid = path.join(target.dataDir, "artifacts", "console-demo", "sleeper.pid");
    // The shell creates the pid file before it writes the pid: wait for the number, not the file.
    const waitForPid = async (which: string) => {
      for (let i = 0; i < 100; i++) {
        const text = existsSync(sleeperPid) ? readFileSync(sleeperPid, "utf8").trim() : "";
        if (text) return Number(text);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the ${which} sleeper never wrote its pid`);
    };

    const started = await startRun(
      { runbook: "console-demo", env: "dev", step: "pause", params: { wait: 30 } },
      target,
      session,
    );
    const { runId, events } = (await started.json()) as { runId: string; events: string };
    const stream = target.api("GET", events, { cookie: session }).then(readStream);
    const pid = await waitForPid("first");
    expect(processAlive(pid)).toBe(true);
    expect(
      (await target.api("POST", `/api/runs/${runId}/cancel`, { cookie: session, body: {} })).status,
    ).toBe(202);
    const seen = await stream;
    expect(seen.at(-1)).toMatchObject({ type: "run-end", status: "cancelled" });
    for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(pid)).toBe(false);
    expect(
      (await target.api("POST", `/api/runs/${runId}/cancel`, { cookie: session, body: {} })).status,
    ).toBe(409);

    await writeFile(sleeperPid, "");
    const second = await startRun(
      { runbook: "console-demo", env: "dev", step: "pause", params: { wait: 30 } },
      target,
      session,
    );
    const secondRun = ((await second.json()) as { runId: string }).runId;
    await new Promise((r) => setTimeout(r, 200));
    const pid2 = await waitForPid("second");
    await target.server.close();
    const record = (await readAudit(target.dataDir)).find((r) => r.runId === secondRun);
    expect(record?.status).toBe("cancelled");
    expect(record?.steps[0]?.error).toBe(
      "aborted: the console shut down; its child processes were killed (1 process group)",
    );
    for (let i = 0; i < 50 && processAlive(pid2); i++) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(pid2)).toBe(false);
  }, 30_000);
});
