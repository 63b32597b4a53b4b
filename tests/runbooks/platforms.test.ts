import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import {
  type PlatformFakes,
  RAILWAY_ENVIRONMENT,
  RAILWAY_SERVICE,
  RENDER_SERVICE,
  startPlatformFakes,
  TOKENS,
} from "../support/platform-fakes.ts";
import { failedStepError } from "../support/runbooks.ts";

// The platform runbooks (Deployment Playbook → Platforms). Railway, Render and Vercel cannot be
// reached from here: each runbook runs against a local fake of the documented requests
// (tests/support/platform-fakes.ts). There is no Docker engine either: the compose runbooks are
// checked for their refusal without docker, their plan, the compose file's content, and, with a
// stand-in `docker` that records its argv, that a run executes exactly the commands the plan printed.

let fakes: PlatformFakes;
let dataDir: string;
let work: string;

beforeAll(async () => {
  fakes = await startPlatformFakes();
  dataDir = await mkdtemp(path.join(tmpdir(), "ssp-platforms-"));
  work = await mkdtemp(path.join(tmpdir(), "ssp-platforms-work-"));
});

afterAll(async () => {
  await fakes?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

interface Ran {
  status: string;
  failed: string;
  output: string[];
  events: RunEvent[];
}

/** Runs a runbook in dev, with the app URL at the fakes and the tokens in this process's env. */
async function run(
  id: string,
  params: Record<string, unknown>,
  options: { plan?: boolean; env?: Record<string, string> } = {},
): Promise<Ran> {
  const env: Record<string, string> = {
    SSP_DATA_DIR: dataDir,
    SSP_DEV_STACK_FILE: path.join(dataDir, "dev-stack.json"),
    SSP_DEV_APP_URL: fakes.url,
    SSP_DEV_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/ssp_platforms_lock_only",
    SSP_DEV_REDIS_URL: "",
    RENDER_API_KEY: TOKENS.render,
    RAILWAY_API_TOKEN: TOKENS.railway,
    VERCEL_TOKEN: TOKENS.vercel,
    ...options.env,
  };
  const runbook = await findRunbook(id);
  const events: RunEvent[] = [];
  const saved = { ...process.env };
  // Steps resolve secret references and find docker through process.env, as from a terminal.
  Object.assign(process.env, env);
  try {
    const result = await runRunbook(runbook, {
      env: "dev",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir,
      processEnv: { ...process.env },
      params,
      plan: options.plan ?? false,
    });
    const output = events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line);
    return { status: result.status, failed: failedStepError(events), output, events };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const planned = (r: Ran) => r.output.filter((l) => l.startsWith("[plan] ")).map((l) => l.slice(7));
const called = (r: Ran) => r.output.filter((l) => l.startsWith("→ ")).map((l) => l.slice(2));
const writes = (since: number) =>
  fakes.requests.slice(since).filter((q) => q.method === "POST" && !q.path.endsWith("/graphql/v2"));

function expectNoToken(r: Ran): void {
  const text = JSON.stringify(r.events);
  for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
}

describe("Render (REST API)", () => {
  const base = () => ({ serviceId: RENDER_SERVICE, apiUrl: `${fakes.url}/v1`, pollSeconds: 0 });

  it("render-deploy: the plan prints the POST it will send, token masked; the run sends exactly that, waits until live, checks /readyz", async () => {
    const before = fakes.requests.length;
    const plan = await run("render-deploy", { ...base(), commitId: "d".repeat(40) }, { plan: true });
    expect(plan.status, plan.failed).toBe("ok");
    const trigger = `POST ${fakes.url}/v1/services/${RENDER_SERVICE}/deploys -H 'Authorization: Bearer ***' {"clearCache":"do_not_clear","commitId":"${"d".repeat(40)}"}`;
    expect(planned(plan)).toContain(trigger);
    expect(writes(before)).toEqual([]);
    expectNoToken(plan);

    const since = fakes.requests.length;
    const ran = await run("render-deploy", { ...base(), commitId: "d".repeat(40) });
    expect(ran.status, ran.failed).toBe("ok");
    expect(called(ran)).toContain(trigger);
    const posts = writes(since);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      auth: `Bearer ${TOKENS.render}`,
      body: { clearCache: "do_not_clear", commitId: "d".repeat(40) },
    });
    expect(ran.output.join("\n")).toMatch(/deploy dep-new\d+: build_in_progress[\s\S]*: live/);
    expect(fakes.render.deploys[0]?.status).toBe("live");
    expect(ran.output.some((l) => l.includes("/readyz → 200"))).toBe(true);
    expectNoToken(ran);
  });

  it("render-rollback: returns to the deploy that was live before, through POST /rollback", async () => {
    const previous = fakes.render.deploys.find((d) => d.status === "deactivated")?.id;
    const plan = await run("render-rollback", base(), { plan: true });
    expect(plan.status, plan.failed).toBe("ok");
    const rollback = `POST ${fakes.url}/v1/services/${RENDER_SERVICE}/rollback -H 'Authorization: Bearer ***' {"deployId":"${previous}"}`;
    expect(planned(plan)).toContain(rollback);
    const since = fakes.requests.length;
    const ran = await run("render-rollback", base());
    expect(ran.status, ran.failed).toBe("ok");
    expect(called(ran)).toContain(rollback);
    expect(writes(since).map((q) => q.body)).toEqual([{ deployId: previous }]);
    expect(fakes.render.deploys[0]).toMatchObject({ status: "live" });
  });
});

describe("Railway (GraphQL API)", () => {
  const base = () => ({
    serviceId: RAILWAY_SERVICE,
    environmentId: RAILWAY_ENVIRONMENT,
    apiUrl: `${fakes.url}/graphql/v2`,
    pollSeconds: 0,
  });
  const mutations = (since: number) =>
    fakes.requests
      .slice(since)
      .filter((q) => (q.body as { query?: string } | null)?.query?.startsWith("mutation"))
      .map((q) => ({ auth: q.auth, ...(q.body as object) }));

  it("railway-deploy: plan and run send the same serviceInstanceDeployV2 with a Bearer token; waits for SUCCESS", async () => {
    const plan = await run("railway-deploy", base(), { plan: true });
    expect(plan.status, plan.failed).toBe("ok");
    const [deployLine] = planned(plan);
    expect(deployLine).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/graphql\/v2 -H 'Authorization: Bearer \*\*\*' \{"query":"mutation serviceInstanceDeployV2/,
    );
    const since = fakes.requests.length;
    const ran = await run("railway-deploy", base());
    expect(ran.status, ran.failed).toBe("ok");
    expect(called(ran)).toContain(deployLine);
    const sent = mutations(since);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      auth: `Bearer ${TOKENS.railway}`,
      variables: { serviceId: RAILWAY_SERVICE, environmentId: RAILWAY_ENVIRONMENT, commitSha: null },
    });
    expect(fakes.railway.deployments[0]?.status).toBe("SUCCESS");
    expectNoToken(ran);
  });

  it("railway-rollback: a project token goes in Project-Access-Token; deploymentRollback to the deployment before", async () => {
    const previous = fakes.railway.deployments.find((d) => d.status === "REMOVED")?.id;
    const params = { ...base(), tokenKind: "project" };
    const plan = await run("railway-rollback", params, { plan: true });
    expect(plan.status, plan.failed).toBe("ok");
    expect(planned(plan)[0]).toContain(
      `-H 'Project-Access-Token: ***' {"query":"mutation deploymentRollback`,
    );
    expect(planned(plan)[0]).toContain(`"variables":{"id":"${previous}"}`);
    const since = fakes.requests.length;
    const ran = await run("railway-rollback", params);
    expect(ran.status, ran.failed).toBe("ok");
    expect(mutations(since)).toMatchObject([
      { auth: `Project-Access-Token ${TOKENS.railway}`, variables: { id: previous } },
    ]);
    expect(fakes.railway.deployments[0]?.status).toBe("SUCCESS");
    expectNoToken(ran);
  });
});

