import type { Logger } from "pino";
import type { AppConfig } from "../config/config.ts";

// Where failures the operator must hear about go besides the log: unhandled errors and 5xx
// responses, to an error tracker when SENTRY_DSN is set. Without it the reporter does nothing, and
// the SDK is never imported (it is large: importing it would slow every start for nothing).

/** What a request failure is reported with: never the query string, body or headers. */
export interface RequestFailure {
  requestId: string;
  method: string;
  path: string;
  status: number;
  /** The tRPC procedure, when the failure was one. */
  procedure?: string;
}

export interface ErrorReporter {
  readonly enabled: boolean;
  /** A 5xx answer: the error behind it (or a message when there is none). Never throws. */
  requestFailed(error: unknown, request: RequestFailure): void;
  /** Sends what is queued, within the time given (shutdown). */
  close(timeoutMs: number): Promise<void>;
}

export const NO_ERROR_REPORTER: ErrorReporter = {
  enabled: false,
  requestFailed: () => undefined,
  close: async () => undefined,
};

/** The configured reporter: Sentry's SDK, loaded only when SENTRY_DSN is set. */
export async function loadErrorReporter(
  config: Pick<AppConfig, "SENTRY_DSN" | "SENTRY_ENVIRONMENT" | "NODE_ENV">,
  logger: Logger,
): Promise<ErrorReporter> {
  if (!config.SENTRY_DSN) return NO_ERROR_REPORTER;
  const { createSentryReporter } = await import("./sentry.ts");
  return createSentryReporter(
    { dsn: config.SENTRY_DSN, environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV },
    logger,
  );
}
