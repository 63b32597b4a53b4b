import type { z } from "zod";

// Parameters arrive as strings (CLI `--param k=v`, query strings) or JSON values (the console).
// They are validated against the runbook's zod schema before anything runs.

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParamError";
  }
}

export interface ParamInfo {
  name: string;
  type: string;
  description: string;
  default: unknown;
  required: boolean;
  secret: boolean;
  choices?: string[];
}

/** Describes each parameter from the schema: for `--help`, the catalog and the console's form. */
export function describeParams(schema: z.ZodObject): ParamInfo[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const json = (field as z.ZodType).toJSONSchema({ io: "input", unrepresentable: "any" }) as {
      type?: string;
      enum?: string[];
      default?: unknown;
      description?: string;
    };
    const meta = ((field as z.ZodType).meta?.() ?? {}) as { secret?: boolean; description?: string };
    const optional = (field as z.ZodType).safeParse(undefined).success;
    return {
      name,
      type: json.enum ? "enum" : (json.type ?? "string"),
      description: json.description ?? meta.description ?? "",
      default: json.default,
      required: !optional,
      secret: meta.secret === true,
      ...(json.enum ? { choices: json.enum } : {}),
    };
  });
}

/** Parses "k=v" pairs (strings coerced by the schema) and validates the whole set. */
export function parseParams(schema: z.ZodObject, raw: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new ParamError(
      `unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}; ${
        known.length ? `valid: ${known.join(", ")}` : "this runbook takes no parameters"
      }`,
    );
  }
  const coerced: Record<string, unknown> = {};
  const infos = new Map(describeParams(schema).map((info) => [info.name, info]));
  for (const [key, value] of Object.entries(raw)) {
    coerced[key] = typeof value === "string" ? coerce(value, infos.get(key)?.type ?? "string") : value;
  }
  const result = schema.safeParse(coerced);
  if (!result.success) {
    throw new ParamError(
      `invalid parameters: ${result.error.issues.map((issue) => `${issue.path.join(".") || "(params)"}: ${issue.message}`).join("; ")}`,
    );
  }
  return result.data as Record<string, unknown>;
}

export function parsePairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new ParamError(`--param needs key=value, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

function coerce(value: string, type: string): unknown {
  if (type === "number" || type === "integer") return value.trim() === "" ? value : Number(value);
  if (type === "boolean") {
    if (value === "true") return true;
    if (value === "false") return false;
  }
  return value;
}
