import pg from "pg";
import { maskUrlPassword } from "../config/config.ts";
import { DEMO_LEARNER, seed } from "./seed.ts";

// npm run db:seed [-- --demo]     (reads DATABASE_URL; --demo adds a demo learner for local stacks)

const USAGE = "usage: npm run db:seed [-- --demo]   (DATABASE_URL must be set)";

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== "--demo");
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(" ")}\n${USAGE}`);
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error(`DATABASE_URL is not set.\n${USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const result = await seed(pool, { demo: argv.includes("--demo"), scryptLogN: 17 });
    console.log(`database: ${maskUrlPassword(databaseUrl)}`);
    console.log(
      `exercise bank ${result.bankVersion}: ${result.upserted} items loaded, ${result.deactivated} retired`,
    );
    if (result.demoLearner !== "skipped") {
      console.log(`demo learner ${result.demoLearner}: ${DEMO_LEARNER.email} / ${DEMO_LEARNER.password}`);
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
