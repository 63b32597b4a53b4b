import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { linkSocket, linkTokenFile, requestLink } from "../../console/link-channel.ts";
import { portAnswers } from "../../runbooks/lib/net.ts";
import { freePort } from "../support/redis-server.ts";
import { createDatabase, dropDatabase, TEST_REDIS_URL, uniqueName } from "../support/services.ts";

// `npm start` as an operator meets it at 3 a.m., through the real npm: a quiet terminal (the
// sign-in link, not the app's request log), a fresh link from `npm run console:link` over a channel
// only this OS user can use, a second start that names the stack holding the port and how to stop
// it, and `kill <npm pid>` (what `kill %1` or a supervisor does) taking the whole stack down.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let npm: ChildProcess | null = null;
let dataDir = "";
const database = uniqueName("ssp_supervision");

afterAll(async () => {
  if (npm && npm.exitCode === null) npm.kill("SIGKILL");
  await dropDatabase(database).catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start under supervision", () => {
  it("keeps the terminal quiet, mints links on request, names its own stack on a second start, and stops when npm is killed", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ssp-supervision-"));
    const dist = path.join(dataDir, "dist");
    await mkdir(dist);
    await writeFile(
      path.join(dist, "index.html"),
      "<!doctype html><html><head></head><body>handbook</body></html>",
    );
    const port = await freePort();
    const consolePort = await freePort();
    const env: Record<string, string> = {
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? "/root",
      PORT: String(port),
      CONSOLE_PORT: String(consolePort),
      CONSOLE_DIST_DIR: dist,
      SSP_DATA_DIR: path.join(dataDir, "data"),
      DATABASE_URL: await createDatabase(database),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `${database}:`,
    };
    npm = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<void>((resolve) => npm?.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("press Ctrl-C to stop")) resolve();
      };
      npm?.stdout?.on("data", onData);
      npm?.stderr?.on("data", onData);
      void exited.then(() => reject(new Error(`npm start exited before it was ready:\n${output}`)));
    });

    // Quiet: requests to the app land in its log file, not in the terminal around the link.
    for (let i = 0; i < 20; i++) await (await fetch(`http://127.0.0.1:${port}/trpc/system.ping`)).text();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output).toMatch(/\[start\] sign in: +http:\/\/127\.0\.0\.1:\d+\/console\/login#token=/);
    expect(output).not.toMatch(/"msg":"request/);
    expect(output).not.toMatch(/^\{"level"/m);
    const appLog = await readFile(path.join(env.SSP_DATA_DIR as string, "logs", "app.log"), "utf8");
    expect(appLog.split("\n").filter((line) => line.includes("system.ping")).length).toBeGreaterThanOrEqual(
      20,
    );

    // console:link: the same OS user gets a fresh link that signs in; the channel is private.
    const link = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, "console/link.ts")], { env });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once("exit", (code) =>
        code === 0
          ? resolve(/(http\S+)/.exec(out)?.[1] ?? "")
          : reject(new Error(`console:link exited ${code}`)),
      );
    });
    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    const session = await fetch(`${consoleUrl}/api/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Console-Request": "1", Origin: consoleUrl },
      body: JSON.stringify({ token: new URLSearchParams(new URL(link).hash.slice(1)).get("token") }),
    });
    expect(session.status).toBe(200);
    const local = env.SSP_DATA_DIR as string;
    expect((await stat(local)).mode & 0o777).toBe(0o700);
    expect((await stat(linkSocket(local))).mode & 0o777).toBe(0o600);
    expect((await stat(linkTokenFile(local))).mode & 0o777).toBe(0o600);
    await expect(requestLink(local, "not-the-token")).rejects.toThrow(/the console refused: wrong token/);
    if (process.getuid?.() === 0) {
      // Another OS user (nobody) cannot even reach the socket: the folder and the socket are private.
      const other = await new Promise<string>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            "-e",
            `require("node:net").connect(${JSON.stringify(linkSocket(local))}).on("error",(e)=>console.log(e.code)).on("connect",()=>console.log("connected"))`,
          ],
          { uid: 65534, gid: 65534 },
        );
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.once("exit", () => resolve(out.trim()));
      });
      expect(other).toBe("EACCES");
    }

    // A second start names the stack that holds the port, and the command that stops it.
    const second = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, "scripts/start.ts")], { env });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once("exit", (code) => resolve({ code, stderr }));
    });
    expect(second.code).toBe(2);
    const named =
      /an earlier npm start of this checkout holds it \(its app, pid (\d+); npm start's scripts\/start\.ts is pid (\d+)\)\. Stop that stack with: kill (\d+)/.exec(
        second.stderr,
      );
    expect(named, second.stderr).not.toBeNull();
    const startPid = Number(named?.[2]);
    expect(named?.[3]).toBe(named?.[2]);

    // kill <npm pid>: npm exits; start.ts notices and stops the whole stack within 5 s.
    const killedAt = Date.now();
    npm.kill("SIGTERM");
    await exited;
    await until(
      async () => !(await portAnswers(port)) && !(await portAnswers(consolePort)) && !alive(startPid),
      5_000,
    );
    console.log(`[figure] kill <npm pid> to nothing listening: ${Date.now() - killedAt} ms`);
  }, 60_000);
});