describe("Vercel (REST API), the handbook", () => {
  it("vercel-handbook-deploy: uploads each file by SHA-1, creates the production deployment from the list, waits until READY", async () => {
    const dist = path.join(work, "dist");
    await mkdir(path.join(dist, "_astro"), { recursive: true });
    await writeFile(path.join(dist, "index.html"), "<!doctype html><title>handbook</title>");
    await writeFile(path.join(dist, "_astro", "site.css"), "body{margin:0}");
    await writeFile(path.join(dist, "logo.bin"), Buffer.from([0, 1, 2, 255]));
    const params = { dist, apiUrl: fakes.url, pollSeconds: 0 };
    const plan = await run("vercel-handbook-deploy", params, { plan: true });
    expect(plan.status, plan.failed).toBe("ok");
    expect(planned(plan).filter((l) => l.startsWith(`POST ${fakes.url}/v2/files`))).toHaveLength(3);
    const since = fakes.requests.length;
    const ran = await run("vercel-handbook-deploy", params);
    expect(ran.status, ran.failed).toBe("ok");
    for (const line of planned(plan).filter((l) => !l.includes("<the new deployment's id>")))
      expect(called(ran)).toContain(line.replace(/ ← \S+$/, ""));
    const created = fakes.requests.slice(since).find((q) => q.path === "/v13/deployments");
    expect(created?.body).toMatchObject({ name: "subjunctive-handbook", target: "production" });
    const files = (created?.body as { files?: Array<{ file: string }> } | undefined)?.files ?? [];
    expect(files.map((f) => f.file)).toEqual(["_astro/site.css", "index.html", "logo.bin"]);
    expect(ran.output.join("\n")).toMatch(/deployment dpl_fake\d+: READY/);
    expectNoToken(ran);
  });
});

