import ts from "typescript";
import { parse as parseYaml } from "yaml";
import type { TableView } from "./policy-view.ts";

// Pure functions that turn the app's own declarations (its config schema, error table, metric
// registry, Redis key table, exit codes, workflows, version pins) into tables for the pages.
// app-facts.ts feeds them the real modules; the tests feed them small inputs.

// ---------------------------------------------------------------- environment variables

/** What the page needs of one zod field, read from the schema object itself. */
export interface EnvField {
  name: string;
  /** The default as the app sees it after parsing (true, 3000, "ssp:"), or undefined. */
  defaultValue: unknown;
  hasDefault: boolean;
  optional: boolean;
  /** From the input JSON schema: enum, integer range, string limits. */
  accepts: string;
}

/** A minimal view of zod 4's runtime definition, enough to find defaults and optionality. */
interface ZodDefLike {
  type: string;
  defaultValue?: unknown;
  innerType?: { _zod: { def: ZodDefLike } };
  in?: { _zod: { def: ZodDefLike } };
  out?: { _zod: { def: ZodDefLike } };
}

/** Unwraps default / optional / pipe / preprocess wrappers of a zod 4 field. */
export function fieldFacts(def: ZodDefLike): {
  hasDefault: boolean;
  defaultValue: unknown;
  optional: boolean;
} {
  let current: ZodDefLike | undefined = def;
  let optional = false;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current.type === "default" || current.type === "prefault") {
      return { hasDefault: true, defaultValue: current.defaultValue, optional: true };
    }
    if (current.type === "optional") optional = true;
    // A preprocess is a pipe whose `out` holds the real schema; a transform pipe keeps it in `in`.
    const next: ZodDefLike | undefined =
      current.innerType?._zod.def ??
      (current.type === "pipe"
        ? current.in?._zod.def.type === "transform"
          ? current.out?._zod.def
          : current.in?._zod.def
        : undefined);
    current = next;
  }
  return { hasDefault: false, defaultValue: undefined, optional };
}

