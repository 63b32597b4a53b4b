/**
 * Dependency report
 *
 * Purpose: the weekly dependency and security scan: the project's direct dependencies with the
 *   versions the lock file pins and node_modules holds, which have newer releases (npm outdated),
 *   and which have security advisories (npm audit), each classified by the security update process
 *   (critical: patch within 0–24 h; high: within 1–7 days; the rest with the routine update).
 * Sent here by: the maintenance calendar (Maintenance Guide, "Dependency updates" and "Security patch
 *   management", Wednesdays), or a published advisory for a package the app uses.
 * Preconditions: run from a checkout with package.json and package-lock.json (npm ci done for the
 *   installed versions). The registry is optional: offline, the report says so and lists installed
 *   versions only; it never reports "no advisories" without having asked.
 * Blast radius: none. npm outdated and npm audit only read; nothing is installed or changed. Raw npm
 *   output is kept under the runbook's artifacts folder.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { MAINTENANCE_TASK_LIST, SECURITY_PATCH_WINDOWS } from "../../policy/index.ts";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import { optionalResult } from "./_shared.ts";

const OFFLINE = "offline: could not reach the registry; versions below are installed versions only";

/** The patch windows of policy/, as the report prints them. */
const SEED_SECURITY_WINDOWS = Object.fromEntries(
  SECURITY_PATCH_WINDOWS.filter((w) => w.withinHours !== null).map((w) => [
    w.severity,
    { window: `patch within ${formatWindow(w.withinHours as [number, number])}`, steps: w.process },
  ]),
) as Record<"critical" | "high", { window: string; steps: string }>;

function formatWindow([from, to]: [number, number]): string {
  return to <= 24 ? `${from}–${to} hours` : `${from / 24}–${to / 24} days`;
}

const SEVERITIES = ["critical", "high", "moderate", "low", "info"] as const;
type Severity = (typeof SEVERITIES)[number];

interface Dependency {
  name: string;
  kind: "prod" | "dev";
  wanted: string;
  locked: string | null;
  installed: string | null;
}

interface Advisory {
  package: string;
  severity: Severity;
  direct: boolean;
  title: string;
  url: string | null;
  range: string;
  fix: string;
  action: string;
}

