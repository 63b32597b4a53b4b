import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { hashToken } from "../auth/tokens.ts";
import { isPgError } from "../db/pool.ts";
import { findActiveSession, rekeySession } from "../db/repositories/sessions.ts";
import type { Context } from "./context.ts";
import { AppError, type AppErrorCode, isDatabaseUnavailable, TRPC_CODE_FOR } from "./errors.ts";

/** What a 500 says: the cause stays in the log (with this request id), never in the response. */
function internalErrorMessage(requestId: string | undefined): string {
  return `Something went wrong on our side. It is logged${requestId ? ` with request id ${requestId}` : ""}; try again, and quote the id if it keeps happening.`;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const issues =
      error.cause instanceof ZodError
        ? error.cause.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }))
        : undefined;
    return {
      ...shape,
      // A readable message instead of zod's JSON dump: "Invalid input: email: Invalid email address".
      message: issues
        ? `Invalid input: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`
        : error.code === "INTERNAL_SERVER_ERROR"
          ? internalErrorMessage(ctx?.requestId)
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(issues ? { issues } : {}),
        ...(error.cause instanceof AppError ? { appCode: error.cause.code } : {}),
        ...(error.cause instanceof AppError && error.cause.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: error.cause.retryAfterSeconds }
          : {}),
      },
    };
  },
});

/** Refusals the app makes on purpose: labelled with their app code in the metrics, logged apart. */
const DELIBERATE_REFUSALS: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>(["MAINTENANCE", "BUSY"]);

/** The log line of each deliberate refusal (the monitoring page lists them). */
export const REFUSAL_LOG_MESSAGES = {
  MAINTENANCE: "procedure refused: maintenance mode",
  BUSY: "procedure refused: password hashing queue full",
} as const satisfies Partial<Record<AppErrorCode, string>>;

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Times every call, and translates domain and infrastructure errors to tRPC errors in one place. */
const edge = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await ctx.deps.work.track(next());
  const seconds = (performance.now() - started) / 1000;
  const metrics = ctx.deps.metrics;
  if (result.ok) {
    metrics.requestDuration.observe({ procedure: path, type, status: "ok" }, seconds);
    return result;
  }
  const translated = translate(result.error);
  // Deliberate refusals (maintenance mode, a full password-hashing queue) are labelled with their
  // own code so that no alert counts them as server errors (policy/alert-rules.ts).
  const refusal =
    translated.cause instanceof AppError && DELIBERATE_REFUSALS.has(translated.cause.code)
      ? translated.cause.code
      : null;
  const label = refusal ?? translated.code;
  metrics.requestDuration.observe({ procedure: path, type, status: label }, seconds);
  metrics.errors.inc({ procedure: path, code: label });
  if (refusal === "MAINTENANCE") {
    ctx.log.info({ procedure: path }, REFUSAL_LOG_MESSAGES.MAINTENANCE);
  } else if (refusal === "BUSY") {
    ctx.log.warn({ procedure: path }, REFUSAL_LOG_MESSAGES.BUSY);
  } else if (translated.code === "BAD_REQUEST" && isPgError(translated.cause)) {
    ctx.log.info({ err: translated.cause, procedure: path }, "input refused by the database");
  } else if (translated.code === "INTERNAL_SERVER_ERROR") {
    ctx.log.error({ err: result.error.cause ?? result.error, procedure: path }, "procedure failed");
    reportFailure(ctx, path, type, 500, result.error.cause ?? result.error);
  } else if (translated.code === "SERVICE_UNAVAILABLE") {
    ctx.log.warn(
      { err: result.error.cause ?? result.error, procedure: path },
      "procedure failed: database unavailable",
    );
    reportFailure(ctx, path, type, 503, result.error.cause ?? result.error);
  }
  return { ...result, error: translated };
});

/** A 5xx the app did not choose (deliberate refusals are not failures) goes to the error tracker. */
function reportFailure(ctx: Context, procedure: string, type: string, status: number, error: unknown): void {
  ctx.deps.errors.requestFailed(error, {
    requestId: ctx.requestId,
    method: type === "query" ? "GET" : "POST",
    path: `/trpc/${procedure}`,
    status,
    procedure,
  });
}

function translate(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof AppError) {
    return new TRPCError({ code: TRPC_CODE_FOR[cause.code], message: cause.message, cause });
  }
  if (error.code === "INTERNAL_SERVER_ERROR" && isPgError(cause) && cause.code.startsWith("22")) {
    // Class 22, data exception: the input reached PostgreSQL but cannot be stored (a value out of
    // range, an invalid byte sequence). The client's fault; PostgreSQL's text stays in the log.
    return new TRPCError({
      code: "BAD_REQUEST",
      message:
        "The input contains a value the server cannot store (for example a control character). Nothing was saved.",
      cause,
    });
  }
  if (error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(cause)) {
    return new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is not answering. Try again shortly; your earlier answers are saved.",
      cause: new AppError("DATABASE_UNAVAILABLE", "database unavailable", { cause }),
    });
  }
  return error;
}

/** While an operator has switched maintenance on, every call but the health ping gets a 503. */
const maintenanceGate = t.middleware(async ({ ctx, path, next }) => {
  if (path !== "system.ping") {
    const maintenance = await ctx.deps.maintenance.current();
    if (maintenance.enabled) {
      throw new AppError(
        "MAINTENANCE",
        `The practice app is down for maintenance${maintenance.message ? `: ${maintenance.message}` : ""}. Your progress is saved; try again soon.`,
        { retryAfterSeconds: 60 },
      );
    }
  }
  return next();
});

export const publicProcedure = t.procedure.use(edge).use(maintenanceGate);

/** Resolves the Bearer token to a live session; revocation takes effect on the next request. */
const authenticated = t.middleware(async ({ ctx, next }) => {
  if (!ctx.token) {
    throw new AppError(
      "UNAUTHENTICATED",
      "Log in first: send your session token as 'Authorization: Bearer <token>'.",
    );
  }
  const { sessionKeys, pool } = ctx.deps;
  const current = sessionKeys.current();
  let session = await findActiveSession(pool, hashToken(ctx.token, current));
  if (!session) {
    // After a secret rotation, sessions hashed under a previous secret still work and are re-keyed.
    for (const previous of sessionKeys.previous()) {
      session = await findActiveSession(pool, hashToken(ctx.token, previous));
      if (session) {
        await rekeySession(pool, session.sessionId, hashToken(ctx.token, current));
        break;
      }
    }
  }
  if (!session) {
    throw new AppError(
      "UNAUTHENTICATED",
      "Your session has ended (logged out, revoked or expired). Log in again.",
    );
  }
  return next({ ctx: { ...ctx, session, log: ctx.log.child({ learnerId: session.learnerId }) } });
});

/** Authenticated calls, each counted against the learner's API allowance. */
export const authedProcedure = publicProcedure.use(authenticated).use(async ({ ctx, next }) => {
  const decision = await ctx.deps.limits.apiPerLearner.consume(ctx.session.learnerId);
  if (!decision.allowed) {
    ctx.deps.metrics.rateLimited.inc({ limiter: "api_per_learner" });
    throw new AppError("RATE_LIMITED", `Too many requests. Try again in ${decision.retryAfterSeconds} s.`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  return next();
});
