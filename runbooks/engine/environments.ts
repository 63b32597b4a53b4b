import { readDevStack } from "./paths.ts";
import { parseSecretRef, resolveSecretRef, SecretRefError } from "./secret-refs.ts";

// Environments name connection settings. dev is the local stack `npm start` runs; staging and
// production come from the operator's environment and are never committed.

export const ENVIRONMENTS = ["dev", "staging", "production"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export interface Environment {
  name: EnvironmentName;
  appUrl: string;
  databaseUrl: string;
  /** Empty when the environment runs without Redis. */
  redisUrl: string;
  redisPrefix: string;
  /** The Prometheus that scrapes this environment (slo-report); empty when not set. */
  prometheusUrl: string;
  /** The settings given as secret references (secret-refs.ts): variable name → the reference's text. */
  references: Record<string, string>;
  /** The values those references resolved to: the masker learns them before any output. */
  resolvedSecrets: string[];
}

export interface ResolveOptions {
  /**
   * false: leave references unresolved (the setting holds the reference's text), for what only
   * describes an environment (the console's page) and must not run a command or read a secret.
   */
  resolveReferences?: boolean;
}

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(name);
}

const DEV_DEFAULTS = {
  appUrl: "http://127.0.0.1:3000",
  databaseUrl: "postgres://postgres@127.0.0.1:5432/subjunctive",
  redisUrl: "redis://127.0.0.1:6379",
  redisPrefix: "ssp:",
};

/**
 * Variables for an environment: SSP_<ENV>_APP_URL, _DATABASE_URL, _REDIS_URL, _REDIS_PREFIX, and
 * _PROMETHEUS_URL (optional in every environment, dev included: the local stack runs no Prometheus).
 */
export function environmentVariables(
  name: EnvironmentName,
): Record<keyof typeof DEV_DEFAULTS | "prometheusUrl", string> {
  const prefix = `SSP_${name.toUpperCase()}_`;
  return {
    appUrl: `${prefix}APP_URL`,
    databaseUrl: `${prefix}DATABASE_URL`,
    redisUrl: `${prefix}REDIS_URL`,
    redisPrefix: `${prefix}REDIS_PREFIX`,
    prometheusUrl: `${prefix}PROMETHEUS_URL`,
  };
}

export function resolveEnvironment(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveOptions = {},
): Environment {
  const plain = resolvePlain(name, env);
  const references: Record<string, string> = {};
  const resolvedSecrets: string[] = [];
  const vars = environmentVariables(plain.name);
  for (const key of Object.keys(vars) as (keyof typeof vars)[]) {
    const ref = parseSecretRef(plain[key]);
    if (!ref) continue;
    references[vars[key]] = ref.text;
    if (options.resolveReferences === false) continue;
    try {
      plain[key] = resolveSecretRef(ref, env);
    } catch (error) {
      if (error instanceof SecretRefError) throw new EnvironmentError(`${vars[key]}: ${error.message}`);
      throw error;
    }
    resolvedSecrets.push(plain[key]);
  }
  return { ...plain, references, resolvedSecrets };
}

function resolvePlain(
  name: string,
  env: NodeJS.ProcessEnv,
): Omit<Environment, "references" | "resolvedSecrets"> {
  if (!isEnvironmentName(name)) {
    throw new EnvironmentError(`unknown environment "${name}"; choose one of: ${ENVIRONMENTS.join(", ")}`);
  }
  const vars = environmentVariables(name);
  if (name === "dev") {
    const stack = readDevStack(env);
    return {
      name,
      appUrl: env[vars.appUrl] ?? stack.appUrl ?? DEV_DEFAULTS.appUrl,
      databaseUrl: env[vars.databaseUrl] ?? stack.databaseUrl ?? DEV_DEFAULTS.databaseUrl,
      redisUrl: env[vars.redisUrl] ?? stack.redisUrl ?? DEV_DEFAULTS.redisUrl,
      redisPrefix: env[vars.redisPrefix] ?? stack.redisPrefix ?? DEV_DEFAULTS.redisPrefix,
      prometheusUrl: env[vars.prometheusUrl] ?? "",
    };
  }
  const missing = [vars.appUrl, vars.databaseUrl].filter((v) => !env[v]);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `environment "${name}" is not configured: set ${missing.join(" and ")} (and ${vars.redisUrl}, ${vars.redisPrefix} if it has Redis) in your shell; they are never committed`,
    );
  }
  return {
    name,
    appUrl: env[vars.appUrl] as string,
    databaseUrl: env[vars.databaseUrl] as string,
    redisUrl: env[vars.redisUrl] ?? "",
    redisPrefix: env[vars.redisPrefix] ?? "ssp:",
    prometheusUrl: env[vars.prometheusUrl] ?? "",
  };
}