export default defineRunbook({
  id: "dependency-report",
  title: "Dependency and security report",
  summary:
    "Direct dependencies with locked and installed versions, newer releases (npm outdated) and advisories (npm audit) classified by the security update process; says so when offline.",
  guide: "maintenance-guide",
  section: "Dependency updates",
  params: z.object({
    registry: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "npm registry to ask instead of npm's configured one (a mirror, or an unreachable URL to rehearse offline)",
      ),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(20)
      .describe("How long npm may wait for the registry before the report goes on offline"),
    failOn: z
      .enum(["none", "high", "critical"])
      .default("critical")
      .describe("Fail the run when advisories of this severity or worse exist (none: only report)"),
  }),
  steps: (step) => [
    step({
      id: "direct-dependencies",
      title: "Direct dependencies and installed versions",
      description: "Reads package.json, package-lock.json and node_modules at the repository root.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const dependencies = await directDependencies();
        logDependencies(ctx, dependencies);
        const notLocked = dependencies.filter((d) => d.locked === null);
        if (notLocked.length > 0)
          throw new Error(
            `package-lock.json has no entry for ${notLocked.map((d) => d.name).join(", ")}: run npm install, commit the lock file, then rerun`,
          );
        const drift = dependencies.filter((d) => d.installed !== d.locked);
        for (const d of drift) {
          ctx.warn(
            `${d.name}: node_modules has ${d.installed ?? "nothing"}, the lock file pins ${d.locked}: run npm ci before trusting tests here`,
          );
        }
        ctx.log(
          `${dependencies.length} direct dependencies (${dependencies.filter((d) => d.kind === "prod").length} prod, ${dependencies.filter((d) => d.kind === "dev").length} dev); ${drift.length} differ from the lock file`,
        );
        return { dependencies };
      },
    }),
    step({
      id: "outdated",
      title: "Newer releases (npm outdated)",
      description: "Asks the registry for newer versions; offline, says so and lists installed versions.",
      danger: "read",
      timeoutMs: seconds(150),
      async run(ctx) {
        const file = path.join(ctx.artifactsDir, `outdated-${stamp()}.json`);
        const npm = await runNpm(ctx, "outdated", file);
        if (!npm.online) {
          // Expected without network: say so plainly, then what is known.
          ctx.warn(
            npm.offline
              ? OFFLINE
              : `the registry answered with an error; versions below are installed versions only`,
          );
          ctx.warn(`  (${npm.reason})`);
          const dependencies =
            optionalResult<{ dependencies: Dependency[] }>(ctx, "direct-dependencies")?.dependencies ??
            (await directDependencies());
          logDependencies(ctx, dependencies);
          return { online: false, reason: npm.reason, outdated: [] };
        }
        const body = npm.json as Record<string, { current?: string; wanted: string; latest: string }>;
        const outdated = Object.entries(body).map(([name, v]) => ({
          name,
          current: v.current ?? null,
          wanted: v.wanted,
          latest: v.latest,
          update: updateKind(v.current ?? v.wanted, v.latest),
        }));
        if (outdated.length === 0) ctx.log("every direct dependency is at its latest release");
        for (const o of outdated) {
          ctx.log(
            `${o.name.padEnd(32)} ${String(o.current ?? "missing").padEnd(10)} → ${o.latest.padEnd(10)} ${o.update}${o.update === "major" ? ": read the changelog, plan it as a change" : ": routine update"}`,
          );
        }
        ctx.log(`${outdated.length} outdated (raw output: ${file})`);
        return { online: true, outdated };
      },
    }),
    step({
      id: "audit",
      title: "Security advisories (npm audit)",
      description: "Asks the registry for advisories and classifies each by the security update process.",
      danger: "read",
      timeoutMs: seconds(150),
      async run(ctx) {
        const file = path.join(ctx.artifactsDir, `audit-${stamp()}.json`);
        const npm = await runNpm(ctx, "audit", file);
        if (!npm.online) {
          // Expected without network or with a registry that has no audit endpoint: not knowing is
          // reported as not knowing, never as "no advisories".
          ctx.warn(
            npm.offline
              ? "offline: could not reach the registry; no advisory data, so this is NOT a clean bill of health"
              : `the registry did not answer the audit (${npm.reason}); no advisory data, so this is NOT a clean bill of health`,
          );
          if (npm.offline) ctx.warn(`  (${npm.reason})`);
          ctx.warn("rerun with network access, or with --param registry=<a registry that serves audits>");
          return { online: false, reason: npm.reason, advisories: [], counts: null };
        }
        const report = npm.json as {
          vulnerabilities?: Record<
            string,
            {
              severity: Severity;
              isDirect: boolean;
              range: string;
              via: Array<string | { title?: string; url?: string; severity?: Severity }>;
              fixAvailable: boolean | { name: string; version: string; isSemVerMajor: boolean };
            }
          >;
        };
        if (!report.vulnerabilities)
          throw new Error(`npm audit answered without a vulnerabilities section: see ${file}`);
        const routine = MAINTENANCE_TASK_LIST.find((t) => /dependency updates/i.test(t.task));
        const advisories: Advisory[] = Object.entries(report.vulnerabilities).map(([name, v]) => {
          const source = v.via.find((x) => typeof x === "object") as
            | { title?: string; url?: string }
            | undefined;
          const via = v.via.filter((x) => typeof x === "string");
          return {
            package: name,
            severity: v.severity,
            direct: v.isDirect,
            title: source?.title ?? `through ${via.join(", ")}`,
            url: source?.url ?? null,
            range: v.range,
            fix:
              v.fixAvailable === false
                ? "no fix published"
                : v.fixAvailable === true
                  ? "npm audit fix"
                  : `${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? " (major: test it as a change)" : ""}`,
            action:
              v.severity === "critical" || v.severity === "high"
                ? `${SEED_SECURITY_WINDOWS[v.severity].window}: ${SEED_SECURITY_WINDOWS[v.severity].steps}`
                : `with the routine dependency update${routine ? ` (${routine.cadence}, ${routine.when}: ${routine.runbook ?? routine.task})` : ""}`,
          };
        });
        advisories.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
        const counts = Object.fromEntries(
          SEVERITIES.map((s) => [s, advisories.filter((a) => a.severity === s).length]),
        ) as Record<Severity, number>;
        ctx.log(
          `advisories: ${advisories.length} (${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(", ")}); raw output: ${file}`,
        );
        for (const a of advisories) {
          ctx.log(
            `${a.severity.toUpperCase().padEnd(9)} ${a.package}${a.direct ? "" : " (transitive)"}${a.range ? ` ${a.range}` : ""}: ${a.title}${a.url ? ` ${a.url}` : ""}`,
          );
          ctx.log(`          fix: ${a.fix}; ${a.action}`);
        }
        const failOn = ctx.params.failOn;
        const failing =
          failOn === "none"
            ? []
            : advisories.filter((a) => SEVERITIES.indexOf(a.severity) <= SEVERITIES.indexOf(failOn));
        if (failing.length > 0) {
          throw new Error(
            `${failing.length} advisory(ies) at ${ctx.params.failOn} or worse (${failing.map((a) => `${a.package}: ${a.severity}`).join(", ")}): follow the security update process above; --param failOn=none only reports`,
          );
        }
        return { online: true, advisories, counts };
      },
    }),
  ],
});

