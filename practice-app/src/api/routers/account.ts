import { z } from "zod";
import { digestToken, newSessionToken } from "../../auth/tokens.ts";
import { withTransaction } from "../../db/pool.ts";
import {
  deleteLearner,
  exportCards,
  exportProfile,
  exportReviews,
  exportSessions,
} from "../../db/repositories/account-data.ts";
import { findLearnerByEmail, findLearnerById } from "../../db/repositories/learners.ts";
import {
  consumePasswordReset,
  expireLearnerResets,
  insertPasswordReset,
  setPassword,
} from "../../db/repositories/password-resets.ts";
import { revokeLearnerSessions } from "../../db/repositories/sessions.ts";
import type { Mailer } from "../../mail/mailer.ts";
import type { Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";
import { enforceLimits, hashPassword, verifyPassword } from "./accounts.ts";

// Accounts a learner controls: a password reset by a single-use, expiring link sent by e-mail, an
// export of their own data, and deletion. Each action is rate-limited and leaves one audit line in the
// log (`audit` field), with ids and counts, never an e-mail address, a password or a token.

const email = z
  .string()
  .trim()
  .max(254, "at most 254 characters")
  .pipe(z.email("not a valid email address"))
  .transform((value) => value.toLowerCase());
const newPassword = z.string().min(8, "at least 8 characters").max(128, "at most 128 characters");
const resetToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a reset link's code");
const currentPassword = z.string().min(1, "required").max(128, "at most 128 characters");

/** The export's format name: a consumer can tell which shape it reads. */
export const EXPORT_FORMAT = "subjunctive-practice-export/1";

function resetLink(ctx: Context, token: string): string {
  const { PUBLIC_URL, HOST, PORT } = ctx.deps.config;
  // The token goes in the fragment: browsers never send it to a server, so it stays out of access logs.
  return `${PUBLIC_URL ?? `http://${HOST}:${PORT}`}/#reset=${token}`;
}

function resetMessage(ctx: Context, link: string): string {
  const minutes = ctx.deps.config.PASSWORD_RESET_TTL_MINUTES;
  return [
    "Someone (we hope you) asked to choose a new password for your Subjuntivo practice account.",
    "",
    `Open this link within ${minutes} minutes to choose it. The link works once:`,
    link,
    "",
    "If you did not ask for it, ignore this message: your password stays as it is.",
  ].join("\n");
}

/**
 * Looks the address up and, if it has an account, stores a new link's hash and mails the link. Runs
 * after the answer has gone; failures are logged (the answer never claimed that a message was sent).
 */
async function sendResetLink(ctx: Context, mailer: Mailer, address: string): Promise<void> {
  const log = ctx.log;
  let learnerId: string | null = null;
  try {
    const learner = await findLearnerByEmail(ctx.deps.pool, address);
    learnerId = learner?.id ?? null;
    log.info({ audit: "password_reset.requested", learnerId }, "password reset requested");
    if (!learner) return;
    const token = newSessionToken();
    await insertPasswordReset(ctx.deps.pool, {
      learnerId: learner.id,
      tokenHash: digestToken(token),
      ttlMinutes: ctx.deps.config.PASSWORD_RESET_TTL_MINUTES,
    });
    await mailer.send({
      to: learner.email,
      subject: "Choose a new password",
      text: resetMessage(ctx, resetLink(ctx, token)),
    });
    log.info({ audit: "password_reset.sent", learnerId }, "password-reset e-mail sent");
  } catch (error) {
    log.error(
      { audit: "password_reset.send_failed", learnerId, err: error },
      "password-reset e-mail could not be sent",
    );
  }
}

export const accountRouter = router({
  /**
   * Sends a reset link if the address has an account. The answer is the same either way, and it goes
   * before the address is even looked up, so neither its text nor its timing says whether it is known.
   */
  requestPasswordReset: publicProcedure.input(z.strictObject({ email })).mutation(async ({ ctx, input }) => {
    const { mailer, limits, config } = ctx.deps;
    if (!mailer) {
      throw new AppError(
        "RESET_DISABLED",
        "Password reset by e-mail is not set up on this server. Ask the people who run it to reset your password.",
      );
    }
    await enforceLimits(
      ctx,
      [
        [limits.resetPerIp, ctx.ip, "reset_per_ip"],
        [limits.resetPerAccount, input.email, "reset_per_account"],
      ],
      "password-reset requests",
    );
    // Everything that depends on whether the address has an account happens after the answer.
    void ctx.deps.work.track(sendResetLink(ctx, mailer, input.email));
    return {
      message: `If an account uses this address, a link to choose a new password is on its way. It works once, within ${config.PASSWORD_RESET_TTL_MINUTES} minutes.`,
    };
  }),

  /** Sets a new password with a link's code; the code then stops working, and every session ends. */
  resetPassword: publicProcedure
    .input(z.strictObject({ token: resetToken, password: newPassword }))
    .mutation(async ({ ctx, input }) => {
      await enforceLimits(
        ctx,
        [[ctx.deps.limits.resetPerIp, ctx.ip, "reset_per_ip"]],
        "password-reset attempts",
      );
      // Hash before using the link, so a busy server does not burn it.
      const passwordHash = await hashPassword(input.password, ctx.deps.config.SCRYPT_LOG_N);
      const done = await withTransaction(ctx.deps.pool, async (tx) => {
        const learnerId = await consumePasswordReset(tx, digestToken(input.token));
        if (!learnerId) return null;
        await setPassword(tx, learnerId, passwordHash);
        await expireLearnerResets(tx, learnerId);
        const revoked = await revokeLearnerSessions(tx, learnerId);
        return { learnerId, revoked };
      });
      if (!done) {
        ctx.log.info(
          { audit: "password_reset.refused" },
          "password reset refused: link unknown, used or expired",
        );
        throw new AppError(
          "RESET_LINK_INVALID",
          "This link does not work any more: it was used, it expired, or it was copied incompletely. Ask for a new one.",
        );
      }
      ctx.log.info(
        { audit: "password_reset.completed", learnerId: done.learnerId, sessionsRevoked: done.revoked },
        "password reset: new password set, sessions ended",
      );
      return { reset: true as const, sessionsEnded: done.revoked };
    }),

  /** Everything the app holds about the learner, as JSON: profile (no password hash), cards, reviews, sessions, score. */
  exportData: authedProcedure.query(async ({ ctx }) => {
    const learnerId = ctx.session.learnerId;
    await enforceLimits(
      ctx,
      [[ctx.deps.limits.accountDataPerLearner, learnerId, "account_data"]],
      "exports and deletion attempts",
    );
    const pool = ctx.deps.pool;
    const [profile, cards, reviews, sessions, standing] = await Promise.all([
      exportProfile(pool, learnerId),
      exportCards(pool, learnerId),
      exportReviews(pool, learnerId),
      exportSessions(pool, learnerId),
      ctx.deps.leaderboard.standing(learnerId, 1),
    ]);
    if (!profile) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
    ctx.log.info(
      { audit: "account.exported", learnerId, cards: cards.length, reviews: reviews.length },
      "learner exported their data",
    );
    return {
      format: EXPORT_FORMAT,
      exportedAt: new Date().toISOString(),
      profile,
      scores: {
        score: profile.score,
        currentStreak: profile.currentStreak,
        longestStreak: profile.longestStreak,
        leaderboardRank: standing.me?.rank ?? null,
      },
      cards,
      reviews,
      sessions,
    };
  }),

  /** Deletes the account and everything of it, after checking the password again. */
  deleteAccount: authedProcedure
    .input(z.strictObject({ password: currentPassword }))
    .mutation(async ({ ctx, input }) => {
      const learnerId = ctx.session.learnerId;
      const { limits, pool } = ctx.deps;
      await enforceLimits(
        ctx,
        [[limits.accountDataPerLearner, learnerId, "account_data"]],
        "exports and deletion attempts",
      );
      const learner = await findLearnerById(pool, learnerId);
      if (!learner) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
      if (!(await verifyPassword(input.password, learner.passwordHash))) {
        ctx.log.info(
          { audit: "account.delete_refused", learnerId },
          "account deletion refused: wrong password",
        );
        throw new AppError("INVALID_CREDENTIALS", "That is not your password. Nothing was deleted.");
      }
      const deleted = await withTransaction(pool, (tx) => deleteLearner(tx, learnerId));
      if (!deleted) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
      // Redis must not keep the learner: the leaderboard entry and the rate-limit counters keyed by
      // their id or e-mail address go now rather than when their windows end.
      await Promise.all([
        ctx.deps.leaderboard.remove(learnerId),
        limits.loginPerAccount.reset(learner.email),
        limits.resetPerAccount.reset(learner.email),
        limits.apiPerLearner.reset(learnerId),
        limits.accountDataPerLearner.reset(learnerId),
      ]);
      ctx.log.info({ audit: "account.deleted", learnerId, ...deleted }, "learner deleted their account");
      return { deleted: true as const, ...deleted };
    }),
});
