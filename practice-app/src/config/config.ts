import { isIP } from "node:net";
import { z } from "zod";
import { DEFAULT_PASSWORD_HASHING } from "../auth/password-hashing-settings.ts";

// Every setting the app reads from its environment, parsed once at start. A bad value stops the app
// with one message that names every offending variable and what it expects.

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { message: 'expected "true" or "false"' })
  .transform((value) => value === "true" || value === "1");

const postgresUrl = z
  .string()
  .min(1)
  .refine((value) => /^postgres(ql)?:\/\//.test(value), {
    message: "expected a postgres:// or postgresql:// URL",
  });

/** An exported-but-empty variable means "not set", as shells and compose files produce it. */
const emptyAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema);

const redisUrl = z.string().refine((value) => value === "" || /^rediss?:\/\//.test(value), {
  message: 'expected a redis:// or rediss:// URL, or "" to run without Redis',
});

export const configSchema = z.object({
  /** Set production in production. */
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Address the server binds. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** Port the server binds (0: any free port). */
  PORT: intFrom(0, 65535).default(3000),
  /** pino log level; never silent in production. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Log one line per HTTP request (health and metrics scrapes are never logged). */
  LOG_REQUESTS: booleanFlag.default(true),
  /** The PostgreSQL database (postgres:// or postgresql:// URL); add ?sslmode=require outside the private network. */
  DATABASE_URL: postgresUrl,
  /**
   * A file holding the database password (first line), used for every new connection instead of
   * any password in DATABASE_URL and re-read when it changes, so rotate-database-password needs no
   * edit of DATABASE_URL. Keep it mode 600.
   */
  DATABASE_PASSWORD_FILE: emptyAsUnset(z.string().min(1).optional()),
  /** Connections this instance may open; instances × this must fit the server's max_connections. */
  PG_POOL_MAX: intFrom(1, 200).default(10),
  /** The server cancels a statement that runs longer (statement_timeout). */
  PG_STATEMENT_TIMEOUT_MS: intFrom(100, 600_000).default(5_000),
  /** How long to wait for a connection, from the server or the pool. */
  PG_CONNECTION_TIMEOUT_MS: intFrom(100, 60_000).default(2_000),
  /**
   * true when DATABASE_URL points at a transaction-mode pooler (PgBouncer) instead of PostgreSQL:
   * statements go unnamed and statement_timeout is not sent at connect (set it on the database role:
   * ALTER ROLE … SET statement_timeout). Migrations connect to PostgreSQL directly.
   */
  PG_TRANSACTION_POOLER: booleanFlag.default(false),
  /** Shown in pg_stat_activity; give each environment its own. */
  PG_APPLICATION_NAME: z.string().min(1).max(63).default("subjunctive-practice"),
  /** Empty means "run without Redis": no shared cache, in-process rate limits. */
  REDIS_URL: redisUrl.default(""),
  /** Prefix of every Redis key; environments sharing one Redis server need different prefixes. */
  REDIS_KEY_PREFIX: z
    .string()
    .max(64)
    .regex(/^[\w:.-]*$/, "letters, digits and : . _ - only")
    .default("ssp:"),
  /** A Redis command that takes longer fails, and the app falls back to PostgreSQL or in-process limits. */
  REDIS_COMMAND_TIMEOUT_MS: intFrom(10, 10_000).default(250),
  /** Timeout of a connection attempt to Redis. */
  REDIS_CONNECT_TIMEOUT_MS: intFrom(100, 30_000).default(1_000),
  /** HMAC key for session tokens. At least 32 characters; generate with `openssl rand -base64 48`. */
  SESSION_SECRET: emptyAsUnset(z.string().min(32, "must be at least 32 characters").optional()),
  /** Instead of SESSION_SECRET: a file whose first line is the current secret and further lines previous ones; re-read when it changes. */
  SESSION_SECRET_FILE: emptyAsUnset(z.string().min(1).optional()),
  /** Comma-separated old secrets still accepted while sessions are re-keyed after a rotation. */
  SESSION_SECRET_PREVIOUS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(32, "each previous secret must be at least 32 characters"))),
  /** Lifetime of a session. */
  SESSION_TTL_DAYS: intFrom(1, 365).default(30),
  /** scrypt cost as log2(N). OWASP's minimum is 17 (N = 131072, r = 8, p = 1). */
  SCRYPT_LOG_N: intFrom(17, 20).default(17),
  /** Password hashes that may wait for a thread; more sign-ups and logins at once get 503 (retry in 2 s). */
  PASSWORD_HASH_QUEUE_MAX: intFrom(0, 10_000).default(DEFAULT_PASSWORD_HASHING.maxWaiting),
  /** How far below the app's the password-hashing threads' CPU priority is (nice 0–19): log-ins take the CPU practice does not need. */
  PASSWORD_HASH_NICE: intFrom(0, 19).default(DEFAULT_PASSWORD_HASHING.nice),
  /** Log-in attempts per email per log-in window. */
  RATE_LIMIT_LOGIN_PER_ACCOUNT: intFrom(1, 1000).default(5),
  /** Log-in attempts per client address per log-in window. */
  RATE_LIMIT_LOGIN_PER_IP: intFrom(1, 100_000).default(50),
  /** The log-in rate-limit window, in seconds. */
  RATE_LIMIT_LOGIN_WINDOW_S: intFrom(1, 86_400).default(900),
  /** Sign-ups allowed from one client address per RATE_LIMIT_SIGNUP_WINDOW_S; more get 429 with Retry-After. */
  RATE_LIMIT_SIGNUP_PER_IP: intFrom(1, 100_000).default(20),
  /** Sign-ups allowed from all addresses together per window, against spread-out bots; more get 429. */
  RATE_LIMIT_SIGNUP_GLOBAL: intFrom(1, 1_000_000).default(500),
  /** The sign-up rate-limit window, in seconds. */
  RATE_LIMIT_SIGNUP_WINDOW_S: intFrom(1, 86_400).default(3_600),
  /** API calls per learner per API window. */
  RATE_LIMIT_API_PER_LEARNER: intFrom(1, 1_000_000).default(300),
  /** The API rate-limit window, in seconds. */
  RATE_LIMIT_API_WINDOW_S: intFrom(1, 3_600).default(60),
  /**
   * Milliseconds readiness reports 503 before the listener closes, so a load balancer can stop routing.
   * Unset: 5000 when TRUST_PROXY is true (a proxy or load balancer sits in front), else 0.
   */
  SHUTDOWN_DRAIN_DELAY_MS: emptyAsUnset(intFrom(0, 60_000).optional()),
  /** Hard limit for graceful shutdown; the process exits by then whatever is still running. */
  SHUTDOWN_TIMEOUT_MS: intFrom(1_000, 120_000).default(10_000),
  /** Trust X-Forwarded-For from a reverse proxy (nginx) for client IPs. */
  TRUST_PROXY: booleanFlag.default(false),
  /** Largest request body accepted; larger bodies get 413. */
  MAX_BODY_BYTES: intFrom(1_024, 10_000_000).default(16_384),
  /** Most tRPC calls one batched HTTP request may carry; a larger batch gets 400 and runs nothing. */
  TRPC_MAX_BATCH_SIZE: intFrom(1, 20).default(10),
  /** Deadline of one API request: past it the client gets 503 with Retry-After and the connection is freed. */
  REQUEST_TIMEOUT_MS: intFrom(500, 120_000).default(8_000),
  /**
   * Who may read /metrics: comma-separated addresses or CIDR ranges (IPv4 or IPv6), matched against the
   * client address (the forwarded one when TRUST_PROXY is true). Everyone else gets 403.
   */
  METRICS_ALLOW: z
    .string()
    .default("127.0.0.0/8,::1/128")
    .transform((value) =>
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().refine(isAddressOrCidr, {
          message: "each entry must be an IPv4 or IPv6 address or CIDR range, e.g. 10.0.0.0/8",
        }),
      ),
    ),
  /**
   * The git commit this release was built from (40 hex digits), set at deploy (a CI variable, an
   * image build argument). Unset: read from the checkout with git, else "unknown". Shown on
   * /healthz and as app_build_info on /metrics, where the handbook's console compares it.
   */
  APP_COMMIT: emptyAsUnset(
    z
      .string()
      .regex(/^[0-9a-f]{40}$/, "expected a full git commit hash (40 hex digits)")
      .optional(),
  ),
  /** Serve /metrics on this port only (on HOST), and not on PORT; unset: on PORT, for METRICS_ALLOW. */
  METRICS_PORT: emptyAsUnset(intFrom(0, 65_535).optional()),
  /**
   * Where learners reach the app (https://practice.example.org): the base of the links in e-mails.
   * The app never builds a link from the request's Host header. Needed when SMTP_URL is set.
   */
  PUBLIC_URL: emptyAsUnset(
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, "expected an http:// or https:// URL")
      .transform((value) => value.replace(/\/+$/, ""))
      .optional(),
  ),
  /**
   * The SMTP server that sends password-reset e-mails: smtp://user:pass@host:587 (STARTTLS when the
   * server offers it) or smtps://user:pass@host:465. Unset: password reset is disabled and says so.
   */
  SMTP_URL: emptyAsUnset(
    z
      .string()
      .refine((value) => /^smtps?:\/\//.test(value), { message: "expected an smtp:// or smtps:// URL" })
      .optional(),
  ),
  /** The From address of the app's e-mails ("Subjunctive practice <no-reply@example.org>"); needed with SMTP_URL. */
  SMTP_FROM: emptyAsUnset(z.string().min(3).max(200).optional()),
  /** Development only (refused in production): without SMTP_URL, log password-reset links instead of mailing them. */
  PASSWORD_RESET_LOG_LINKS: booleanFlag.default(false),
  /** How long a password-reset link works, in minutes; it works once. */
  PASSWORD_RESET_TTL_MINUTES: intFrom(5, 1_440).default(30),
  /** Password-reset requests (and link uses) per client address per reset window. */
  RATE_LIMIT_RESET_PER_IP: intFrom(1, 100_000).default(10),
  /** Password-reset e-mails per address per reset window, whether or not the address has an account. */
  RATE_LIMIT_RESET_PER_ACCOUNT: intFrom(1, 1_000).default(3),
  /** The password-reset rate-limit window, in seconds. */
  RATE_LIMIT_RESET_WINDOW_S: intFrom(1, 86_400).default(3_600),
  /** Data exports and deletion attempts (each checks the password) per learner per window. */
  RATE_LIMIT_ACCOUNT_DATA_PER_LEARNER: intFrom(1, 1_000).default(5),
  /** The window of RATE_LIMIT_ACCOUNT_DATA_PER_LEARNER, in seconds. */
  RATE_LIMIT_ACCOUNT_DATA_WINDOW_S: intFrom(1, 86_400).default(3_600),
  /**
   * Report unhandled errors and 5xx responses to Sentry (or a Sentry-compatible server) at this DSN
   * (https://<key>@<host>/<project>), scrubbed of secrets and personal data. Unset: nothing is loaded or sent.
   */
  SENTRY_DSN: emptyAsUnset(
    z
      .string()
      .regex(/^https?:\/\/[^\s/@]+@[^\s/]+\/.*\d+$/, "expected a DSN like https://<key>@<host>/<project id>")
      .optional(),
  ),
  /** The environment events are filed under in Sentry (production, staging); unset: NODE_ENV. */
  SENTRY_ENVIRONMENT: emptyAsUnset(z.string().min(1).max(64).optional()),
  /** `npm run db:migrate`: how long a migration waits for a table lock before it gives up (nothing applied). */
  MIGRATION_LOCK_TIMEOUT_MS: intFrom(100, 600_000).default(5_000),
  /** `npm run db:migrate`: the longest one migration statement may run. */
  MIGRATION_STATEMENT_TIMEOUT_MS: intFrom(1_000, 86_400_000).default(600_000),
});

