import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLinkChannel } from "../../console/link-channel.ts";
import { type RefusalRecord, readAudit, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { NAMESPACES, signMessage } from "../../runbooks/engine/ssh-signatures.ts";
import { readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// People, not user@host: operators sign in as themselves, with a personal one-time link minted on
// the host or with a challenge signed by their own SSH key (throwaway keys made here with
// ssh-keygen, listed in a throwaway allowed-signers file), and every run and refusal names them.

const run = promisify(execFile);
let dir: string;
let dist: string;
let allowedSigners: string;
let target: TestConsole;
/** The console's clock: tests move it forward to expire challenges and links. */
let clockOffset = 0;
const keys: Record<string, string> = {};

async function makeKey(name: string): Promise<string> {
  const file = path.join(dir, `id_${name}`);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", file]);
  keys[name] = file;
  const { stdout } = await run("cat", [`${file}.pub`]);
  return stdout.trim().split(" ").slice(0, 2).join(" ");
}

async function signInWithToken(link: string, origin = target.origin): Promise<Response> {
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get("token");
  return target.api("POST", "/api/session", { body: { token }, headers: { Origin: origin } });
}

const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

async function whoAmI(cookie: string): Promise<{ actor: string; signedInVia: string }> {
  const response = await target.api("GET", "/api/console", { cookie });
  expect(response.status).toBe(200);
  return (await response.json()) as { actor: string; signedInVia: string };
}

async function runGreet(cookie: string, note: string): Promise<string> {
  const response = await target.api("POST", "/api/runs", {
    cookie,
    body: { runbook: "console-demo", env: "dev", step: "greet", params: { note } },
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { runId, events } = (await response.json()) as { runId: string; events: string };
  const stream = await readStream(await target.api("GET", events, { cookie }));
  expect(stream.at(-1)).toMatchObject({ type: "run-end", status: "ok" });
  return runId;
}

async function challenge(origin = target.origin): Promise<{ id: string; message: string; command: string }> {
  const response = await target.api("POST", "/api/session/challenge", {
    body: {},
    headers: { Origin: origin },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; message: string; command: string };
}

function presentKey(id: string, signature: string, origin = target.origin): Promise<Response> {
  return target.api("POST", "/api/session/key", {
    body: { challenge: id, signature },
    headers: { Origin: origin },
  });
}

/** The refusals written so far (the recorder writes the first of each rule at once). */
async function refusalsWritten(): Promise<RefusalRecord[]> {
  // The recorder appends asynchronously; the entry is on disk once the next read sees it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const entries = (await readAuditEntries(target.dataDir)).filter(
      (entry): entry is RefusalRecord => entry.kind === "refusal",
    );
    if (entries.length > 0) return entries;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return [];
}

async function refusalFor(rule: string): Promise<RefusalRecord> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = (await refusalsWritten()).find((entry) => entry.rule === rule);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no refusal with rule ${rule} in the audit log`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-identity-"));
  dist = path.join(dir, "dist");
  await run("mkdir", ["-p", dist]);
  await writeFile(
    path.join(dist, "index.html"),
    "<!doctype html><html><head></head><body>home</body></html>",
  );
  const alice = await makeKey("alice");
  const bob = await makeKey("bob");
  const carol = await makeKey("carol");
  await makeKey("mallory");
  allowedSigners = path.join(dir, "allowed_signers");
  await writeFile(
    allowedSigners,
    [
      "# throwaway keys of this test",
      `alice@example.org ${alice}`,
      `bob ${bob}`,
      // carol may approve plans but not sign in to the console.
      `carol namespaces="${NAMESPACES.approval}" ${carol}`,
      "",
    ].join("\n"),
  );
  target = await startTestConsole({
    distDir: dist,
    processEnv: { SSP_ALLOWED_SIGNERS: allowedSigners },
    more: { now: () => Date.now() + clockOffset },
  });
});

afterAll(async () => {
  await target?.server.close();
  await rm(target?.dataDir ?? "", { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe("named operators", () => {
  it("signs two operators in as themselves, and each run's audit entry names its operator", async () => {
    const alice = cookieOf(await signInWithToken(await target.server.operatorLink("alice@example.org")));
    const bob = cookieOf(await signInWithToken(await target.server.operatorLink("bob")));
    expect(await whoAmI(alice)).toMatchObject({ actor: "alice@example.org", signedInVia: "operator-link" });
    expect(await whoAmI(bob)).toMatchObject({ actor: "bob", signedInVia: "operator-link" });
    const byAlice = await runGreet(alice, "from alice");
    const byBob = await runGreet(bob, "from bob");
    const audit = await readAudit(target.dataDir);
    expect(audit.find((entry) => entry.runId === byAlice)?.actor).toBe("alice@example.org");
    expect(audit.find((entry) => entry.runId === byBob)?.actor).toBe("bob");
    // The link printed at start still signs in the host's user, by name.
    const host = cookieOf(await signInWithToken(target.server.loginLink()));
    expect(await whoAmI(host)).toMatchObject({ actor: "tester@console", signedInVia: "host-link" });
  });

  it("refuses a name that is unsafe or not in the allowed-signers file, and mints nothing", async () => {
    await expect(target.server.operatorLink("mallory")).rejects.toThrow(
      /"mallory" is not a principal of .*allowed_signers/,
    );
    for (const bad of ["", "alice smith", "../etc", "-rf", "*", "a".repeat(65), "bob\nalice"])
      await expect(target.server.operatorLink(bad)).rejects.toThrow(/is not an operator name/);
    // Audited: the first refusal in full, the rest of the minute counted (RefusalRecorder).
    const refused = await refusalFor("operator-name");
    expect(refused.who).toBe("tester@console (npm run console:link)");
    expect(refused.what).toBe('mint a sign-in link for "mallory"');
    expect(refused.reason).toMatch(/is not a principal of/);
  });

  it("a personal link works once, and not after it expired", async () => {
    const link = await target.server.operatorLink("bob");
    expect((await signInWithToken(link)).status).toBe(200);
    expect((await signInWithToken(link)).status).toBe(401);
    const late = await target.server.operatorLink("bob");
    clockOffset = 31 * 60_000;
    try {
      const response = await signInWithToken(late);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toMatch(/expired/);
    } finally {
      clockOffset = 0;
    }
  });

  it("audits a signed-in operator's refused request under their name", async () => {
    const bob = cookieOf(await signInWithToken(await target.server.operatorLink("bob")));
    const response = await target.api("POST", "/api/runs", {
      cookie: bob,
      body: { runbook: "no-such-runbook", env: "dev", params: {} },
    });
    expect(response.status).toBe(404);
    const refusal = await refusalFor("unknown-runbook");
    expect(refusal.who).toMatch(/^bob at /);
    expect(refusal.what).toContain("no-such-runbook");
  });
});

describe("npm run console:link -- --operator <name>", () => {
  /** console/link.ts as npm runs it, against this test's console over its private socket. */
  function consoleLink(
    localDir: string,
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, "console/link.ts"), ...args], {
        env: { ...process.env, SSP_DATA_DIR: localDir },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once("exit", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("mints a personal link that signs its operator in, refuses unlisted and unsafe names, and keeps the host's link", async () => {
    const localDir = path.join(dir, "local");
    await mkdir(localDir, { mode: 0o700 });
    const channel = await openLinkChannel(localDir, target.server);
    try {
      const minted = await consoleLink(localDir, ["--operator", "bob"]);
      expect(minted.code, minted.stderr).toBe(0);
      expect(minted.stdout).toMatch(
        /^sign-in link for bob \(one-time, personal: send it to them only\): http/,
      );
      const link = /(http\S+)/.exec(minted.stdout)?.[1] ?? "";
      const cookie = cookieOf(await signInWithToken(link));
      expect(await whoAmI(cookie)).toMatchObject({ actor: "bob", signedInVia: "operator-link" });

      const unlisted = await consoleLink(localDir, ["--operator", "mallory"]);
      expect(unlisted.code).toBe(1);
      expect(unlisted.stderr).toMatch(
        /the console refused: "mallory" is not a principal of .*allowed_signers/,
      );
      const unsafe = await consoleLink(localDir, ["--operator", "bob smith"]);
      expect(unsafe.code).toBe(2);
      expect(unsafe.stderr).toMatch(/"bob smith" is not an operator name/);
      const typo = await consoleLink(localDir, ["--operater", "bob"]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/usage: npm run console:link \[-- --operator <name>\]/);

      const host = await consoleLink(localDir, []);
      expect(host.code).toBe(0);
      const hostCookie = cookieOf(await signInWithToken(/(http\S+)/.exec(host.stdout)?.[1] ?? ""));
      expect(await whoAmI(hostCookie)).toMatchObject({ actor: "tester@console", signedInVia: "host-link" });
    } finally {
      await channel.close();
    }
  });
});

describe("signing in with an SSH key", () => {
  it("verifies a challenge signed with the exact command the page shows, and signs the principal in", async () => {
    const issued = await challenge();
    expect(issued.message).toContain(target.origin);
    expect(issued.command).toContain(`ssh-keygen -Y sign -n ${NAMESPACES.consoleLogin} -f ~/.ssh/id_ed25519`);
    // The operator's shell, with their key where the command expects it.
    const { stdout } = await run("sh", [
      "-c",
      issued.command.replace("~/.ssh/id_ed25519", keys.alice as string),
    ]);
    const response = await presentKey(issued.id, stdout);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get("set-cookie")).not.toContain("Secure");
    const cookie = cookieOf(response);
    expect(await whoAmI(cookie)).toMatchObject({ actor: "alice@example.org", signedInVia: "ssh-key" });
    const runId = await runGreet(cookie, "signed in by key");
    expect((await readAudit(target.dataDir)).find((entry) => entry.runId === runId)?.actor).toBe(
      "alice@example.org",
    );
  });

  // Each bad case: refused with its reason, no session, and audited with its rule and who.
  const cases: Array<{
    rule: string;
    name: string;
    status: number;
    error: RegExp;
    attempt: () => Promise<Response>;
    who?: RegExp;
  }> = [
    {
      name: "a replayed signature (the same challenge twice)",
      rule: "challenge-replayed",
      status: 401,
      error: /already presented/,
      async attempt() {
        const issued = await challenge();
        const signature = await signMessage(keys.bob as string, NAMESPACES.consoleLogin, issued.message);
        expect((await presentKey(issued.id, signature)).status).toBe(200);
        return presentKey(issued.id, signature);
      },
    },
    {
      name: "an expired challenge",
      rule: "challenge-expired",
      status: 401,
      error: /expired at/,
      async attempt() {
        const issued = await challenge();
        const signature = await signMessage(keys.bob as string, NAMESPACES.consoleLogin, issued.message);
        clockOffset = 6 * 60_000;
        try {
          return await presentKey(issued.id, signature);
        } finally {
          clockOffset = 0;
        }
      },
    },
    {
      name: "a challenge this console never issued",
      rule: "challenge-unknown",
      status: 401,
      error: /did not issue/,
      async attempt() {
        const issued = await challenge();
        const signature = await signMessage(keys.bob as string, NAMESPACES.consoleLogin, issued.message);
        return presentKey("made-up-challenge-id", signature);
      },
    },
    {
      name: "a challenge issued to another origin of the console",
      rule: "challenge-origin",
      status: 401,
      error: /issued for http:\/\/127\.0\.0\.1/,
      async attempt() {
        const issued = await challenge();
        const signature = await signMessage(keys.bob as string, NAMESPACES.consoleLogin, issued.message);
        return presentKey(issued.id, signature, target.origin.replace("127.0.0.1", "localhost"));
      },
    },
    {
      name: "a key not in the allowed-signers file",
      rule: "signer-unlisted",
      status: 403,
      error: /not listed in .*allowed_signers/,
      async attempt() {
        const issued = await challenge();
        return presentKey(
          issued.id,
          await signMessage(keys.mallory as string, NAMESPACES.consoleLogin, issued.message),
        );
      },
    },
    {
      name: "a key listed for approvals only",
      rule: "signer-unlisted",
      status: 403,
      error: /carol's key is listed .* for other uses only/,
      async attempt() {
        const issued = await challenge();
        return presentKey(
          issued.id,
          await signMessage(keys.carol as string, NAMESPACES.consoleLogin, issued.message),
        );
      },
    },
    {
      name: "a forged signature: a listed key's signature of other text",
      rule: "signature-forged",
      status: 403,
      error: /not alice@example\.org's signature of this challenge/,
      who: /^alice@example\.org\? \(signature claimed\) at /,
      async attempt() {
        const issued = await challenge();
        const other = await challenge();
        return presentKey(
          issued.id,
          await signMessage(keys.alice as string, NAMESPACES.consoleLogin, other.message),
        );
      },
    },
    {
      name: "an approval signature presented as a sign-in (another namespace)",
      rule: "signature-forged",
      status: 403,
      error: /not bob's signature/,
      async attempt() {
        const issued = await challenge();
        return presentKey(
          issued.id,
          await signMessage(keys.bob as string, NAMESPACES.approval, issued.message),
        );
      },
    },
    {
      name: "text that is not an SSH signature",
      rule: "signature-malformed",
      status: 400,
      error: /not an SSH signature/,
      async attempt() {
        const issued = await challenge();
        return presentKey(issued.id, "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----");
      },
    },
  ];

  for (const bad of cases) {
    it(`refuses ${bad.name}, with the reason, and audits it`, async () => {
      const before = (await readAuditEntries(target.dataDir)).length;
      const response = await bad.attempt();
      const body = (await response.json()) as { error: string };
      expect(response.status, body.error).toBe(bad.status);
      expect(body.error).toMatch(bad.error);
      expect(response.headers.get("set-cookie")).toBeNull();
      let written: RefusalRecord | undefined;
      for (let attempt = 0; attempt < 50 && !written; attempt++) {
        written = (await readAuditEntries(target.dataDir))
          .slice(before)
          .find((entry): entry is RefusalRecord => entry.kind === "refusal" && entry.rule === bad.rule);
        if (!written) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A rule refused twice from one address within a minute is folded into a summary line, so
      // the first case of a rule proves the line; later ones are counted.
      if (cases.findIndex((other) => other.rule === bad.rule) === cases.indexOf(bad)) {
        expect(written, `audit line for ${bad.rule}`).toBeDefined();
        expect(written?.what).toBe("POST /api/session/key");
        expect(written?.reason).toMatch(bad.error);
        expect(written?.who).toMatch(bad.who ?? /^(::ffff:)?127\.0\.0\.1$/);
      }
    });
  }
});
