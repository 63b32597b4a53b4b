import { createApp, createLogger } from "./app.ts";
import { ConfigError, loadConfig } from "./config/config.ts";
import { PendingMigrationsError } from "./db/migrations.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import { installAbortSignalAnyWorkaround } from "./http/abort-signal-any.ts";

// Entry point: `npm run app` (or `node practice-app/src/main.ts`). Exit codes: exit-codes.ts.

installAbortSignalAnyWorkaround();

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CODES.badConfig.code);
  }
  throw error;
}

const logger = createLogger(config);
let app: Awaited<ReturnType<typeof createApp>>;
try {
  app = await createApp(config, logger);
  await app.listen();
} catch (error) {
  // Start-up failures go to stderr as plain text too: they must be seen whatever LOG_LEVEL says.
  if (error instanceof PendingMigrationsError) {
    logger.fatal({ pending: error.status.pending }, error.message);
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CODES.pendingMigrations.code);
  }
  logger.fatal({ err: error }, "the app could not start");
  process.stderr.write(
    `the app could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(EXIT_CODES.startFailed.code);
}

function shutdown(signal: string): void {
  const force = setTimeout(() => {
    logger.error(
      { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
      "shutdown took too long; exiting with requests still open",
    );
    process.exit(EXIT_CODES.shutdownFailed.code);
  }, config.SHUTDOWN_TIMEOUT_MS);
  force.unref();
  app.stop(signal).then(
    () => process.exit(EXIT_CODES.clean.code),
    (error: unknown) => {
      logger.error({ err: error }, "shutdown failed");
      process.exit(EXIT_CODES.shutdownFailed.code);
    },
  );
}

// A second signal (Ctrl-C reaches the whole process group, and npm start forwards it too) must not
// cut the graceful shutdown short: the force timer already bounds it.
let signalled = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signalled) {
      logger.info({ signal }, "already shutting down");
      return;
    }
    signalled = true;
    shutdown(signal);
  });
}
