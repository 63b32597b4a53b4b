import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { type RunOptions, runRunbook } from "../../runbooks/engine/run.ts";
import { failedStepError, stepStatuses } from "../support/runbooks.ts";
import { ADMIN_DATABASE_URL, TEST_REDIS_URL } from "../support/services.ts";

// patch and patch-system-packages. patch runs on a fixture git repository whose two packages a
// local fake npm registry serves (so npm install really runs, offline), with the fixture
// `npm audit --json` and `npm outdated --json` reports in tests/support/patch-fixtures/ (never the
// live advisory feed), and one trivial gate (never this project's suite). The lock file is the
// one npm writes for the fixture repository when the test builds it.

const run = promisify(execFile);
const FIXTURES = path.join(import.meta.dirname, "..", "support", "patch-fixtures");

let dir: string;
let repo: string;
let registry: Server;
let registryUrl: string;
let env: NodeJS.ProcessEnv;
const published = new Map<string, Map<string, { tarball: Buffer; integrity: string }>>();

/** A package tarball as npm packs it (package/…), and its sha512 integrity. */
async function publish(name: string, version: string): Promise<void> {
  const src = path.join(dir, "packages", `${name}-${version}`);
  await mkdir(path.join(src, "package"), { recursive: true });
  await writeFile(
    path.join(src, "package", "package.json"),
    JSON.stringify({ name, version, main: "index.js", license: "MIT" }),
  );
  await writeFile(path.join(src, "package", "index.js"), `module.exports = { version: "${version}" };\n`);
  const file = path.join(src, "package.tgz");
  await run("tar", ["-czf", file, "-C", src, "package"]);
  const tarball = await readFile(file);
  const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
  if (!published.has(name)) published.set(name, new Map());
  published.get(name)?.set(version, { tarball, integrity });
}

function startRegistry(): Promise<void> {
  registry = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? "/");
    const tgz = /^\/([^/]+)\/-\/[^/]+-(\d+\.\d+\.\d+)\.tgz$/.exec(url);
    if (tgz) {
      const entry = published.get(tgz[1] as string)?.get(tgz[2] as string);
      if (!entry) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(entry.tarball);
    }
    const name = url.slice(1);
    const versions = published.get(name);
    if (!versions) return void res.writeHead(404, { "content-type": "application/json" }).end("{}");
    const list = [...versions.keys()];
    const body = {
      name,
      "dist-tags": { latest: list.at(-1) },
      versions: Object.fromEntries(
        [...versions].map(([v, e]) => [
          v,
          {
            name,
            version: v,
            main: "index.js",
            dist: { tarball: `${registryUrl}/${name}/-/${name}-${v}.tgz`, integrity: e.integrity },
          },
        ]),
      ),
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  return new Promise((resolve) =>
    registry.listen(0, "127.0.0.1", () => {
      const address = registry.address();
      registryUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      resolve();
    }),
  );
}

