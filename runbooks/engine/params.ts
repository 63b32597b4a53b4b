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
  /** `.meta({ multiline: true })`: newlines (and carriage returns) are allowed in the value. */
  multiline?: true;
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
    const meta = ((field as z.ZodType).meta?.() ?? {}) as {
      secret?: boolean;
      multiline?: boolean;
      description?: string;
    };
    const optional = (field as z.ZodType).safeParse(undefined).success;
    return {
      name,
      type: json.enum ? "enum" : (json.type ?? "string"),
      description: json.description ?? meta.description ?? "",
      default: json.default,
      required: !optional,
      secret: meta.secret === true,
      ...(meta.multiline === true ? { multiline: true as const } : {}),
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
  const controls = Object.entries(raw).flatMap(([key, value]) =>
    controlCharacterProblems(key, value, infos.get(key)?.multiline === true),
  );
  if (controls.length > 0) throw new ParamError(`invalid parameters: ${controls.join("; ")}`);
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

// C0 control characters and DEL. A shell cuts an argument at NUL, so the value validated and
// audited would not be the value run; a newline in a one-line value forges lines in logs and
// framing. Refused for every parameter of every runbook, here, before the schema sees the value.
// Tab is allowed; newline and carriage return only in a parameter marked `.meta({ multiline: true })`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const NEWLINE = /[\n\r]/;

/** What is wrong with a raw value (strings inside arrays and objects included), one entry per problem. */
export function controlCharacterProblems(name: string, value: unknown, multiline: boolean): string[] {
  if (typeof value === "string") {
    const bad = CONTROL.exec(value) ?? (multiline ? null : NEWLINE.exec(value));
    if (!bad) return [];
    const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    return [
      `${name}: contains the control character ${code}${code === "U+0000" ? " (NUL)" : NEWLINE.test(bad[0]) ? " (a line break; this parameter is one line)" : ""} at position ${bad.index}; remove it (a shell would cut or split the value there)`,
    ];
  }
  if (Array.isArray(value))
    return value.flatMap((item, i) => controlCharacterProblems(`${name}[${i}]`, item, multiline));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => controlCharacterProblems(`${name}.${k}`, v, multiline));
  return [];
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
