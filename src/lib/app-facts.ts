import { readFileSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { CURRENT_CAPACITY } from "../../policy/index.ts";
import { TRPC_CODE_FOR } from "../../practice-app/src/api/errors.ts";
import { REDIS_KEYS } from "../../practice-app/src/cache/keys.ts";
import { configSchema } from "../../practice-app/src/config/config.ts";
import { EXIT_CODES } from "../../practice-app/src/exit-codes.ts";
import { createMetrics, METRIC_WATCH_FOR } from "../../practice-app/src/metrics.ts";
import {
  composeImageTag,
  describeAccepts,
  type EnvField,
  envTable,
  errorTable,
  exitTable,
  fieldFacts,
  formatDefault,
  humanDefault,
  type MetricFact,
  metricTable,
  redisKeyTable,
  schemaDocComments,
  type VersionSources,
  versionTable,
  workflowJobs,
  workflowStepRun,
} from "./app-facts-view.ts";
import type { TableView } from "./policy-view.ts";

// The app's facts, read from the app's own fact modules (scripts/import-rules.ts APP_FACT_MODULES)
// and from the files that pin versions and workflows. Components render these; the build check
// (hand-typed-facts.ts) compares code on the pages against them. Nothing here is typed by hand.

// Astro bundles this module, so files are found from the working directory (the repository root
// for `astro build`, `astro dev` and the tests), not from import.meta.url.
const ROOT = path.resolve(process.env.HANDBOOK_REPO_ROOT ?? ".");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

export const CONFIG_SOURCE = "practice-app/src/config/config.ts";

/** Every variable of the config schema, in schema order, with its default and accepted values. */
export function envFields(): EnvField[] {
  const json = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Parameters<typeof describeAccepts>[0]>;
  };
  return Object.entries(configSchema.shape).map(([name, field]) => {
    // zod's public types do not expose the runtime definition's shape; fieldFacts reads only
    // type, defaultValue, innerType, in and out, which every zod 4 def has or lacks.
    const facts = fieldFacts(
      (field as unknown as { _zod: { def: Parameters<typeof fieldFacts>[0] } })._zod.def,
    );
    const accepts =
      typeof facts.defaultValue === "boolean"
        ? "true, false (or 1, 0)"
        : describeAccepts(json.properties?.[name]);
    return { name, ...facts, accepts };
  });
}

export function envDefault(name: string): string {
  const field = envFields().find((f) => f.name === name);
  if (!field)
    throw new Error(
      `a page asks for the default of ${name}, which ${CONFIG_SOURCE} does not declare; variables: ${envFields()
        .map((f) => f.name)
        .join(", ")}`,
    );
  return formatDefault(field);
}

/** The default for prose (<EnvDefault/>): "10 s" for SHUTDOWN_TIMEOUT_MS. */
export const envDefaultHuman = (name: string): string => humanDefault(name, envDefault(name));

export const envView = (): TableView => envTable(envFields(), schemaDocComments(read(CONFIG_SOURCE)));

export const APP_ERROR_CODES: Readonly<Record<string, string>> = TRPC_CODE_FOR;

/** The HTTP status tRPC's own adapter sends for a tRPC error code. */
export const httpStatusOfTrpc = (trpcCode: string): number =>
  getHTTPStatusCodeFromError(
    new TRPCError({ code: trpcCode as ConstructorParameters<typeof TRPCError>[0]["code"] }),
  );

export const errorView = (): TableView => errorTable(APP_ERROR_CODES, httpStatusOfTrpc);

export const exitView = (): TableView => exitTable(EXIT_CODES);

/** Node's default process metrics carry these prefixes; the app's own metrics do not. */
export const DEFAULT_METRIC_PREFIXES = ["process_", "nodejs_"] as const;

let metricsCache: MetricFact[] | null = null;
/** The metrics of a fresh app registry, exactly as /metrics declares them (values are not read). */
export function appMetrics(): MetricFact[] {
  if (metricsCache) return metricsCache;
  const { registry } = createMetrics({
    pool: () => ({ total: 0, idle: 0, waiting: 0, max: 0 }),
    passwordHashing: () => ({ running: 0, waiting: 0 }),
    redisUp: () => 0,
    ready: () => false,
    release: { version: "", commit: "" },
  });
  metricsCache = registry.getMetricsAsArray().map((metric) => {
    // prom-client's Metric type omits the fields every metric object carries at run time.
    const m = metric as unknown as { name: string; help: string; type: string; labelNames?: string[] };
    return { name: m.name, help: m.help, type: m.type, labels: m.labelNames ?? [] };
  });
  return metricsCache;
}

export const metricView = (): TableView =>
  metricTable(appMetrics(), DEFAULT_METRIC_PREFIXES, METRIC_WATCH_FOR);

export const redisKeyView = (): TableView =>
  redisKeyTable(REDIS_KEYS, envDefault("REDIS_KEY_PREFIX"), envDefault);

export function workflowView(file: string) {
  return workflowJobs(read(path.posix.join(".github/workflows", file)), `.github/workflows/${file}`);
}

/** The command step `stepId` of `job` runs in .github/workflows/<file> (workflowStepRun). */
export function workflowCommand(file: string, job: string, stepId: string): string {
  const name = `.github/workflows/${file}`;
  return workflowStepRun(read(path.posix.join(".github/workflows", file)), name, job, stepId);
}

export function versionSources(): VersionSources {
  const pkg = JSON.parse(read("package.json")) as {
    engines?: { node?: string };
    devDependencies?: Record<string, string>;
  };
  const compose = read("docker-compose.yml");
  return {
    engines: pkg.engines?.node,
    nvmrc: read(".nvmrc").trim(),
    nodeDevDependency: pkg.devDependencies?.node,
    dockerImage: /^FROM\s+node:(\S+)/m.exec(read("Dockerfile"))?.[1],
    composePostgres: composeImageTag(compose, "postgres"),
    composeRedis: composeImageTag(compose, "redis"),
    policyPostgres: CURRENT_CAPACITY.postgresVersion,
    policyRedis: CURRENT_CAPACITY.redisVersion,
  };
}

export const versionView = (): TableView => versionTable(versionSources());
