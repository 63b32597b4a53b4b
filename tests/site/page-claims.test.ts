import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { inlineScriptHashes, pagePolicy } from "../../console/csp.ts";
import { NON_PAGE_POLICY, PAGE_POLICY_DIRECTIVES } from "../../console/protocol.ts";
import {
  DELIBERATE_REFUSALS,
  SERVER_ERROR_CODES,
  SLOW_RESPONSES_EXCLUDED_PROCEDURES,
} from "../../policy/alert-rules.ts";
import { CONVENTIONS, SUPERSEDED } from "../../policy/conventions.ts";
import { REFUSAL_LOG_MESSAGES } from "../../practice-app/src/api/trpc.ts";
import { configSchema } from "../../practice-app/src/config/config.ts";
import { clientIp } from "../../practice-app/src/http/request-info.ts";
import { catalog } from "../../runbooks/engine/catalog.ts";
import { FORMAT_VERSIONS, FormatError } from "../../runbooks/engine/formats.ts";
import { OFFSITE_TARGET_VARIABLE } from "../../runbooks/lib/offsite.ts";
import { LINES_MS } from "../../src/scripts/run-announcer.ts";

// Claims about behaviour that the pages make in prose, which neither a component renders nor a
// runbook executes. Each `it` names the page and checks the claim against the code, so the page
// and the code cannot part without this file failing (issue 13, "The handbook cannot lie").

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = path.join(ROOT, "src/content/docs");
const page = (name: string) => readFileSync(path.join(DOCS, name), "utf8");
const file = (name: string) => readFileSync(path.join(ROOT, name), "utf8");
/** Prose on one line: a page's sentences are wrapped at 100 columns. */
const flat = (text: string) => text.replace(/\s+/g, " ");

function allPages(dir = DOCS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? allPages(path.join(dir, entry.name))
      : entry.name.endsWith(".mdx") || entry.name.endsWith(".md")
        ? [path.relative(DOCS, path.join(dir, entry.name))]
        : [],
  );
}