async function runbook(id: string, options: Partial<RunOptions> = {}) {
  const events: RunEvent[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const result = await runRunbook(await findRunbook(id), {
      env: "dev",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir: path.join(dir, "runbooks"),
      processEnv: env,
      ...options,
    });
    const output = events.flatMap((e) => (e.type === "output" ? [e.line] : [])).join("\n");
    return { result, events, output };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const git = async (cwd: string, ...args: string[]) => (await run("git", ["-C", cwd, ...args])).stdout.trim();

async function lockAt(ref: string): Promise<Record<string, string>> {
  const lock = JSON.parse(await git(repo, "show", `${ref}:package-lock.json`)) as {
    packages: Record<string, { version?: string }>;
  };
  return Object.fromEntries(
    Object.entries(lock.packages)
      .filter(([k]) => k.startsWith("node_modules/"))
      .map(([k, v]) => [k.slice("node_modules/".length), v.version ?? ""]),
  );
}

const patchParams = (extra: Record<string, unknown>) => ({
  repo,
  auditReport: path.join(FIXTURES, "audit.json"),
  outdatedReport: path.join(FIXTURES, "outdated.json"),
  registry: registryUrl,
  gateCommand: "node gate.mjs",
  seenAt: "2026-12-01T00:00:00Z",
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-patch-"));
  repo = path.join(dir, "fixture-app");
  await startRegistry();
  await publish("ssp-fixture-pad", "1.0.0");
  await publish("ssp-fixture-log", "1.2.0");
  env = {
    ...process.env,
    RUNBOOK_DATA_DIR: path.join(dir, "runbooks"),
    SSP_DATA_DIR: dir,
    SSP_DEV_DATABASE_URL: ADMIN_DATABASE_URL,
    SSP_DEV_REDIS_URL: TEST_REDIS_URL,
    SSP_DEV_APP_URL: "http://127.0.0.1:9",
    SSP_DEV_STACK_FILE: path.join(dir, "dev-stack.json"),
    // npm's cache and settings of this test only: nothing read from or left in the user's.
    npm_config_cache: path.join(dir, "npm-cache"),
    npm_config_userconfig: path.join(dir, "npmrc"),
    npm_config_update_notifier: "false",
    GIT_AUTHOR_NAME: "patch test",
    GIT_AUTHOR_EMAIL: "patch@example.invalid",
    GIT_COMMITTER_NAME: "patch test",
    GIT_COMMITTER_EMAIL: "patch@example.invalid",
  };
  await mkdir(repo);
  await writeFile(
    path.join(repo, "package.json"),
    `${JSON.stringify(
      {
        name: "fixture-app",
        version: "1.0.0",
        private: true,
        scripts: { gates: "node gate.mjs" },
        dependencies: { "ssp-fixture-pad": "^1.0.0", "ssp-fixture-log": "~1.2.0" },
      },
      null,
      2,
    )}\n`,
  );
  // The one trivial gate: the packages load; --fail stands for a gate that catches a regression.
  await writeFile(
    path.join(repo, "gate.mjs"),
    `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const pad = require("ssp-fixture-pad"), log = require("ssp-fixture-log");
console.log("gate: pad " + pad.version + ", log " + log.version);
if (process.argv.includes("--fail")) { console.error("gate: failed on purpose"); process.exit(1); }
`,
  );
  await writeFile(path.join(repo, ".gitignore"), "node_modules/\n");
  await run("npm", ["install", "--no-audit", "--no-fund", "--registry", registryUrl], { cwd: repo, env });
  await git(repo, "init", "--quiet", "--initial-branch", "main");
  await git(repo, "add", ".");
  await run("git", ["-C", repo, "commit", "--quiet", "-m", "fixture app"], { env });
  // The fixes appear after the lock file pinned the vulnerable versions.
  await publish("ssp-fixture-pad", "1.0.1");
  await publish("ssp-fixture-log", "1.2.1");
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => registry?.close(() => resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("patch", () => {
  it("reports with policy's windows, updates on a branch in its own worktree, commits, runs the gate", async () => {
    const plan = await runbook("patch", { plan: true, params: patchParams({ branch: "patch/security" }) });
    expect(plan.result.status, failedStepError(plan.events)).toBe("ok");
    await expect(git(repo, "branch", "--list", "patch/security")).resolves.toBe("");

    const patched = await runbook("patch", { params: patchParams({ branch: "patch/security" }) });
    expect(patched.result.status, failedStepError(patched.events)).toBe("ok");
    expect(stepStatuses(patched.events)).toEqual({ report: "ok", branch: "ok", update: "ok", gates: "ok" });
    // Each advisory with its window from policy, counted from seenAt: critical 24 h, high 7 days.
    expect(patched.output).toMatch(/CRITICAL\s+ssp-fixture-log@1\.2\.0 <2\.0\.0: Remote code execution/);
    expect(patched.output).toContain("in production by 2026-12-02T00:00:00.000Z");
    expect(patched.output).toMatch(/HIGH\s+ssp-fixture-pad@1\.0\.0 <1\.0\.1: Prototype pollution/);
    expect(patched.output).toContain("in production by 2026-12-08T00:00:00.000Z");
    expect(patched.output).toContain(
      "ssp-fixture-log: the fix is a major version (ssp-fixture-log@2.0.0): not applied",
    );
    expect(patched.output).toContain("gate: pad 1.0.1, log 1.2.0");
    expect(patched.output).toContain("push -u origin patch/security");

    // The branch holds the fix and only it (scope security); main and the checkout are untouched.
    expect(await lockAt("patch/security")).toMatchObject({
      "ssp-fixture-pad": "1.0.1",
      "ssp-fixture-log": "1.2.0",
    });
    expect(await lockAt("main")).toMatchObject({ "ssp-fixture-pad": "1.0.0" });
    expect(await git(repo, "log", "-1", "--format=%s", "patch/security")).toBe(
      "Patch dependencies: ssp-fixture-pad@1.0.1",
    );
    expect(await git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(await git(repo, "status", "--porcelain")).toBe("");
  }, 60_000);

  it("keeps a branch whose gate fails, committed and not merged, and says how to drop it", async () => {
    const failed = await runbook("patch", {
      params: patchParams({ branch: "patch/all", scope: "all", gateCommand: "node gate.mjs --fail" }),
    });
    expect(failed.result.status).toBe("failed");
    expect(stepStatuses(failed.events).gates).toBe("failed");
    expect(failedStepError(failed.events)).toMatch(
      /the gates failed on patch\/all .*git branch -D patch\/all/,
    );
    expect(await lockAt("patch/all")).toMatchObject({
      "ssp-fixture-pad": "1.0.1",
      "ssp-fixture-log": "1.2.1",
    });
  }, 60_000);

  it("refuses bad input before any change", async () => {
    await writeFile(
      path.join(repo, "package.json"),
      `${await readFile(path.join(repo, "package.json"), "utf8")} `,
    );
    try {
      const dirty = await runbook("patch", { params: patchParams({ branch: "patch/dirty" }) });
      expect(failedStepError(dirty.events)).toContain(
        "package.json or package-lock.json has uncommitted changes",
      );
      expect(stepStatuses(dirty.events).branch).toBeUndefined();
    } finally {
      await git(repo, "checkout", "--", "package.json");
    }
    const exists = await runbook("patch", { params: patchParams({ branch: "patch/security" }) });
    expect(failedStepError(exists.events)).toContain("branch patch/security exists");
    await expect(
      runbook("patch", { params: patchParams({ gateCommand: "npm test | tee log" }) }),
    ).rejects.toThrow(/gateCommand: words only/);
    const noAudit = await runbook("patch", {
      params: patchParams({ auditReport: path.join(FIXTURES, "outdated.json") }),
    });
    expect(failedStepError(noAudit.events)).toContain('the audit report has no "vulnerabilities" section');
  }, 30_000);
});

describe("patch-system-packages", () => {
  it("reads what runs and prints the per-host plan in a safe order, changing nothing", async () => {
    const r = await runbook("patch-system-packages", {
      params: { nginxHost: "lb1", appHosts: "app1,app2", redisHost: "cache1", databaseHost: "ops@db1" },
    });
    expect(r.result.status, failedStepError(r.events)).toBe("ok");
    expect(r.output).toMatch(/PostgreSQL: PostgreSQL 15\.\d+/);
    expect(r.output).toMatch(/Redis \d+\.\d+/);
    const order = [
      "ssh lb1 'sudo apt-get install -y --only-upgrade nginx nginx-common'",
      "ssh lb1 'sudo nginx -t && sudo systemctl reload nginx'",
      "ssh app1 'sudo apt-get upgrade -y'",
      "ssh app2 'sudo apt-get upgrade -y'",
      "ssh cache1 'sudo systemctl restart redis-server'",
      "npm run runbook -- cache-warm --env dev",
      "npm run runbook -- backup-now --env dev",
      "ssh ops@db1 'sudo apt-get install -y --only-upgrade postgresql-15 postgresql-client-15'",
    ].map((line) => r.output.indexOf(line));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.output).toContain("critical within 24 h, high within 7 days");

    await expect(
      runbook("patch-system-packages", { params: { databaseHost: "db1; rm -rf /" } }),
    ).rejects.toThrow(/databaseHost: a host name or user@host/);
  }, 30_000);
});

describe("the pages' claims about patching", () => {
  const text = readFileSync(
    path.resolve(
      import.meta.dirname,
      "../../src/content/docs/maintenance-guide/dependencies-and-security.mdx",
    ),
    "utf8",
  ).replace(/\s+/g, " ");
  const source = readFileSync(
    path.resolve(import.meta.dirname, "../../runbooks/maintenance/patch.ts"),
    "utf8",
  );

  it("dependencies-and-security.mdx: installs exactly with install scripts off, never pushes (the run above leaves main untouched)", () => {
    expect(text).toContain("installs the fixes exactly (`--save-exact`, install scripts off)");
    expect(text).toContain("It never pushes or merges.");
    expect(source).toContain("install --save-exact --ignore-scripts");
    expect(source).not.toMatch(/\$`git[^`]*\bpush\b/);
  });
});