async function directDependencies(): Promise<Dependency[]> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  let lock: { packages?: Record<string, { version?: string }> };
  try {
    lock = JSON.parse(await readFile(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`no package-lock.json in ${REPO_ROOT}: run npm install and commit the lock file`);
    throw error;
  }
  const entries: Array<[string, string, "prod" | "dev"]> = [
    ...Object.entries(manifest.dependencies ?? {}).map(([n, v]): [string, string, "prod"] => [n, v, "prod"]),
    ...Object.entries(manifest.devDependencies ?? {}).map(([n, v]): [string, string, "dev"] => [n, v, "dev"]),
  ];
  return Promise.all(
    entries.map(async ([name, wanted, kind]) => ({
      name,
      kind,
      wanted,
      locked: lock.packages?.[`node_modules/${name}`]?.version ?? null,
      installed: await installedVersion(name),
    })),
  );
}

async function installedVersion(name: string): Promise<string | null> {
  try {
    const text = await readFile(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? null;
  } catch (error) {
    // Expected before npm ci: the package is not installed; the report says "not installed".
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function logDependencies(ctx: StepContext<unknown>, dependencies: Dependency[]): void {
  ctx.table({
    title: "Direct dependencies",
    columns: [
      { key: "name", label: "package" },
      "kind",
      { key: "wanted", label: "package.json" },
      "locked",
      "installed",
    ],
    rows: dependencies.map((d) => ({
      name: d.name,
      kind: d.kind,
      wanted: d.wanted,
      locked: d.locked ?? "-",
      installed: d.installed ?? "not installed",
    })),
  });
}

type NpmOutcome = { online: true; json: unknown } | { online: false; offline: boolean; reason: string };

/** Network failures npm reports when the registry cannot be reached at all. */
const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|network timeout|socket hang up/i;

/** npm outdated/audit --json into a file under the artifacts folder, with the registry and timeout applied. */
async function runNpm(
  ctx: StepContext<{ registry?: string | undefined; timeoutSeconds: number }>,
  command: "outdated" | "audit",
  file: string,
): Promise<NpmOutcome> {
  const registry = ctx.params.registry ? ["--registry", ctx.params.registry] : [];
  const timeoutMs = ctx.params.timeoutSeconds * 1000;
  const child =
    await ctx.$`npm --prefix ${REPO_ROOT} ${command} --json --loglevel silent --fetch-retries 0 --fetch-timeout ${timeoutMs} ${registry} > ${file}`
      .nothrow()
      .timeout(timeoutMs + 5_000);
  if (child.exitCode === 127) throw new Error("npm is not on PATH: run this from a shell where npm works");
  const text = await readFile(file, "utf8").catch(() => "");
  if (child.signal) {
    return {
      online: false,
      offline: true,
      reason: `npm did not finish within ${ctx.params.timeoutSeconds} s`,
    };
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(
      `npm ${command} printed no JSON report (exit ${child.exitCode}; output in ${file}): run \`npm ${command}\` in ${REPO_ROOT} by hand to see why`,
    );
  }
  // npm reports its own failures as {"error": {...}} (outdated) or {"message": ...} (audit).
  const error = json.error as { code?: string; summary?: string } | undefined;
  const message = [
    typeof json.message === "string" ? json.message : "",
    error?.code ?? "",
    error?.summary ?? "",
  ]
    .filter(Boolean)
    .join(" ");
  const failed = command === "audit" ? !("vulnerabilities" in json) : error !== undefined;
  if (!failed) return { online: true, json };
  const reason = message || child.stderr.trim().split("\n").slice(-1)[0] || `exit ${child.exitCode}`;
  return { online: false, offline: UNREACHABLE.test(reason) || UNREACHABLE.test(child.stderr), reason };
}

function updateKind(current: string, latest: string): "major" | "minor" | "patch" | "other" {
  const [a, b] = [current, latest].map((v) =>
    v
      .replace(/^[^\d]*/, "")
      .split(".")
      .map(Number),
  );
  if (!a || !b || a.some(Number.isNaN) || b.some(Number.isNaN)) return "other";
  if (a[0] !== b[0]) return "major";
  if (a[1] !== b[1]) return "minor";
  return "patch";
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..+/, "");
}