describe("X-Forwarded-For: the app takes the last address", () => {
  const request = (forwarded: string) =>
    ({
      headers: { "x-forwarded-for": forwarded },
      socket: { remoteAddress: "10.0.0.5" },
    }) as unknown as IncomingMessage;

  it("request-info.ts takes the last address (the one the proxy wrote)", () => {
    expect(clientIp(request("203.0.113.9, 198.51.100.7"), true)).toBe("198.51.100.7");
  });

  for (const name of [
    "infrastructure-architecture/network.mdx",
    "infrastructure-architecture/security.mdx",
    "operational-runbook/troubleshooting.mdx",
    "operational-runbook/scaling-operations.mdx",
    "deployment-playbook/environments.mdx",
  ])
    it(`${name} says the last address, never the first`, () => {
      const text = flat(page(name));
      // An nginx comment wraps with "#": "takes the\n # last address".
      expect(text).toMatch(/(takes|trusts) the (# )?\**last\**/);
      expect(text).not.toMatch(/(takes|trusts) the (# )?\**first\**/);
    });
});

describe("maintenance and BUSY refusals are not server errors, and are logged apart", () => {
  it("policy: MAINTENANCE and BUSY are deliberate refusals, outside the server-error codes", () => {
    for (const code of DELIBERATE_REFUSALS)
      expect(SERVER_ERROR_CODES as readonly string[]).not.toContain(code);
    expect([...DELIBERATE_REFUSALS].sort()).toEqual(Object.keys(REFUSAL_LOG_MESSAGES).sort());
  });

  it("monitoring-and-alerting.mdx lists each refusal's log line and says HighErrorRate leaves them out", () => {
    const text = page("operational-runbook/monitoring-and-alerting.mdx");
    for (const message of Object.values(REFUSAL_LOG_MESSAGES)) expect(text).toContain(`| \`${message}\` |`);
    expect(flat(text)).toContain("Refusals on purpose are not server errors");
    expect(flat(text)).not.toMatch(/Server errors include maintenance mode/);
  });

  for (const name of [
    "operational-runbook/monitoring-and-alerting.mdx",
    "operational-runbook/daily-tasks.mdx",
    "operational-runbook/troubleshooting.mdx",
    "maintenance-guide/index.mdx",
  ])
    it(`${name} does not say maintenance refusals count as server errors or need a silence`, () => {
      const text = flat(page(name));
      expect(text).not.toMatch(/refused calls count as server errors|count as server errors too/);
      expect(text).not.toMatch(/amtool silence add alertname=HighErrorRate/);
      expect(text).not.toMatch(/SERVICE_UNAVAILABLE` with no log line/);
    });

  it("troubleshooting.mdx names the log line of each refusal", () => {
    const text = page("operational-runbook/troubleshooting.mdx");
    for (const message of Object.values(REFUSAL_LOG_MESSAGES)) expect(text).toContain(`\`${message}\``);
  });
});

describe("the password-hashing queue", () => {
  const accounts = file("practice-app/src/api/routers/accounts.ts");
  const retryAfter = /AppError\("BUSY",[\s\S]*?retryAfterSeconds: (\d+)/.exec(accounts)?.[1];

  it("scaling-guide/application.mdx: the log-in wave names PASSWORD_HASH_QUEUE_MAX, 503 with the code's Retry-After, and no page", () => {
    expect(retryAfter).toBeDefined();
    const text = flat(page("scaling-guide/application.mdx"));
    const wave = text.slice(text.indexOf("## Log-ins cost CPU"), text.indexOf("## Load testing"));
    expect(wave).toContain("The wave you should plan for");
    expect(wave).toContain('<EnvDefault name="PASSWORD_HASH_QUEUE_MAX" />');
    expect(wave).toContain(`\`Retry-After: ${retryAfter}\``);
    expect(wave).toContain("`HighErrorRate` leaves `BUSY` out");
  });
});

describe("technology stack", () => {
  const pkg = JSON.parse(file("package.json")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const text = page("infrastructure-architecture/technology-stack.mdx");

  it("technology-stack.mdx names only packages package.json has, at the version pinned", () => {
    const rows = text.split("\n").filter((l) => /^\| [^|]+ \| `(@[\w-]+\/)?[\w.-]+`/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [, , technology = "", version = ""] = row.split("|").map((c) => c.trim());
      const name = /^`([^`]+)`/.exec(technology)?.[1] ?? "";
      if (name.startsWith("node:")) continue; // a Node built-in, not a package
      expect(Object.keys(deps), `${row}: ${name} is not in package.json`).toContain(name);
      if (/^\d+\.\d+\.\d+$/.test(version)) expect(version, row).toBe(deps[name]);
    }
  });

  it("technology-stack.mdx: GitHub Actions runs the gates, not .ci/run", () => {
    const row = text.split("\n").find((l) => l.startsWith("| CI/CD | GitHub Actions |")) ?? "";
    expect(row).toContain("npm run gates -- <id>");
    expect(file(".github/workflows/ci.yml")).not.toContain(".ci/run");
  });
});

describe("the overview", () => {
  it("index.mdx names no page that does not exist", () => {
    const pages = new Set(allPages());
    for (const [, named] of page("index.mdx").matchAll(/src\/content\/docs\/([\w/-]+\.mdx?)/g))
      expect(pages, `index.mdx names ${named}`).toContain(named);
  });

  it("index.mdx: CI runs every night only if a workflow is scheduled", () => {
    expect(flat(page("index.mdx"))).toContain("every night");
    const ci = parse(file(".github/workflows/ci.yml")) as { on: { schedule?: Array<{ cron: string }> } };
    expect(ci.on.schedule?.[0]?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });
});

describe("release approval", () => {
  it("release-process.mdx and deployment-pipelines.mdx: the checklist runs in a job before the approval job", () => {
    const workflow = parse(file(".github/workflows/deploy-production.yml")) as {
      jobs: Record<string, { environment?: string; needs?: string; steps: Array<{ run?: string }> }>;
    };
    const approval = Object.entries(workflow.jobs).find(([, j]) => j.environment === "production");
    const checklist = Object.entries(workflow.jobs).find(([, j]) =>
      j.steps.some((s) => /pre-deploy-checklist/.test(s.run ?? "")),
    );
    expect(approval && checklist).toBeTruthy();
    expect(checklist?.[1].environment).not.toBe("production");
    expect(approval?.[1].needs).toBe(checklist?.[0]);
    expect(flat(page("cicd-workflow/release-process.mdx"))).toContain("The pipeline's `checklist` job runs");
    expect(flat(page("cicd-workflow/deployment-pipelines.mdx"))).toContain(
      "So the checklist runs first, in a job of its own",
    );
  });
});

describe("maintenance guide and the pages it leans on", () => {
  it("environments.mdx and backup-and-restore.mdx: the off-site target variable is the one copy-backup-offsite reads", () => {
    for (const name of ["deployment-playbook/environments.mdx", "operational-runbook/backup-and-restore.mdx"])
      expect(page(name)).toContain(`\`${OFFSITE_TARGET_VARIABLE}\``);
  });

  it("environments.mdx: the files it says carry a format version have one, and a newer one is refused with the fix it names", () => {
    const text = flat(page("deployment-playbook/environments.mdx"));
    expect(text).toContain("carries a format version");
    // audit log, runs, locks, releases, the nginx state, backup manifests, dev-stack.json
    for (const kind of [
      "audit",
      "run-events",
      "lock",
      "releases",
      "balancer",
      "pool",
      "backup-manifest",
      "dev-stack",
    ])
      expect(FORMAT_VERSIONS, kind).toHaveProperty(kind);
    const refusal = new FormatError("releases", "/srv/ssp-data/production/runbooks/releases/current.json", 9)
      .message;
    expect(refusal).toContain("update this checkout (git pull) to read it, or move the file aside");
    expect(text).toContain("update the checkout (`git pull`) or move the file aside");
  });

  /** The step names of the first "| Step | What it does |" table after a heading, up to its end. */
  const stepTable = (text: string, heading: string) => {
    const start = text.indexOf("| Step | What it does |", text.indexOf(heading));
    const table = text.slice(start, text.indexOf("\n\n", start));
    return [...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
  };

  for (const [id, heading] of [
    ["restore", "## Restore"],
    ["failover-to-replica", "### The primary fails and a replica runs"],
  ] as const)
    it(`deployment-playbook/disaster-recovery.mdx: the ${id} step table is the runbook's steps`, async () => {
      const runbook = (await catalog()).find((r) => r.id === id);
      const named = stepTable(page("deployment-playbook/disaster-recovery.mdx"), heading);
      expect(named).toEqual(runbook?.steps.map((s) => s.id));
    });

  it("deployment-playbook/database-migrations.mdx: docker compose migrates in its own service", () => {
    const compose = parse(file("docker-compose.yml")) as {
      services: Record<string, { command?: unknown; depends_on?: Record<string, unknown> }>;
    };
    expect(JSON.stringify(compose.services.migrate?.command)).toContain("migrate-cli.ts up");
    const row = page("deployment-playbook/database-migrations.mdx")
      .split("\n")
      .find((l) => l.startsWith("| docker compose |"));
    expect(row).toContain("`migrate` service");
  });

  it("deployment-playbook/database-migrations.mdx: only the production pipeline runs migrate-database", () => {
    expect(file(".github/workflows/deploy-staging.yml")).not.toContain("migrate-database");
    expect(file(".github/workflows/deploy-production.yml")).toContain("migrate-database");
    const text = page("deployment-playbook/database-migrations.mdx");
    expect(text).toContain("| the production pipeline | `backup-now`, then `migrate-database`");
    expect(text).not.toMatch(/^\| the pipeline \|/m);
  });

  it("scaling-guide/application.mdx: the benchmark table is rendered from bench/results/app.json, typed nowhere", () => {
    const rows = (text: string) =>
      text.split("\n").filter((l) => /^\| `(system\.ping|exercises\.(next|submit))`/.test(l));
    expect(rows(file("README.md"))).toEqual([]);
    expect(rows(page("scaling-guide/application.mdx"))).toEqual([]);
    expect(page("scaling-guide/application.mdx")).toContain('<BenchmarkTable run="app" />');
    expect(file("README.md")).toContain("**The figures are in `bench/results/app.json`**");
    expect(file("scripts/bench-app.ts")).toContain('path.join(ROOT, "bench", "results", "app.json")');
  });

  it("README.md: engines is what package.json says", () => {
    const engines = (JSON.parse(file("package.json")) as { engines: { node: string } }).engines.node;
    const minimum = engines.replace(">=", "").split(".").slice(0, 2).join(".");
    expect(file("README.md")).toContain(`Node ≥ ${minimum} (\`engines\``);
  });

  it("operational-runbook/monitoring-and-alerting.mdx and capacity-planning.mdx: SlowResponses leaves log-in and sign-up out", () => {
    expect([...SLOW_RESPONSES_EXCLUDED_PROCEDURES]).toEqual(["accounts.logIn", "accounts.signUp"]);
    expect(file("runbooks/scaling/alert-check.ts")).toContain("slowResponsesSamples(");
    expect(flat(page("scaling-guide/capacity-planning.mdx"))).toContain(
      'the "Slow responses" alert (and `alert-check`) leaves log-in and sign-up out',
    );
    expect(flat(page("operational-runbook/monitoring-and-alerting.mdx"))).not.toContain(
      "The runbooks' p95 includes them",
    );
  });
});

describe("PostgreSQL versions", () => {
  // Starting PGlite (PostgreSQL in WebAssembly) takes seconds, more on a busy machine.
  it("cicd-workflow/environment-management.mdx: the embedded PGlite's major version is the one the page names", {
    timeout: 120_000,
  }, async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = new PGlite();
    try {
      const { rows } = await db.query<{ server_version_num: string }>("SHOW server_version_num");
      const major = Math.floor(Number(rows[0]?.server_version_num) / 10_000);
      expect(major).toBeGreaterThan(15);
      const text = flat(page("cicd-workflow/environment-management.mdx"));
      expect(text).toContain(`embedded PGlite that \`npm start\` falls back to is PostgreSQL ${major}`);
      expect(text).not.toContain("dev included");
    } finally {
      await db.close();
    }
  });
});

describe("settled once: paths, host names, the reference nginx", () => {
  for (const [key, patterns] of Object.entries(SUPERSEDED))
    it(`every page uses ${CONVENTIONS[key as keyof typeof CONVENTIONS]} (${key})`, () => {
      for (const name of allPages())
        for (const pattern of patterns) expect(page(name), `${name}: ${pattern}`).not.toMatch(pattern);
    });

  it("network.mdx (the reference) and platforms.mdx: client_max_body_size is the app's MAX_BODY_BYTES default", () => {
    const limit = configSchema.shape.MAX_BODY_BYTES.parse(undefined) as number;
    for (const name of ["infrastructure-architecture/network.mdx", "deployment-playbook/platforms.mdx"]) {
      const sizes = [...page(name).matchAll(/client_max_body_size (\d+)k;/g)].map((m) => Number(m[1]) * 1024);
      expect(sizes, name).toEqual([limit]);
    }
    expect(flat(page("deployment-playbook/platforms.mdx"))).toContain(
      "[nginx configuration](/infrastructure-architecture/network/#nginx-configuration)); this one differs on purpose",
    );
  });
});

describe("the run view and the audit view (issue 19)", () => {
  it("using-the-console.mdx: a screen reader hears a count of new lines at most every few seconds", () => {
    expect(flat(page("using-the-console.mdx"))).toContain(
      "a count of new output lines at most every few seconds, and the result",
    );
    // "A few seconds": the announcer's interval for output counts, in milliseconds.
    expect(LINES_MS).toBeGreaterThanOrEqual(2_000);
    expect(LINES_MS).toBeLessThanOrEqual(10_000);
  });

  it("operational-runbook/audit-log.mdx: the buttons it names are the ones the audit view draws", () => {
    const text = flat(page("operational-runbook/audit-log.mdx"));
    const script = file("src/scripts/audit-resume.ts");
    // The code side is the label's template up to its placeholder.
    for (const [onPage, inCode] of [
      ["**Resume from *step*…**", "`Resume from $"],
      ["**Re-run step *step*…**", "`Re-run step $"],
      ["Press **Resume** (or **Run step**)", '"Resume" : `Run step $'],
    ] as const) {
      expect(text).toContain(onPage);
      expect(script).toContain(inCode);
    }
    // Secret parameters are masked in the audit log, so a re-run from it is refused by name.
    expect(text).toContain("A secret parameter is never recorded");
    expect(script).toContain('value === "***"');
  });
});

describe("the console's browser defences (issue 14)", () => {
  const security = "infrastructure-architecture/security.mdx";

  it(`${security}: sign-in follows next only to the console's own origin`, () => {
    expect(flat(page(security))).toContain(
      "follows it only when it stays on the console's own origin. Anything else, such as `/%09/evil.example/x`",
    );
    const login = file("console/login-page.ts");
    expect(login).toContain('new URL(next || "/", location.origin)');
    expect(login).toContain(
      'target.origin === location.origin ? target.pathname + target.search + target.hash : "/"',
    );
    expect(flat(file("console/README.md"))).toContain("keeps the console's origin");
  });

  it(`${security}: shows the console's page policy from the code, with no unsafe script sources`, () => {
    const text = page(security);
    // Rendered from protocol.ts, not typed: the page imports the directives and shows them.
    expect(text).toContain("<Code code={PAGE_POLICY_DIRECTIVES.join");
    expect(text).toContain("<code>{NON_PAGE_POLICY}</code>");
    expect(text).not.toMatch(/^default-src 'self'/m);
    // What the prose says of the policy: the page's policy is these directives plus script hashes.
    expect(pagePolicy("<script>x()</script>")).toBe(
      PAGE_POLICY_DIRECTIVES.map((d) =>
        d.startsWith("script-src ") ? `${d} ${inlineScriptHashes("<script>x()</script>")[0]}` : d,
      ).join("; "),
    );
    const scripts = PAGE_POLICY_DIRECTIVES.find((d) => d.startsWith("script-src "));
    expect(scripts).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    expect(PAGE_POLICY_DIRECTIVES).toContain("frame-ancestors 'none'");
    expect(NON_PAGE_POLICY).toContain("frame-ancestors 'none'");
    expect(flat(text)).toContain("There is no `'unsafe-inline'` or `'unsafe-eval'` for scripts");
    // The console's README describes the same policy, not only frame-ancestors.
    expect(flat(file("console/README.md"))).toContain(
      "Content-Security-Policy and framing.** Every page gets a strict policy",
    );
  });
});
