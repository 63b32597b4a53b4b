// Domain failures with a stable code and a human message. They are translated to tRPC errors in one
// place (the error middleware in trpc.ts), never inside a resolver.

export type AppErrorCode =
  | "EMAIL_TAKEN"
  | "INVALID_CREDENTIALS"
  | "UNAUTHENTICATED"
  | "RATE_LIMITED"
  | "EXERCISE_NOT_FOUND"
  | "NO_EXERCISES"
  | "DATABASE_UNAVAILABLE"
  | "MAINTENANCE"
  | "BUSY"
  | "NO_MATCHING_EXERCISES"
  | "VERB_NOT_FOUND"
  | "RESET_DISABLED"
  | "RESET_LINK_INVALID";

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: AppErrorCode,
    message: string,
    options: { retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const TRPC_CODE_FOR: Record<
  AppErrorCode,
  | "BAD_REQUEST"
  | "CONFLICT"
  | "UNAUTHORIZED"
  | "TOO_MANY_REQUESTS"
  | "NOT_FOUND"
  | "PRECONDITION_FAILED"
  | "SERVICE_UNAVAILABLE"
> = {
  EMAIL_TAKEN: "CONFLICT",
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  UNAUTHENTICATED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  EXERCISE_NOT_FOUND: "NOT_FOUND",
  NO_EXERCISES: "PRECONDITION_FAILED",
  DATABASE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  MAINTENANCE: "SERVICE_UNAVAILABLE",
  BUSY: "SERVICE_UNAVAILABLE",
  NO_MATCHING_EXERCISES: "NOT_FOUND",
  VERB_NOT_FOUND: "NOT_FOUND",
  RESET_DISABLED: "PRECONDITION_FAILED",
  RESET_LINK_INVALID: "BAD_REQUEST",
};

// PostgreSQL errors that mean "the database is not reachable or not answering", not "your query is wrong".
const UNAVAILABLE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "connect ECONNREFUSED",
  "Query read timeout",
  "canceling statement due to statement timeout",
  "the database system is",
  "ECONNRESET",
];

/**
 * SQLSTATEs that mean the database could not answer now, not that the query is wrong: an operator
 * ended the connection (57P01), the server is starting or stopping (57P03), a statement timed out
 * (57014), the connection failed (08006, 08001), or PostgreSQL rolled the transaction back to
 * break a deadlock or a serialization conflict (40P01, 40001; e.g. a read that met a restore's
 * exclusive locks). Nothing was saved, and the same call a moment later works: a 503, not a 500.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "57P01",
  "57P03",
  "57014",
  "08006",
  "08001",
  "40P01",
  "40001",
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.some((fragment) => error.message.includes(fragment));
}
