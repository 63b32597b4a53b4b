// The quality gates, defined once: `npm run gates` runs them (scripts/run-gates.ts), the workflows
// in .github/workflows call `npm run gates -- <id>`, and the CI/CD guide's quality-gates page
// renders this list (src/components/GatesTable.astro). Pure data: importing it runs nothing.
// Keyed by id (`as const satisfies`), so a misspelt gate id in code fails tsc (gates.test-d.ts).
import { listOf } from "./index.ts";

export interface Gate {
  id: string;
  title: string;
  /** What makes the gate fail, for the reader deciding whether a red gate is theirs. */
  failsOn: string;
  /** The command, as argv; run from the repository root. `{target}` is the smoke target URL. */
  command: string[];
  /** A tool the gate needs that `npm ci` does not install, and how to get it. */
  requires?: { tool: string; install: string };
  /**
   * For a gate of Vitest tests: the path filters its command passes to `npm test --`. Vitest runs a
   * test file when its path from the repository root contains one of them (testFileInGate), so
   * every `*.test.ts` must match exactly one gate's filters (tests/cicd/test-gates.test.ts checks it).
   */
  tests?: readonly string[];
}

/** A gate that runs the Vitest files its filters select; the command is derived from them. */
function testGate(gate: Omit<Gate, "id" | "command"> & { tests: readonly string[] }): Omit<Gate, "id"> {
  return { ...gate, command: ["npm", "test", "--", ...gate.tests] };
}

/** Vitest's own rule for a filter (a substring of the file's path from the root, case-insensitive). */
export function testFileInGate(gate: Gate, file: string): boolean {
  const relative = file.toLowerCase();
  return (gate.tests ?? []).some((filter) => relative.includes(filter.toLowerCase()));
}

export const GATES = {
  branch: {
    title: "Branch strategy",
    failsOn:
      "a release/hotfix branch not named X.Y.Z, a pull request into main from anything but release/* or hotfix/*, a hotfix whose package.json version differs or that adds a migration",
    command: ["node", "scripts/branch-policy.ts"],
  },
  lint: {
    title: "Lint and format",
    failsOn: "a Biome lint rule or a formatting difference (fix formatting with npm run format)",
    command: ["npm", "run", "lint"],
  },
  typecheck: {
    title: "Type-check",
    failsOn: "any TypeScript error in strict mode: app, runbooks, scripts, tests, policy",
    command: ["npm", "run", "typecheck"],
  },
  unit: testGate({
    title: "Unit tests",
    failsOn:
      "a module's own tests: the domain (conjugation, checking, scheduling, the exercise bank), config, tokens, the runbook engine, the load-test profiles and summaries, the policy views, the repository scripts",
    tests: ["practice-app/", "runbooks/engine/", "runbooks/lib/", "load-tests/", "src/lib/", "scripts/"],
  }),
  integration: testGate({
    title: "Integration and fault tests",
    failsOn:
      "the app over HTTP against PostgreSQL and Redis, start-up, shutdown, faults, and the smoke load test against the real app",
    tests: ["tests/app/", "tests/load/"],
  }),
  console: testGate({
    title: "Console tests",
    failsOn:
      "a defence of the console (login, Host and Origin checks, tickets, limits, static files, locks) over real HTTP, or its sessions and terminal-text handling",
    tests: ["console/"],
  }),
  runbooks: testGate({
    title: "Runbook tests",
    failsOn:
      "a runbook that does not do what it says, against a private stack (with the zero-downtime deploy under load behind nginx)",
    tests: ["tests/runbooks/"],
  }),
  cicd: testGate({
    title: "Pipelines and images",
    failsOn:
      "a workflow invalid against the GitHub workflow schema or calling an unknown gate, a test file in no gate, an invalid compose file, an nginx config nginx -t rejects, Prometheus alert rules that differ from the policy or fail their promtool unit tests, a Dockerfile that is not multi-stage, non-root, health-checked and pinned",
    tests: ["tests/cicd/"],
  }),
  handbook: testGate({
    title: "Handbook build and link check",
    failsOn:
      "a broken link or anchor, a page without its review frontmatter, an embed of something that does not exist, a page's claim about behaviour that the code no longer makes true (tests/site/page-claims.test.ts), a page with console errors or a critical accessibility violation, a page past the weight budget (300 KiB raw HTML, 100 KiB gzip HTML+CSS+JS; tests/site/page-weight.test.ts)",
    tests: ["tests/site/"],
  }),
  "docs-verify": {
    title: "Handbook commands",
    failsOn:
      "a shell block a page marks verify that fails or prints other output than the page shows, shown output not marked, a guide with fewer than 3 verified commands",
    command: ["npm", "run", "docs:verify"],
  },
  browser: testGate({
    title: "Browser tests (Playwright)",
    failsOn: "the learner page and the console in Chromium, on a desktop and a phone-width screen",
    tests: ["tests/e2e/"],
  }),
  "k6-smoke": {
    title: "k6 smoke",
    failsOn: "p95 latency or error rate over the SLOs (policy/) under a light load",
    command: ["npm", "run", "load", "--", "smoke", "--target", "{target}"],
    requires: {
      tool: "k6",
      install: "https://grafana.com/docs/k6/latest/set-up/install-k6/ (CI: grafana/setup-k6-action)",
    },
  },
} as const satisfies Record<string, Omit<Gate, "id">>;

export type GateId = keyof typeof GATES;

/** The gates in the order written (the order `npm run gates` runs them), each with its id. */
export const GATE_LIST: readonly Gate[] = listOf<Gate>(GATES);

export const GATE_IDS: readonly GateId[] = GATE_LIST.map((g) => g.id as GateId);

/** True when `id` names a gate (a command line's argument, a workflow's step). */
export function isGateId(id: string): id is GateId {
  return Object.hasOwn(GATES, id);
}

/** The gate ids a `npm run gates -- …` command line names (the arguments after `--`). */
export function gateIdsIn(commandLine: string): string[] | null {
  const match = /npm run gates(?:\s+--((?:\s+[\w-]+)*))?/.exec(commandLine);
  if (!match) return null;
  return (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
}
