import * as Sentry from "@sentry/node";
import type { Logger } from "pino";
import type { ErrorReporter } from "./reporter.ts";
import { scrubEvent, scrubString } from "./scrub.ts";

// The error tracker, through the official SDK (@sentry/node 11). Imported only when SENTRY_DSN is
// set (reporter.ts). Only the integrations that catch errors are installed: no HTTP or database
// instrumentation, which would record URLs, queries and headers. The SDK collects no user, cookie,
// header, body, query or local-variable data (`dataCollection`, which replaced `sendDefaultPii` in
// version 11), and `beforeSend` scrubs what an error's own message carries (scrub.ts).

export interface SentrySettings {
  dsn: string;
  environment: string;
}

export function createSentryReporter(settings: SentrySettings, logger: Logger): ErrorReporter {
  Sentry.initWithoutDefaultIntegrations({
    dsn: settings.dsn,
    environment: settings.environment,
    // No server name: host names say where the app runs, which is not the tracker's business.
    includeServerName: false,
    tracesSampleRate: 0,
    sendClientReports: false,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      stackFrameVariables: false,
      queues: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
    },
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.nodeContextIntegration({ device: false, culture: false, cloudResource: false }),
      // Reports, flushes, then exits with 1: what Node does without the SDK.
      Sentry.onUncaughtExceptionIntegration(),
      // "strict": report, then exit like Node's default (throw) mode instead of only warning.
      Sentry.onUnhandledRejectionIntegration({ mode: "strict" }),
    ],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => ({
      ...breadcrumb,
      ...(breadcrumb.message ? { message: scrubString(breadcrumb.message) } : {}),
    }),
  });
  logger.info({ environment: settings.environment }, "error tracking on: reporting to Sentry (SENTRY_DSN)");
  return {
    enabled: true,
    requestFailed(error, request) {
      try {
        Sentry.withScope((scope) => {
          scope.setTag("http.status_code", String(request.status));
          scope.setTag("request_id", request.requestId);
          if (request.procedure) scope.setTag("procedure", request.procedure);
          // Method and path only: the query string carries tRPC input (e-mail addresses, answers).
          scope.setContext("request", { method: request.method, path: request.path });
          if (error === undefined || error === null)
            Sentry.captureMessage(`HTTP ${request.status} on ${request.method} ${request.path}`, "error");
          else Sentry.captureException(error);
        });
      } catch (failure) {
        logger.warn({ err: failure }, "could not report an error to Sentry");
      }
    },
    async close(timeoutMs) {
      await Sentry.close(timeoutMs);
    },
  };
}