interface JsonSchemaLike {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export function describeAccepts(schema: JsonSchemaLike | undefined): string {
  if (!schema) return "";
  if (schema.enum) return schema.enum.map((v) => String(v)).join(", ");
  const n = (x: number) => x.toLocaleString("en-US");
  if (schema.type === "integer" || schema.type === "number") {
    const kind = schema.type === "integer" ? "integer" : "number";
    if (schema.minimum !== undefined && schema.maximum !== undefined)
      return `${kind} ${n(schema.minimum)}–${n(schema.maximum)}`;
    return kind;
  }
  if (schema.type === "string") {
    const limits = [
      schema.minLength !== undefined && schema.minLength > 1 ? `at least ${schema.minLength} characters` : "",
      schema.maxLength !== undefined ? `at most ${schema.maxLength} characters` : "",
    ].filter(Boolean);
    return limits.length ? `text, ${limits.join(", ")}` : "text";
  }
  return "";
}

/** `/** … *\/` comments above each property of `export const configSchema = z.object({...})`. */
export function schemaDocComments(source: string, schemaName = "configSchema"): Map<string, string> {
  const file = ts.createSourceFile("config.ts", source, ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === schemaName &&
      node.initializer &&
      ts.isCallExpression(node.initializer)
    ) {
      const object = node.initializer.arguments[0];
      if (object && ts.isObjectLiteralExpression(object)) {
        for (const property of object.properties) {
          if (!property.name || !ts.isIdentifier(property.name)) continue;
          const text = property.getFullText(file);
          const comments = ts.getLeadingCommentRanges(text, 0) ?? [];
          const jsdoc = comments
            .map((c) => text.slice(c.pos, c.end))
            .filter((c) => c.startsWith("/**"))
            .at(-1);
          if (jsdoc)
            docs.set(
              property.name.text,
              jsdoc
                .replace(/^\/\*\*|\*\/$/g, "")
                .split("\n")
                .map((line) => line.replace(/^\s*\*?\s?/, "").trim())
                .filter(Boolean)
                .join(" "),
            );
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return docs;
}

export function formatDefault(field: Pick<EnvField, "hasDefault" | "defaultValue" | "optional">): string {
  if (!field.hasDefault) return field.optional ? "not set" : "required";
  if (field.defaultValue === "") return "empty";
  if (Array.isArray(field.defaultValue))
    return field.defaultValue.length ? field.defaultValue.join(",") : "empty";
  return String(field.defaultValue);
}

export function envTable(fields: readonly EnvField[], docs: ReadonlyMap<string, string>): TableView {
  const undocumented = fields.filter((f) => !docs.has(f.name)).map((f) => f.name);
  if (undocumented.length > 0) {
    throw new Error(
      `practice-app/src/config/config.ts: ${undocumented.join(", ")} ha${undocumented.length === 1 ? "s" : "ve"} no description; add a /** … */ comment above each in configSchema (the handbook's <EnvTable/> renders it)`,
    );
  }
  return {
    caption: "Environment variables of the app",
    headers: ["Variable", "Default", "Accepts", "Meaning"],
    rows: fields.map((f) => [f.name, formatDefault(f), f.accepts, docs.get(f.name) ?? ""]),
  };
}

// ---------------------------------------------------------------- errors, exit codes, metrics, keys

export function errorTable(
  codes: Readonly<Record<string, string>>,
  httpStatusOf: (trpcCode: string) => number,
): TableView {
  return {
    caption: "Error codes (appCode in the tRPC error's data)",
    headers: ["Code", "tRPC code", "HTTP status"],
    rows: Object.entries(codes).map(([code, trpc]) => [code, trpc, String(httpStatusOf(trpc))]),
  };
}

export function exitTable(codes: Readonly<Record<string, { code: number; meaning: string }>>): TableView {
  return {
    caption: "Exit codes of the app",
    headers: ["Exit code", "Meaning"],
    rows: Object.values(codes)
      .toSorted((a, b) => a.code - b.code)
      .map((c) => [String(c.code), c.meaning]),
  };
}

export interface MetricFact {
  name: string;
  type: string;
  help: string;
  labels: readonly string[];
}

export function metricTable(
  metrics: readonly MetricFact[],
  defaultPrefixes: readonly string[],
  watchFor: Readonly<Record<string, string>> = {},
): TableView {
  const own = metrics.filter((m) => !defaultPrefixes.some((p) => m.name.startsWith(p)));
  const defaults = metrics.length - own.length;
  return {
    caption: `Metrics on /metrics (plus ${defaults} Node.js process metrics: ${defaultPrefixes.map((p) => `${p}*`).join(", ")})`,
    headers: ["Metric", "Type", "Labels", "Meaning", "Watch for"],
    rows: [
      ...own.map((m) => [m.name, m.type, m.labels.join(", ") || "—", m.help, watchFor[m.name] ?? "—"]),
      ...defaultPrefixes.map((p) => [
        `${p}*`,
        "—",
        "—",
        "Node.js process metrics (prom-client defaults)",
        watchFor[p] ?? "—",
      ]),
    ],
  };
}

export type KeyTtlFact = { seconds: number } | { configVariable: string } | { none: string };

export function formatTtl(ttl: KeyTtlFact, defaultOf: (variable: string) => string): string {
  if ("seconds" in ttl) return seconds(ttl.seconds);
  if ("configVariable" in ttl) {
    const value = Number(defaultOf(ttl.configVariable));
    return `${ttl.configVariable} (default ${Number.isFinite(value) ? seconds(value) : defaultOf(ttl.configVariable)})`;
  }
  return `none: ${ttl.none}`;
}

function seconds(s: number): string {
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export function redisKeyTable(
  keys: readonly { pattern: string; type: string; ttl: KeyTtlFact; holds: string }[],
  prefix: string,
  defaultOf: (variable: string) => string,
): TableView {
  return {
    caption: `Redis keys (each after REDIS_KEY_PREFIX, default ${prefix})`,
    headers: ["Key", "Type", "TTL", "Holds"],
    rows: keys.map((k) => [k.pattern, k.type, formatTtl(k.ttl, defaultOf), k.holds]),
  };
}

// ---------------------------------------------------------------- workflows

export interface WorkflowJobView {
  id: string;
  name: string;
  needs: string[];
  steps: { name: string; detail: string }[];
}

/** Jobs in file order, each with its steps in order, from a GitHub Actions workflow's YAML. */
export function workflowJobs(yamlText: string, file: string): WorkflowJobView[] {
  const doc = parseYaml(yamlText) as { jobs?: Record<string, unknown> } | null;
  if (!doc?.jobs || typeof doc.jobs !== "object")
    throw new Error(`${file} has no jobs: is it a GitHub Actions workflow?`);
  return Object.entries(doc.jobs).map(([id, raw]) => {
    const job = (raw ?? {}) as { name?: string; needs?: string | string[]; steps?: unknown[]; uses?: string };
    const steps = (job.steps ?? []).map((s, i) => {
      const step = (s ?? {}) as { name?: string; uses?: string; run?: string; id?: string };
      const firstLine = step.run?.trim().split("\n")[0] ?? "";
      return {
        name: step.name ?? step.uses ?? firstLine ?? `step ${i + 1}`,
        detail: step.uses ?? firstLine,
      };
    });
    if (job.uses) steps.push({ name: `calls ${job.uses}`, detail: job.uses });
    return {
      id,
      name: job.name ?? id,
      needs: job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs],
      steps,
    };
  });
}

/**
 * The command a workflow step runs (`run:`), found by the step's `id:` in a job: what a page shows
 * as "the pipeline runs this", so the page cannot part from the workflow. Throws when there is none.
 */
export function workflowStepRun(yamlText: string, file: string, job: string, stepId: string): string {
  const doc = parseYaml(yamlText) as {
    jobs?: Record<string, { steps?: Array<{ id?: string; run?: string }> }>;
  } | null;
  const steps = doc?.jobs?.[job]?.steps;
  if (!steps) throw new Error(`${file} has no job "${job}" with steps`);
  const step = steps.find((s) => s?.id === stepId);
  if (!step?.run)
    throw new Error(
      `${file}: job "${job}" has no step with id "${stepId}" that runs a command; give the step that id`,
    );
  return step.run.trim();
}

// ---------------------------------------------------------------- versions

export interface VersionSources {
  engines: string | undefined;
  nvmrc: string;
  nodeDevDependency: string | undefined;
  dockerImage: string | undefined;
  composePostgres: string | undefined;
  composeRedis: string | undefined;
  policyPostgres: string | number;
  policyRedis: string | number;
}

/** The image tag of a compose service (`postgres:15-alpine` → `15-alpine`). */
export function composeImageTag(composeYaml: string, service: string): string | undefined {
  const doc = parseYaml(composeYaml) as { services?: Record<string, { image?: string }> } | null;
  const image = doc?.services?.[service]?.image;
  return image?.split(":")[1];
}

export function versionTable(v: VersionSources): TableView {
  const missing = Object.entries(v)
    .filter(([, value]) => value === undefined || value === "")
    .map(([key]) => key);
  if (missing.length)
    throw new Error(
      `<Versions/> could not read ${missing.join(", ")}; check package.json engines, .nvmrc, Dockerfile, docker-compose.yml and policy/`,
    );
  return {
    caption: "Supported versions",
    headers: ["Component", "Version", "Where it is pinned"],
    rows: [
      ["Node.js", `${v.engines}`, "package.json engines"],
      ["Node.js (development)", `${v.nvmrc}`, ".nvmrc"],
      ["Node.js (npm scripts)", `${v.nodeDevDependency}`, "package.json devDependencies (node)"],
      ["Node.js (app image)", `${v.dockerImage}`, "Dockerfile FROM"],
      ["PostgreSQL", `${v.policyPostgres}`, "policy/ (current capacity)"],
      ["PostgreSQL (compose)", `${v.composePostgres}`, "docker-compose.yml"],
      ["Redis", `${v.policyRedis}`, "policy/ (current capacity)"],
      ["Redis (compose)", `${v.composeRedis}`, "docker-compose.yml"],
    ],
  };
}

/** A default for prose, in the unit the variable's name declares: PG_STATEMENT_TIMEOUT_MS 5000 → "5 s". */
export function humanDefault(name: string, raw: string): string {
  const n = Number(raw);
  if (raw === "" || !Number.isFinite(n)) return raw;
  if (name.endsWith("_MS")) return n !== 0 && n % 1000 === 0 ? `${n / 1000} s` : `${n} ms`;
  if (name.endsWith("_S")) return n % 60 === 0 && n >= 60 ? `${n / 60} min` : `${n} s`;
  if (name.endsWith("_DAYS")) return `${n} day${n === 1 ? "" : "s"}`;
  return raw;
}
