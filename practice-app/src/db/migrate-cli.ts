import pg from "pg";
import { ConfigError, loadMigrationConfig, maskUrlPassword } from "../config/config.ts";
import { migrateDown, migrateUp, migrationStatus } from "./migrations.ts";

// npm run db:migrate -- status | up [N] | down [N]     (reads DATABASE_URL)

const USAGE = "usage: npm run db:migrate -- status | up [count] | down [count]   (DATABASE_URL must be set)";

async function main(argv: string[]): Promise<number> {
  const [command = "status", countText, ...extra] = argv;
  if (!process.env.DATABASE_URL) {
    console.error(`DATABASE_URL is not set.\n${USAGE}`);
    return 2;
  }
  let settings: ReturnType<typeof loadMigrationConfig>;
  try {
    settings = loadMigrationConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const databaseUrl = settings.DATABASE_URL;
  const target = {
    databaseUrl,
    lockTimeoutMs: settings.MIGRATION_LOCK_TIMEOUT_MS,
    statementTimeoutMs: settings.MIGRATION_STATEMENT_TIMEOUT_MS,
  };
  if (!["status", "up", "down"].includes(command) || extra.length > 0) {
    console.error(`unknown command "${argv.join(" ")}".\n${USAGE}`);
    return 2;
  }
  let count: number | undefined;
  if (countText !== undefined) {
    count = Number(countText);
    if (!Number.isInteger(count) || count < 1) {
      console.error(`count must be a whole number of at least 1, got "${countText}".\n${USAGE}`);
      return 2;
    }
  }
  console.log(
    `database: ${maskUrlPassword(databaseUrl)} (lock_timeout ${target.lockTimeoutMs} ms, statement_timeout ${target.statementTimeoutMs} ms)`,
  );
  const log = (message: string) => console.log(`  ${message}`);
  if (command === "up") {
    const ran = await migrateUp(target, log, count);
    console.log(
      ran.length === 0 ? "nothing to migrate: up to date" : `applied ${ran.length}: ${ran.join(", ")}`,
    );
  } else if (command === "down") {
    const ran = await migrateDown(target, log, count ?? 1);
    console.log(ran.length === 0 ? "nothing to roll back" : `rolled back ${ran.length}: ${ran.join(", ")}`);
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const status = await migrationStatus(client);
    for (const name of status.applied.filter((n) => !status.unknown.includes(n)))
      console.log(`  [x] ${name}`);
    for (const name of status.pending) console.log(`  [ ] ${name}  (pending)`);
    for (const name of status.unknown) console.log(`  [?] ${name}  (applied, not in this release)`);
    console.log(`${status.applied.length} applied, ${status.pending.length} pending`);
  } finally {
    await client.end();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
