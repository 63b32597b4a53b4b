import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { REPO_ROOT } from "../engine/paths.ts";

// What the Docker Compose runbooks need from docker-compose.yml, checked before anything runs (the
// file can change under them), and the exact `docker compose` commands they run.

export const COMPOSE_FILE = path.join(REPO_ROOT, "docker-compose.yml");
/** The app instances, replaced one at a time so nginx always has one to send requests to. */
export const APP_SERVICES = ["app1", "app2"] as const;
export const MIGRATE_SERVICE = "migrate";
export const PREVIOUS_TAG = "previous";

export const composeFileParam = z
  .string()
  .default(COMPOSE_FILE)
  .refine((value) => path.isAbsolute(value), "an absolute path to the compose file")
  .describe("The compose file (default: the repository's docker-compose.yml)");

export const composeUrlParam = z
  .string()
  .url()
  .default("http://127.0.0.1:8080")
  .describe("Where the compose file's nginx answers (its published port)");

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  ports?: Array<string | { host_ip?: string }>;
  depends_on?: Record<string, { condition?: string }> | string[];
}

export interface ComposeExpectations {
  /** The image the app services share: the rollback keeps its previous build under :previous. */
  image: string;
  problems: string[];
}

/** Reads the compose file and lists every way it differs from what the runbooks rely on. */
export function checkComposeFile(file: string): ComposeExpectations {
  let doc: { services?: Record<string, ComposeService> };
  try {
    doc = parse(readFileSync(file, "utf8"), { merge: true }) ?? {};
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split("\n")[0];
    return { image: "", problems: [`cannot read ${file} as YAML (${why})`] };
  }
  const services = doc.services ?? {};
  const problems: string[] = [];
  for (const name of ["postgres", "redis", MIGRATE_SERVICE, ...APP_SERVICES, "nginx"])
    if (!services[name]) problems.push(`no service "${name}"`);
  const images = new Set<string>();
  for (const name of [MIGRATE_SERVICE, ...APP_SERVICES]) {
    const service = services[name];
    if (!service) continue;
    if (!service.image) problems.push(`service "${name}" names no image (the rollback retags it)`);
    else images.add(service.image);
    const dockerfile = typeof service.build === "string" ? "Dockerfile" : service.build?.dockerfile;
    if (!service.build || dockerfile !== "Dockerfile")
      problems.push(`service "${name}" is not built from ./Dockerfile`);
  }
  if (images.size > 1) problems.push(`the app services use different images (${[...images].join(", ")})`);
  const migrate = services[MIGRATE_SERVICE];
  const command = [migrate?.command ?? ""].flat().join(" ");
  if (migrate && !(command.includes("migrate-cli.ts up") && command.includes("seed-cli.ts")))
    problems.push(
      `service "${MIGRATE_SERVICE}" does not run the migrations and the seed (migrate-cli.ts up, seed-cli.ts)`,
    );
  for (const name of APP_SERVICES) {
    const depends = services[name]?.depends_on;
    const condition = depends && !Array.isArray(depends) ? depends[MIGRATE_SERVICE]?.condition : undefined;
    if (services[name] && condition !== "service_completed_successfully")
      problems.push(`service "${name}" does not wait for "${MIGRATE_SERVICE}" to complete successfully`);
  }
  const nginxDepends = services.nginx?.depends_on;
  for (const name of APP_SERVICES) {
    const condition =
      nginxDepends && !Array.isArray(nginxDepends) ? nginxDepends[name]?.condition : undefined;
    if (services.nginx && condition !== "service_healthy")
      problems.push(`nginx does not wait for "${name}" to be healthy`);
  }
  for (const [name, service] of Object.entries(services))
    for (const port of service.ports ?? []) {
      const hostIp =
        typeof port === "string" ? (port.split(":").length === 3 ? port.split(":")[0] : "") : port.host_ip;
      if (hostIp !== "127.0.0.1")
        problems.push(`service "${name}" publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
    }
  return { image: [...images][0] ?? "", problems };
}

/** The image name with another tag: subjunctive-practice:local → subjunctive-practice:previous. */
export function withTag(image: string, tag: string): string {
  const at = image.lastIndexOf(":");
  const base = at > image.lastIndexOf("/") ? image.slice(0, at) : image;
  return `${base}:${tag}`;
}

/** `docker` on PATH, or null. */
export function findDocker(pathVariable = process.env.PATH ?? ""): string | null {
  for (const dir of pathVariable.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "docker");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: the next one.
    }
  }
  return null;
}

export const INSTALL_DOCKER =
  "install Docker Engine with the Compose plugin (Debian/Ubuntu: the docker-ce and docker-compose-plugin packages from Docker's apt repository, https://docs.docker.com/engine/install/), or run this runbook on the host that runs the compose stack";

type Ctx = StepContext<{ composeFile: string }>;

/** Refuses, saying what to install, when docker or its Compose plugin is missing. In a plan, only warns. */
export async function requireDocker(ctx: Ctx): Promise<{ docker: string | null }> {
  const docker = findDocker();
  if (!docker) {
    if (ctx.planning) {
      ctx.warn(`docker is not installed here: a run would refuse. To run it, ${INSTALL_DOCKER}.`);
      return { docker: null };
    }
    throw new Error(`docker is not installed (not on PATH): ${INSTALL_DOCKER}`);
  }
  const refuse = (why: string) => {
    if (ctx.planning) ctx.warn(`${why}; a run would refuse`);
    else throw new Error(why);
  };
  const plugin = await ctx.$`docker compose version`.nothrow();
  if (plugin.exitCode !== 0) {
    refuse(
      `docker is at ${docker} but its Compose plugin does not answer (docker compose version exited ${plugin.exitCode}): install the docker-compose-plugin package (https://docs.docker.com/compose/install/linux/)`,
    );
    return { docker };
  }
  const engine = await ctx.$`docker version --format ${"{{.Server.Version}}"}`.nothrow();
  if (engine.exitCode !== 0)
    refuse(
      "the Docker engine does not answer (docker version cannot reach the daemon): start it (sudo systemctl start docker), or install Docker Engine on this host (https://docs.docker.com/engine/install/)",
    );
  return { docker };
}

/** The argv of each command, shown in plans exactly as the steps run them. */
export const compose = (file: string, ...args: string[]) => ["docker", "compose", "-f", file, ...args];
export const shown = (argv: string[]) =>
  argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(" ");

export async function readiness(ctx: StepContext<{ url: string }>): Promise<{ status: number }> {
  const url = new URL("/readyz", ctx.params.url).href;
  const res = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5_000)]) }).catch(
    (error: Error) => {
      throw new Error(
        `GET ${url} did not answer (${(error.cause as { code?: string })?.code ?? error.message}): is nginx up? docker compose ps`,
      );
    },
  );
  const body = await res.text();
  ctx.log(`GET ${url} → ${res.status} ${body.slice(0, 200)}`);
  if (res.status !== 200)
    throw new Error(
      `${url} answered ${res.status}: an instance is not ready (docker compose ps, docker compose logs app1 app2)`,
    );
  return { status: res.status };
}
