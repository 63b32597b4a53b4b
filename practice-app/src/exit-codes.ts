// The app's exit codes, one table: main.ts exits with them and the handbook renders them
// (<ExitCodes/>), so a supervisor's restart rule and the page cannot disagree.

export const EXIT_CODES = {
  clean: { code: 0, meaning: "clean shutdown after SIGTERM or SIGINT" },
  shutdownFailed: {
    code: 1,
    meaning: "shutdown failed, or SHUTDOWN_TIMEOUT_MS passed with requests still open (forced)",
  },
  badConfig: { code: 2, meaning: "bad configuration: the message names every bad variable" },
  pendingMigrations: { code: 3, meaning: "migrations are pending: the message names them" },
  startFailed: { code: 4, meaning: "any other start-up failure (database unreachable, port in use …)" },
} as const satisfies Record<string, { code: number; meaning: string }>;

export type ExitReason = keyof typeof EXIT_CODES;