describe("a token is only ever a secret reference", () => {
  it("refuses a raw token and a cleartext API URL before anything runs", async () => {
    await expect(run("render-deploy", { serviceId: RENDER_SERVICE, token: TOKENS.render })).rejects.toThrow(
      /token.*secret reference.*never the token itself/s,
    );
    await expect(
      run("railway-deploy", {
        serviceId: RAILWAY_SERVICE,
        environmentId: RAILWAY_ENVIRONMENT,
        apiUrl: "http://backboard.example.com/graphql/v2",
      }),
    ).rejects.toThrow(/apiUrl.*https/s);
    const missing = await run("render-deploy", {
      serviceId: RENDER_SERVICE,
      apiUrl: `${fakes.url}/v1`,
      token: "env:NOT_SET_ANYWHERE",
    });
    expect(missing.status).toBe("failed");
    expect(missing.failed).toMatch(/NOT_SET_ANYWHERE is not set in this shell/);
  });
});

describe("Docker Compose", () => {
  const composeFile = path.resolve(import.meta.dirname, "../../docker-compose.yml");
  // PATH without docker (the CLI sits in /usr/local/bin on some machines): the refusal is tested as
  // a reader without Docker meets it.
  const noDocker = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };

  it("compose-deploy --plan prints the exact docker compose commands, and the repository's compose file passes the check", async () => {
    const plan = await run("compose-deploy", { composeFile, url: fakes.url }, { plan: true, env: noDocker });
    expect(plan.status, plan.failed).toBe("ok");
    expect(plan.output.join("\n")).toMatch(/docker is not installed here: a run would refuse/);
    const f = composeFile;
    expect(planned(plan)).toEqual([
      "docker image inspect --format '{{.Id}}' subjunctive-practice:local",
      "docker image tag subjunctive-practice:local subjunctive-practice:previous   (when the image exists)",
      `docker compose -f ${f} build app1`,
      `docker compose -f ${f} run --rm migrate`,
      `docker compose -f ${f} up -d --no-deps --wait app1`,
      `docker compose -f ${f} up -d --no-deps --wait app2`,
      `docker compose -f ${f} ps`,
      `GET ${fakes.url}/readyz, expecting 200`,
    ]);
  });

  it("refuses without docker, saying what to install", async () => {
    for (const id of ["compose-deploy", "compose-rollback"]) {
      const ran = await run(id, { composeFile }, { env: noDocker });
      expect(ran.status).toBe("failed");
      expect(ran.failed).toMatch(
        /docker is not installed \(not on PATH\): install Docker Engine with the Compose plugin/,
      );
    }
  });

  it("refuses a compose file that differs from what the runbooks rely on, naming each difference", async () => {
    const doc = parse(await readFile(composeFile, "utf8"), { merge: true });
    doc.services.nginx.ports = ["8080:80"];
    doc.services.app2.depends_on = { redis: { condition: "service_healthy" } };
    delete doc.services.migrate;
    const bad = path.join(work, "compose-bad.yml");
    await writeFile(bad, stringify(doc));
    const ran = await run("compose-rollback", { composeFile: bad }, { env: noDocker });
    expect(ran.status).toBe("failed");
    expect(ran.failed).toContain('no service "migrate"');
    expect(ran.failed).toContain('service "app2" does not wait for "migrate" to complete successfully');
    expect(ran.failed).toContain('service "nginx" publishes "8080:80" beyond 127.0.0.1');
  });

  it("with docker present, a run executes exactly the commands its plan printed (a stand-in docker records them)", async () => {
    const bin = path.join(work, "bin");
    const log = path.join(work, "docker-argv.log");
    await mkdir(bin, { recursive: true });
    await writeFile(
      path.join(bin, "docker"),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\ncase "$1 $2" in "version --format") echo 28.2.2;; esac\nexit 0\n`,
    );
    await chmod(path.join(bin, "docker"), 0o755);
    const env = { PATH: `${bin}:${noDocker.PATH}` };
    for (const id of ["compose-deploy", "compose-rollback"]) {
      await writeFile(log, "");
      const plan = await run(id, { composeFile, url: fakes.url }, { plan: true, env });
      const ran = await run(id, { composeFile, url: fakes.url }, { env });
      expect(ran.status, ran.failed).toBe("ok");
      const argv = (await readFile(log, "utf8")).trim().split("\n");
      const commands = planned(plan)
        .filter((l) => l.startsWith("docker "))
        .map((l) => l.replace("   (when the image exists)", "").replaceAll("'", "").slice("docker ".length));
      // The plan run checked docker itself (compose version, engine version); the run did the same, then the plan.
      const checks = ["compose version", "version --format {{.Server.Version}}"];
      expect(argv).toEqual([...checks, ...checks, ...commands]);
    }
  });
});
