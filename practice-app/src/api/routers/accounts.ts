import { z } from "zod";
import { WorkQueueFull } from "../../auth/bounded-work.ts";
import { hashPassword as hash, verifyPassword as verify } from "../../auth/passwords.ts";
import { hashToken, newSessionToken } from "../../auth/tokens.ts";
import type { RateLimiter } from "../../cache/rate-limits.ts";
import { withTransaction } from "../../db/pool.ts";
import { findLearnerByEmail, insertLearner } from "../../db/repositories/learners.ts";
import { insertSession, revokeLearnerSessions, revokeSession } from "../../db/repositories/sessions.ts";
import type { Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

const email = z
  .string()
  .trim()
  .max(254, "at most 254 characters")
  .pipe(z.email("not a valid email address"))
  .transform((value) => value.toLowerCase());
// OWASP: at least 8 characters, allow long passphrases, cap the length so hashing stays bounded.
const password = z.string().min(8, "at least 8 characters").max(128, "at most 128 characters");
const displayName = z
  .string()
  .trim()
  .min(1, "required")
  .max(40, "at most 40 characters")
  .regex(/^[^\p{C}<>]+$/u, "letters, digits, spaces and punctuation only");

const signUpInput = z.strictObject({ email, password, displayName });
const logInInput = z.strictObject({
  email,
  password: z.string().min(1, "required").max(128, "at most 128 characters"),
});

async function openSession(ctx: Context, learnerId: string): Promise<string> {
  const token = newSessionToken();
  await insertSession(ctx.deps.pool, {
    learnerId,
    tokenHash: hashToken(token, ctx.deps.sessionKeys.current()),
    ttlDays: ctx.deps.config.SESSION_TTL_DAYS,
    userAgent: ctx.userAgent,
  });
  return token;
}

export type Limit = readonly [RateLimiter, key: string, metricLabel: string];

/** Consumes each limit in turn; the first one exhausted refuses with 429 and Retry-After. */
export async function enforceLimits(ctx: Context, limits: readonly Limit[], what: string): Promise<void> {
  for (const [limiter, key, label] of limits) {
    const decision = await limiter.consume(key);
    if (!decision.allowed) {
      ctx.deps.metrics.rateLimited.inc({ limiter: label });
      throw new AppError(
        "RATE_LIMITED",
        `Too many ${what}. Wait ${decision.retryAfterSeconds} s before trying again.`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      );
    }
  }
}

function loginLimits(ctx: Context, account: string): Limit[] {
  const { loginPerAccount, loginPerIp } = ctx.deps.limits;
  return [
    [loginPerIp, ctx.ip, "login_per_ip"],
    [loginPerAccount, account, "login_per_account"],
  ];
}

/** Before any hashing: the hash queue bounds the work in flight, these bound sign-ups over time. */
function signUpLimits(ctx: Context): Limit[] {
  const { signUpPerIp, signUpGlobal } = ctx.deps.limits;
  return [
    [signUpPerIp, ctx.ip, "signup_per_ip"],
    [signUpGlobal, "all", "signup_global"],
  ];
}

/**
 * Consumes the limits, then runs the work; an attempt refused as BUSY (the hashing queue full) is
 * the server's doing, not the learner's, and gets its points back: after a revoke-all-sessions
 * wave, learners retrying through 503s were locked out of their accounts for the window.
 */
async function limited<T>(
  ctx: Context,
  limits: readonly Limit[],
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  await enforceLimits(ctx, limits, what);
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.code === "BUSY")
      await Promise.all(limits.map(([limiter, key]) => limiter.refund(key)));
    throw error;
  }
}

/** A full hashing queue is a busy server, not a bad request: 503 with a retry hint. */
async function whenHashingFree<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkQueueFull) {
      throw new AppError("BUSY", "Too many sign-ups and logins at once. Try again in a few seconds.", {
        retryAfterSeconds: 2,
        cause: error,
      });
    }
    throw error;
  }
}
export const hashPassword = (password: string, logN: number) => whenHashingFree(() => hash(password, logN));
export const verifyPassword = (password: string, stored: string) =>
  whenHashingFree(() => verify(password, stored));

export const accountsRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const passwordHash = await limited(ctx, signUpLimits(ctx), "sign-ups", () =>
      hashPassword(input.password, ctx.deps.config.SCRYPT_LOG_N),
    );
    const result = await withTransaction(ctx.deps.pool, async (tx) => {
      const learner = await insertLearner(tx, {
        email: input.email,
        displayName: input.displayName,
        passwordHash,
      });
      if (!learner) return null;
      const token = newSessionToken();
      await insertSession(tx, {
        learnerId: learner.id,
        tokenHash: hashToken(token, ctx.deps.sessionKeys.current()),
        ttlDays: ctx.deps.config.SESSION_TTL_DAYS,
        userAgent: ctx.userAgent,
      });
      return { learner, token };
    });
    if (!result)
      throw new AppError("EMAIL_TAKEN", "An account with this email already exists. Log in instead.");
    ctx.log.info({ learnerId: result.learner.id }, "learner signed up");
    return {
      token: result.token,
      learner: {
        id: result.learner.id,
        email: result.learner.email,
        displayName: result.learner.displayName,
      },
    };
  }),

  logIn: publicProcedure.input(logInInput).mutation(async ({ ctx, input }) => {
    const { learner, matches } = await limited(
      ctx,
      loginLimits(ctx, input.email),
      "login attempts",
      async () => {
        const learner = await findLearnerByEmail(ctx.deps.pool, input.email);
        const stored = learner?.passwordHash ?? ctx.deps.dummyPasswordHash;
        return { learner, matches: await verifyPassword(input.password, stored) };
      },
    );
    if (!learner || !matches) {
      ctx.log.info({ reason: learner ? "wrong password" : "unknown email" }, "login refused");
      throw new AppError("INVALID_CREDENTIALS", "Email or password is wrong.");
    }
    await ctx.deps.limits.loginPerAccount.reset(input.email);
    const token = await openSession(ctx, learner.id);
    return { token, learner: { id: learner.id, email: learner.email, displayName: learner.displayName } };
  }),

  logOut: authedProcedure.mutation(async ({ ctx }) => {
    const revoked = await revokeSession(ctx.deps.pool, ctx.session.sessionId);
    return { revoked };
  }),

  logOutEverywhere: authedProcedure.mutation(async ({ ctx }) => {
    const revoked = await revokeLearnerSessions(ctx.deps.pool, ctx.session.learnerId);
    ctx.log.info({ revoked }, "learner logged out everywhere");
    return { revoked };
  }),

  me: authedProcedure.query(({ ctx }) => ({
    id: ctx.session.learnerId,
    displayName: ctx.session.displayName,
  })),
});
