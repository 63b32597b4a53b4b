import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { peakVus } from "../../load-tests/lib/journey.ts";
import { getProfile, isProfileName, stagesOf } from "../../load-tests/lib/profiles.ts";
import { GATE_IDS, GATE_LIST, gateIdsIn } from "../../policy/gates.ts";
import { configSchema } from "../../practice-app/src/config/config.ts";
import { receiptPath, signaturePath } from "../../runbooks/engine/approvals.ts";
import { dataDir } from "../../runbooks/engine/paths.ts";

// The GitHub Actions workflows: valid against the published workflow schema (action-validator),
// calling only gates that exist, and doing what the CI/CD guide says they do. A load step is
// checked by what it calls, against the profile's peak (load-tests/lib/profiles.ts).

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": unknown;
  environment?: unknown;
  needs?: string | string[];
  services?: Record<string, { image: string }>;
  steps: Step[];
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
}

const read = (file: string) => readFileSync(path.join(WORKFLOWS, file), "utf8");
const workflow = (file: string) => parse(read(file)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

function schemaErrors(state: ReturnType<typeof validateWorkflow>): string[] {
  return state.errors.map((e) => `${"path" in e ? e.path : ""} ${e.title}: ${e.detail ?? ""}`);
}

describe("workflow files", () => {
  it("are there: CI, staging, production, hotfix, handbook", () => {
    expect(files.sort()).toEqual([
      "ci.yml",
      "deploy-production.yml",
      "deploy-staging.yml",
      "handbook.yml",
      "hotfix.yml",
    ]);
  });

  it.each(files)("%s is valid against the GitHub workflow schema", (file) => {
    expect(schemaErrors(validateWorkflow(read(file)))).toEqual([]);
  });

  it("the local setup action is valid against the action schema", () => {
    const text = readFileSync(path.join(ROOT, ".github/actions/setup/action.yml"), "utf8");
    expect(validateAction(text).errors).toEqual([]);
  });

  it("the validator rejects a broken workflow (so the checks above can fail)", () => {
    const broken = read("ci.yml").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(broken).not.toBe(read("ci.yml"));
    expect(schemaErrors(validateWorkflow(broken)).length).toBeGreaterThan(0);
    const noJobs = "name: x\non: push\n";
    expect(schemaErrors(validateWorkflow(noJobs)).join(" ")).toMatch(/jobs/);
  });

  it("every `npm run gates` names gates that exist, and every gate runs in some workflow", () => {
    const called = new Set<string>();
    for (const file of files) {
      for (const s of steps(workflow(file))) {
        const ids = s.run ? gateIdsIn(s.run) : null;
        if (ids === null) continue;
        expect(ids.length, `${file}: "${s.run}" names no gate (it would run all of them)`).toBeGreaterThan(0);
        for (const id of ids) {
          expect(GATE_IDS, `${file}: gate "${id}" does not exist in policy/gates.ts`).toContain(id);
          called.add(id);
        }
      }
    }
    expect([...called].sort()).toEqual([...GATE_IDS].sort());
  });

  it("ci.yml runs every gate, so GitHub runs what npm test runs", () => {
    const inCi = steps(workflow("ci.yml")).flatMap((s) => (s.run ? (gateIdsIn(s.run) ?? []) : []));
    expect([...new Set(inCi)].sort()).toEqual([...GATE_IDS].sort());
  });

  it("gateIdsIn reads the ids a command names", () => {
    expect(gateIdsIn("npm run gates -- lint typecheck")).toEqual(["lint", "typecheck"]);
    expect(gateIdsIn("npm run gates")).toEqual([]);
    expect(gateIdsIn("npm test")).toBeNull();
    expect(new Set(GATE_LIST.map((g) => g.id)).size).toBe(GATE_LIST.length);
  });
});

describe("what the pipelines do", () => {
  it("CI runs on every push and pull request and every night, with PostgreSQL 15 and Redis 7, and keeps results even on failure", () => {
    const ci = workflow("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "schedule"]);
    for (const job of [ci.jobs.gates, ci.jobs["k6-smoke"]]) {
      expect(job?.services?.postgres?.image).toBe("postgres:15");
      expect(job?.services?.redis?.image).toBe("redis:7");
      const upload = job?.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
      expect(upload?.if).toBe("always()");
    }
    const k6 = ci.jobs["k6-smoke"]?.steps ?? [];
    const setup = k6.find((s) => s.uses?.startsWith("grafana/setup-k6-action@"));
    expect(String(setup?.with?.["k6-version"])).toMatch(/^1\.\d+\.\d+$/);
    const upload = k6.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(String(upload?.with?.path)).toContain("load-tests/results/");
  });

  it("staging deploys from develop, release/* and hotfix/* after a green CI run", () => {
    const staging = workflow("deploy-staging.yml");
    expect(staging.on.workflow_run).toMatchObject({
      workflows: ["CI"],
      types: ["completed"],
      branches: ["develop", "release/**", "hotfix/**"],
    });
    expect(staging.jobs.deploy?.if).toContain("conclusion == 'success'");
    expect(staging.concurrency).toEqual({ group: "deploy-staging", "cancel-in-progress": false });
  });

  it("a load profile past the per-address sign-up limit runs with learners seeded earlier in its job", () => {
    // The runner is one address: without seeded learners, sign-ups past RATE_LIMIT_SIGNUP_PER_IP
    // get 429 and the run fails its error thresholds.
    const signUpLimit = configSchema.shape.RATE_LIMIT_SIGNUP_PER_IP.parse(undefined);
    const checked: string[] = [];
    const problems: string[] = [];
    for (const file of files) {
      for (const [jobId, job] of Object.entries(workflow(file).jobs)) {
        for (const [index, step] of (job.steps ?? []).entries()) {
          const load = /npm run load -- ([a-z-]+)(.*)/.exec(step.run ?? "");
          if (!load?.[1] || !isProfileName(load[1])) continue;
          const args = load[2] ?? "";
          const peak = peakVus(stagesOf(getProfile(load[1]), /--full\b/.test(args) ? "full" : "short"));
          if (peak <= signUpLimit) continue;
          const where = `${file} ${jobId} "${step.name ?? step.run}"`;
          checked.push(where);
          const learners = /--learners "?([^\s"]+)"?/.exec(args)?.[1];
          if (!learners) {
            problems.push(`${where}: ${load[1]} peaks at ${peak} learners and passes no --learners`);
            continue;
          }
          const seeding = job.steps.slice(0, index).find((s) => {
            const seed = /npm run db:seed-load-learners -- (\d+)(.*)/.exec(s.run ?? "");
            const out =
              /--out "?([^\s"]+)"?/.exec(seed?.[2] ?? "")?.[1] ?? "load-tests/results/learners.json";
            return seed && Number(seed[1]) >= peak && out === learners;
          });
          if (!seeding)
            problems.push(
              `${where}: no earlier step runs npm run db:seed-load-learners -- ${peak} (or more) --out ${learners}`,
            );
          else if (!seeding.env?.DATABASE_URL || !seeding.env?.SESSION_SECRET)
            problems.push(`${where}: the seeding step needs the target's DATABASE_URL and SESSION_SECRET`);
          // The file holds the learners' password and session tokens: never in an uploaded artifact.
          const uploaded = job.steps
            .filter((s) => s.uses?.startsWith("actions/upload-artifact@"))
            .flatMap((s) => String(s.with?.path ?? "").split("\n"))
            .map((p) => p.trim().replace(/\/$/, ""))
            .filter(Boolean);
          if (uploaded.some((p) => learners === p || learners.startsWith(`${p}/`)))
            problems.push(`${where}: ${learners} (passwords and session tokens) is in an uploaded artifact`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Staging's average-load step is one of them, so this check checks something.
    expect(checked.some((w) => w.startsWith("deploy-staging.yml"))).toBe(true);
  });

  it("production: a v* tag on main, the checklist and the deploy's approval receipt in a job before the approval, backup, the signed deploy, smoke check, automatic rollback", () => {
    const prod = workflow("deploy-production.yml");
    expect(prod.on).toEqual({ push: { tags: ["v*"] } });
    // The approval holds a job before its first step: the checklist must be a job before it, with
    // no required reviewers, so the approver reads its output (CI/CD Workflow, release process).
    const checklist = prod.jobs.checklist as Job;
    const checklistRuns = checklist.steps.map((s) => s.run ?? "").join("\n");
    expect(checklistRuns).toMatch(/merge-base --is-ancestor .* origin\/main/);
    expect(checklistRuns).toMatch(/pre-deploy-checklist --env production[\s\S]*GITHUB_STEP_SUMMARY/);
    expect(checklist.environment).not.toBe("production");
    const job = prod.jobs.deploy as Job;
    expect(job.needs).toBe("checklist");
    expect(job.environment).toBe("production");
    const runs = job.steps.map((s) => s.run ?? "");
    expect(runs.join("\n")).not.toMatch(/pre-deploy-checklist/);
    const at = (pattern: RegExp) => runs.findIndex((r) => pattern.test(r));
    const order = [
      /git show "origin\/approvals:approvals\/\$receipt\.receipt\.json\.sig"/,
      /backup-now --env production[\s\S]*verify-backup --env production/,
      /runbook -- deploy --env production .*--approval "approval\/\$\(cat approval\/receipt-id\)\.receipt\.json"/,
      /post-deploy-verify --env production/,
      /rollback --env production/,
    ].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const rollback = job.steps.find((s) => /rollback --env production/.test(s.run ?? ""));
    expect(rollback?.if).toBe("failure() && steps.verify.conclusion == 'failure'");
    // The deploy migrates itself (its migrate step, with a backup): no second change runbook that
    // would need a receipt of its own, or make the deploy's plan drift.
    expect(runs.join("\n")).not.toMatch(/migrate-database/);
  });

  it("production: the approval is a signed receipt, where the engine writes and reads it, never a flag", () => {
    const prod = workflow("deploy-production.yml");
    const checklist = prod.jobs.checklist as Job;
    const plan = checklist.steps.map((s) => s.run ?? "").join("\n");
    expect(plan).toMatch(
      /runbook -- deploy --env production --plan --param "lbPort=\$LB_PORT" --param "ref=\$TAG" --json/,
    );
    // Where the plan run leaves its receipt: the engine's own path for the data dir of SSP_DATA_DIR.
    const written = receiptPath(dataDir({ SSP_DATA_DIR: "$SSP_DATA_DIR" }), "receipt");
    expect(plan).toContain(
      `cp "${written.replace("receipt.receipt.json", "$receipt.receipt.json")}" approval/`,
    );
    expect(
      checklist.steps.some(
        (s) => s.uses?.startsWith("actions/upload-artifact") && s.with?.name === "approval-receipt",
      ),
    ).toBe(true);
    const deploy = prod.jobs.deploy as Job;
    expect(
      deploy.steps.some(
        (s) => s.uses?.startsWith("actions/download-artifact") && s.with?.name === "approval-receipt",
      ),
    ).toBe(true);
    // The signature sits where the engine looks for it: next to the receipt.
    expect(signaturePath("approval/$receipt.receipt.json")).toBe("approval/$receipt.receipt.json.sig");
    expect(deploy.steps.map((s) => s.run ?? "").join("\n")).toContain(
      '> "approval/$receipt.receipt.json.sig"',
    );
    expect(JSON.stringify(prod)).not.toMatch(/SSP_(PRODUCTION_)?APPROVED|--approved\b|skip-?approval/i);
  });

  it("every night, on each environment's host, `exercised` checks the drills, pages when one is overdue, and its record reaches the published pages", () => {
    const handbook = workflow("handbook.yml");
    const job = handbook.jobs.exercised as Job & { strategy: { matrix: { env: string[] } } };
    expect(job.strategy.matrix.env).toEqual(["staging", "production"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template.
    expect(job["runs-on"]).toEqual(["self-hosted", "${{ matrix.env }}"]);
    // Production's required reviewers would hold a nightly read for approval.
    expect(job.environment).toBeUndefined();
    const check = job.steps.find((s) => s.id === "exercised");
    expect(check?.run).toMatch(
      /runbook -- exercised --env "\$ENV_NAME" --json > "exercise-record\/\$ENV_NAME\.json" \|\| status=\$\?/,
    );
    expect(check?.run).toMatch(/exit "\$status"$/m);
    const keep = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(keep?.if).toBe("always()");
    const page = job.steps.find((s) => /curl .*--config -/.test(s.run ?? ""));
    expect(page?.if).toBe("failure() && steps.exercised.conclusion == 'failure'");
    // The webhook is a secret: read by curl from stdin, never on its command line.
    expect(page?.run).not.toMatch(/curl[^\n]*\$PAGE_WEBHOOK/);
    const publish = handbook.jobs.publish as Job;
    expect(publish.needs).toBe("exercised");
    expect(publish.if).toBe("always() && github.event_name == 'push'");
    const steps = publish.steps;
    const download = steps.findIndex((s) => s.uses?.startsWith("actions/download-artifact@"));
    const build = steps.findIndex((s) => s.run === "npm run build");
    expect(download).toBeGreaterThan(-1);
    expect(steps[download]?.with).toMatchObject({ pattern: "exercise-record-*", path: "exercise-record" });
    expect(download).toBeLessThan(build);
  });

  it("the hotfix path and the handbook's scheduled link check exist", () => {
    expect(workflow("hotfix.yml").on).toMatchObject({ push: { branches: ["hotfix/**"] } });
    const handbook = workflow("handbook.yml");
    expect(handbook.on).toHaveProperty("schedule");
    expect(read("handbook.yml")).toContain("npx linkinator");
  });
});