type ParsedConfig = z.infer<typeof configSchema>;
export type AppConfig = Omit<ParsedConfig, "SHUTDOWN_DRAIN_DELAY_MS"> & { SHUTDOWN_DRAIN_DELAY_MS: number };

/** The drain delay when none is set: a proxy in front (TRUST_PROXY) needs time to stop routing. */
export const DRAIN_DELAY_BEHIND_PROXY_MS = 5_000;

function withDefaults(parsed: ParsedConfig): AppConfig {
  return {
    ...parsed,
    SHUTDOWN_DRAIN_DELAY_MS:
      parsed.SHUTDOWN_DRAIN_DELAY_MS ?? (parsed.TRUST_PROXY ? DRAIN_DELAY_BEHIND_PROXY_MS : 0),
  };
}

function isAddressOrCidr(value: string): boolean {
  const [address = "", bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

const withSecretSource = configSchema.superRefine((config, ctx) => {
  if (!config.SESSION_SECRET && !config.SESSION_SECRET_FILE) {
    ctx.addIssue({
      code: "custom",
      path: ["SESSION_SECRET"],
      message: "set SESSION_SECRET (at least 32 characters) or SESSION_SECRET_FILE",
    });
  }
  if (config.SMTP_URL && !config.SMTP_FROM) {
    ctx.addIssue({
      code: "custom",
      path: ["SMTP_FROM"],
      message: "set the sender address when SMTP_URL is set",
    });
  }
  if (config.SMTP_URL && !config.PUBLIC_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["PUBLIC_URL"],
      message: "set the app's public URL when SMTP_URL is set: reset links point there",
    });
  }
  if (config.PASSWORD_RESET_LOG_LINKS && config.NODE_ENV === "production") {
    ctx.addIssue({
      code: "custom",
      path: ["PASSWORD_RESET_LOG_LINKS"],
      message: "reset links in the log are for development only; configure SMTP_URL in production",
    });
  }
});

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((p) => `  - ${p}`)
        .join("\n")}\nSet these environment variables and start again (see .env.example).`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = withSecretSource.safeParse(env);
  if (result.success) return withDefaults(result.data);
  throw new ConfigError(problemsOf(result.error.issues, env));
}

function problemsOf(issues: readonly z.core.$ZodIssue[], env: NodeJS.ProcessEnv): string[] {
  return issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const given = env[String(issue.path[0])];
    const shown = given === undefined ? "is not set" : `is ${maskIfSecret(name, given)}`;
    return `${name} ${shown}: ${issue.message}`;
  });
}

/** The migration command's settings: the same schema, only the variables it reads. */
export function loadMigrationConfig(
  env: NodeJS.ProcessEnv = process.env,
): Pick<AppConfig, "DATABASE_URL" | "MIGRATION_LOCK_TIMEOUT_MS" | "MIGRATION_STATEMENT_TIMEOUT_MS"> {
  const result = configSchema
    .pick({ DATABASE_URL: true, MIGRATION_LOCK_TIMEOUT_MS: true, MIGRATION_STATEMENT_TIMEOUT_MS: true })
    .safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(problemsOf(result.error.issues, env));
}

function maskIfSecret(name: string, value: string): string {
  if (/SECRET|PASSWORD|TOKEN|DSN/.test(name)) return "set (hidden)";
  if (/_URL$/.test(name)) return JSON.stringify(maskUrlPassword(value));
  return JSON.stringify(value);
}

/** Hides the password of a connection URL so it can be logged. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)([^@]*)@/i, "$1***@");
}
