// What the patch runbook reads: a package-lock.json, an `npm audit --json` report and an
// `npm outdated --json` report, turned into the updates to make and the patch window each
// advisory falls in (policy's SECURITY_PATCH_WINDOWS). Pure functions over parsed JSON, so the
// runbook can take the reports from files (CI, a fixture) or from npm itself.
import { type PatchWindow, SECURITY_PATCH_WINDOWS } from "../../policy/index.ts";

export const SEVERITIES = ["critical", "high", "moderate", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Vulnerable {
  name: string;
  severity: Severity;
  direct: boolean;
  range: string;
  title: string;
  url: string | null;
  /** The package to install and its version, as npm audit names it; null: no fix published. */
  fix: { name: string; version: string; major: boolean } | "in-range" | null;
}

export interface Outdated {
  name: string;
  current: string | null;
  wanted: string;
  latest: string;
}

export interface Update {
  name: string;
  /** The version to install; the range in package.json becomes ^version. */
  version: string;
  why: string;
}

/** The versions the lock file pins, by package path (lockfileVersion 2 and 3: the "packages" map). */
export function lockedVersions(lock: unknown): Map<string, string> {
  const packages = (lock as { lockfileVersion?: number; packages?: Record<string, { version?: string }> })
    .packages;
  if (!packages)
    throw new Error(
      'the lock file has no "packages" section (lockfileVersion 1, npm 6): regenerate it with npm 7 or later',
    );
  const versions = new Map<string, string>();
  for (const [key, entry] of Object.entries(packages)) {
    if (!key.startsWith("node_modules/") || !entry.version) continue;
    versions.set(key.slice("node_modules/".length), entry.version);
  }
  return versions;
}

type AuditEntry = {
  severity: Severity;
  isDirect: boolean;
  range: string;
  via: Array<string | { title?: string; url?: string }>;
  fixAvailable: boolean | { name: string; version: string; isSemVerMajor: boolean };
};

/** The vulnerabilities of an `npm audit --json` report (npm 7+), worst first. */
export function parseAudit(report: unknown): Vulnerable[] {
  const vulnerabilities = (report as { vulnerabilities?: Record<string, AuditEntry> }).vulnerabilities;
  if (!vulnerabilities || typeof vulnerabilities !== "object")
    throw new Error(
      'the audit report has no "vulnerabilities" section: give the output of `npm audit --json` (npm 7 or later)',
    );
  const found = Object.entries(vulnerabilities).map(([name, v]): Vulnerable => {
    if (!SEVERITIES.includes(v.severity))
      throw new Error(`the audit report gives ${name} an unknown severity "${String(v.severity)}"`);
    const source = v.via.find((x) => typeof x === "object") as { title?: string; url?: string } | undefined;
    const through = v.via.filter((x): x is string => typeof x === "string");
    return {
      name,
      severity: v.severity,
      direct: v.isDirect,
      range: v.range,
      title: source?.title ?? `through ${through.join(", ")}`,
      url: source?.url ?? null,
      fix:
        v.fixAvailable === false
          ? null
          : v.fixAvailable === true
            ? "in-range"
            : {
                name: v.fixAvailable.name,
                version: v.fixAvailable.version,
                major: v.fixAvailable.isSemVerMajor,
              },
    };
  });
  return found.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

/** The entries of an `npm outdated --json` report. */
export function parseOutdated(report: unknown): Outdated[] {
  if (!report || typeof report !== "object" || Array.isArray(report))
    throw new Error("the outdated report is not an object: give the output of `npm outdated --json`");
  return Object.entries(report as Record<string, { current?: string; wanted?: string; latest?: string }>).map(
    ([name, v]) => {
      if (!v.wanted || !v.latest)
        throw new Error(`the outdated report's entry for ${name} has no wanted/latest version`);
      return { name, current: v.current ?? null, wanted: v.wanted, latest: v.latest };
    },
  );
}

export interface WindowDue {
  window: PatchWindow;
  /** When the fix must be in production; null: with the next routine update. */
  due: Date | null;
}

/** The policy's patch window for an advisory seen at `seenAt` (info counts as low). */
export function patchWindow(severity: Severity, seenAt: Date): WindowDue {
  const key = severity === "info" ? "low" : severity;
  const window = SECURITY_PATCH_WINDOWS.find((w) => w.severity === key);
  if (!window) throw new Error(`policy has no security patch window for ${key}`);
  return {
    window,
    due: window.withinHours ? new Date(seenAt.getTime() + window.withinHours[1] * 3_600_000) : null,
  };
}

/**
 * The updates to make: every fix npm audit names that stays within the major version (a major one
 * is a change to plan, not a patch), and with scope "all" every outdated package's wanted version
 * (the newest its package.json range allows). One version per package: the higher wins.
 */
export function chooseUpdates(
  vulnerable: Vulnerable[],
  outdated: Outdated[],
  scope: "security" | "all",
): { updates: Update[]; majorFixes: Vulnerable[]; noFix: Vulnerable[] } {
  const byName = new Map<string, Update>();
  const add = (u: Update) => {
    const had = byName.get(u.name);
    if (!had || compareVersions(u.version, had.version) > 0) byName.set(u.name, u);
  };
  const majorFixes: Vulnerable[] = [];
  const noFix: Vulnerable[] = [];
  for (const v of vulnerable) {
    if (v.fix === null) noFix.push(v);
    else if (v.fix === "in-range") {
      const o = outdated.find((x) => x.name === v.name);
      if (o) add({ name: v.name, version: o.wanted, why: `${v.severity}: ${v.title}` });
      else noFix.push(v);
    } else if (v.fix.major) majorFixes.push(v);
    else add({ name: v.fix.name, version: v.fix.version, why: `${v.severity}: ${v.title}` });
  }
  if (scope === "all")
    for (const o of outdated)
      if (o.current !== o.wanted) add({ name: o.name, version: o.wanted, why: "outdated within its range" });
  return { updates: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), majorFixes, noFix };
}

/** Numeric comparison of x.y.z (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^[^\d]*/, "")
      .split(/[.-]/)
      .slice(0, 3)
      .map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
