import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { SessionKeys } from "../auth/session-keys.ts";
import { ConfigError, loadConfig, maskUrlPassword } from "../config/config.ts";
import { seedLoadLearners } from "./load-learners.ts";
import { createPool } from "./pool.ts";

// npm run db:seed-load-learners -- <count> [--out FILE]
// Reads the app's environment (DATABASE_URL, SESSION_SECRET or SESSION_SECRET_FILE, SESSION_TTL_DAYS)
// and writes the learners' addresses, password and session tokens to FILE (default
// load-tests/results/learners.json, git-ignored), for `npm run load -- <profile> --learners FILE`.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DEFAULT_OUT = path.join(ROOT, "load-tests", "results", "learners.json");
const USAGE =
  "usage: npm run db:seed-load-learners -- <count 1-5000> [--out FILE]   (the app's environment: DATABASE_URL, SESSION_SECRET)";

async function main(argv: string[]): Promise<number> {
  const [countText, ...rest] = argv;
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1 || count > 5_000) {
    console.error(`count must be a whole number from 1 to 5000, got "${countText ?? ""}".\n${USAGE}`);
    return 2;
  }
  let out = DEFAULT_OUT;
  if (rest.length > 0) {
    if (rest[0] !== "--out" || rest[1] === undefined || rest.length > 2) {
      console.error(`unknown argument(s): ${rest.join(" ")}\n${USAGE}`);
      return 2;
    }
    out = path.resolve(rest[1]);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const logger = pino({ level: "warn" });
  const secret = new SessionKeys(
    { secret: config.SESSION_SECRET, previous: [], file: config.SESSION_SECRET_FILE },
    logger,
  ).current();
  const pool = createPool(
    {
      connectionString: config.DATABASE_URL,
      max: 1,
      statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
      connectionTimeoutMs: config.PG_CONNECTION_TIMEOUT_MS,
      applicationName: "db:seed-load-learners",
    },
    logger,
  );
  try {
    const learners = await seedLoadLearners(pool, {
      count,
      sessionSecret: secret,
      ttlDays: config.SESSION_TTL_DAYS,
      scryptLogN: config.SCRYPT_LOG_N,
    });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ createdAt: new Date().toISOString(), learners }, null, 2)}\n`, {
      mode: 0o600,
    });
    await chmod(out, 0o600);
    console.log(`database: ${maskUrlPassword(config.DATABASE_URL)}`);
    console.log(
      `${learners.length} load-test learners ready, each with a session (${config.SESSION_TTL_DAYS} days): ${out}`,
    );
    console.log(`next: npm run load -- <profile> --learners ${path.relative(process.cwd(), out) || out}`);
    return 0;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `seeding load-test learners failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
