/**
 * Revoke all sessions
 *
 * Purpose: log everyone out (or one learner: email=) by revoking their sessions in PostgreSQL, then
 *   prove it: no session opened before the revocation is still active, and a token the runbook
 *   held from before the revocation now gets 401 from the app while a fresh log-in works.
 * Sent here by: a security incident ("Revoke sessions" in the breach actions of Incident Response,
 *   "Security incidents"): leaked tokens, a compromised account, a session-handling bug; for one
 *   learner: "someone else is using my account".
 * Preconditions: the environment's DATABASE_URL; its app URL for the proof over HTTP (when the app
 *   is in maintenance or down the revocation still happens and is proven in the database only).
 *   The HTTP proof needs a session: a test account (checkEmail/checkPassword), or, when revoking
 *   everyone, a throwaway account the runbook signs up and removes again.
 * Blast radius: every learner (or the one learner) must log in again; no progress is lost, it lives
 *   with the account. Revocation takes effect on each session's next request, on every instance.
 *   Log-ins after the revocation are new sessions and stay valid: if passwords leaked, this is not
 *   enough (reset them too).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  CHECK_ACCOUNT_TOGETHER,
  type CheckSession,
  checkAccountParams,
  closeCheckSession,
  isMasked,
  logIn,
  openCheckSession,
  sessionStatus,
} from "../lib/incidents.ts";

interface Scope {
  learnerId: string | null;
  email: string | null;
  active: number;
}

interface Revoked {
  revoked: number;
  /** When the revocation happened, ISO (UTC), for people. */
  at: string;
  /** The same instant as PostgreSQL text, to the microsecond, for the queries that compare with it. */
  atExact: string;
}

// Active: the app accepts it (see the app's session lookup): not revoked and not expired.
const ACTIVE = "revoked_at IS NULL AND expires_at > now()";

export default defineRunbook({
  id: "revoke-all-sessions",
  title: "Revoke all sessions",
  summary:
    "Revokes every active session (or one learner's), then proves it: none left, an old token gets 401, a new log-in works.",
  guide: "incident-response",
  section: "Security incidents",
  params: z
    .object({
      email: z
        .email()
        .transform((v) => v.toLowerCase())
        .optional()
        .describe("Revoke only this learner's sessions; every learner's when not given"),
      ...checkAccountParams(
        "A test account to prove the revocation over HTTP; without it (revoking everyone) a throwaway account is signed up and removed",
      ),
    })
    .refine(...CHECK_ACCOUNT_TOGETHER),
  steps: (step) => [
    step({
      id: "count-active",
      title: "Count active sessions",
      description: "Active sessions in total and the five learners with the most (or the one learner's).",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Scope> {
        let learnerId: string | null = null;
        if (ctx.params.email) {
          const [learner] = await ctx.sql<{ id: string }>(
            "SELECT id::text AS id FROM learners WHERE email = $1",
            [ctx.params.email],
          );
          if (!learner)
            throw new Error(
              `no learner with email ${ctx.params.email}: check the address (emails are stored lower-case)`,
            );
          learnerId = learner.id;
        }
        const [total] = await ctx.sql<{ sessions: number; learners: number }>(
          `SELECT count(*)::int AS sessions, count(DISTINCT learner_id)::int AS learners FROM sessions
           WHERE ${ACTIVE} AND ($1::bigint IS NULL OR learner_id = $1::bigint)`,
          [learnerId],
        );
        const active = total?.sessions ?? 0;
        ctx.log(
          ctx.params.email
            ? `active sessions of ${ctx.params.email}: ${active}`
            : `active sessions: ${active}, of ${total?.learners ?? 0} learners`,
        );
        if (!ctx.params.email) {
          const top = await ctx.sql<{ email: string; sessions: number; newest: Date }>(
            `SELECT l.email, count(*)::int AS sessions, max(s.created_at) AS newest
             FROM sessions s JOIN learners l ON l.id = s.learner_id
             WHERE s.revoked_at IS NULL AND s.expires_at > now()
             GROUP BY l.email ORDER BY sessions DESC, l.email LIMIT 5`,
          );
          if (top.length > 0) ctx.log("learners with the most active sessions:");
          for (const t of top)
            ctx.log(`  ${t.email}: ${t.sessions} session(s), newest opened ${t.newest.toISOString()}`);
        }
        return { learnerId, email: ctx.params.email ?? null, active };
      },
    }),
    step({
      id: "open-check-session",
      title: "Open a session to check the revocation with",
      description:
        "Logs in as checkEmail, or signs up a throwaway @example.invalid account; its token must get 401 afterwards.",
      danger: "change",
      timeoutMs: seconds(30),
      plan(ctx) {
        if (ctx.params.email && ctx.params.checkEmail !== ctx.params.email)
          return ["would open no check session: revoking one learner, proven in the database only"];
        return [
          ctx.params.checkEmail
            ? `would log in as ${ctx.params.checkEmail} to hold a session from before the revocation`
            : "would sign up a throwaway account revoke-check-<ms>@example.invalid (removed at the end)",
        ];
      },
      async run(ctx): Promise<CheckSession> {
        const { email, checkEmail, checkPassword } = ctx.params;
        if (email && checkEmail !== email) {
          // Another learner's session would not be revoked, so it proves nothing here.
          ctx.log(`revoking only ${email}: no session of theirs is known here; the proof is in the database`);
          return { available: false, reason: "revoking one learner without their credentials" };
        }
        const check = await openCheckSession(
          ctx,
          { email: checkEmail, password: checkPassword },
          "revoke-check",
          () => randomBytes(24).toString("base64url"),
        );
        if (!check.available)
          ctx.warn(
            `no check session (${check.reason}): the revocation goes ahead and is proven in the database only`,
          );
        return check;
      },
    }),
    step({
      id: "revoke",
      title: "Revoke the sessions",
      description:
        "Sets revoked_at on every active session (or the learner's); the app refuses them on their next call.",
      danger: "destructive",
      timeoutMs: minutes(2),
      async plan(ctx) {
        const scope = ctx.result<Scope>("count-active");
        return [
          `would revoke ${scope.active} active session(s)${scope.email ? ` of ${scope.email}` : " of every learner"} (UPDATE sessions SET revoked_at = now())`,
          "every affected learner has to log in again; progress is kept",
        ];
      },
      async run(ctx): Promise<Revoked> {
        const scope = ctx.result<Scope>("count-active");
        const [first] = await ctx.sql<{ revoked: number; at: Date; exact: string }>(
          `WITH r AS (UPDATE sessions SET revoked_at = now()
                      WHERE ${ACTIVE} AND ($1::bigint IS NULL OR learner_id = $1::bigint) RETURNING 1)
           SELECT count(*)::int AS revoked, now() AS at, now()::text AS exact FROM r`,
          [scope.learnerId],
        );
        if (!first)
          throw new Error("the revocation returned no row: PostgreSQL answered oddly; run this step again");
        const at = first.at.toISOString();
        // A log-in whose transaction began before ours but committed after it was invisible to the
        // UPDATE: catch those stragglers (opened before the revocation time) in a second pass.
        const [second] = await ctx.sql<{ revoked: number }>(
          `WITH r AS (UPDATE sessions SET revoked_at = now()
                      WHERE ${ACTIVE} AND created_at <= $2::timestamptz AND ($1::bigint IS NULL OR learner_id = $1::bigint)
                      RETURNING 1)
           SELECT count(*)::int AS revoked FROM r`,
          [scope.learnerId, first.exact],
        );
        const revoked = first.revoked + (second?.revoked ?? 0);
        ctx.log(
          `revoked ${revoked} session(s) at ${at}${second?.revoked ? ` (${second.revoked} in a second pass)` : ""}`,
        );
        return { revoked, at, atExact: first.exact };
      },
    }),
    step({
      id: "verify",
      title: "Verify: none left, old token refused, new log-in works",
      description:
        "Counts sessions opened before the revocation that are still active (must be 0), then asks the app about the check session.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const scope = ctx.result<Scope>("count-active");
        const { at, atExact } = ctx.result<Revoked>("revoke");
        const check = ctx.result<CheckSession>("open-check-session");
        const [left] = await ctx.sql<{ n: number; newer: number }>(
          `SELECT count(*) FILTER (WHERE created_at <= $2::timestamptz)::int AS n,
                  count(*) FILTER (WHERE created_at > $2::timestamptz)::int AS newer
           FROM sessions WHERE ${ACTIVE} AND ($1::bigint IS NULL OR learner_id = $1::bigint)`,
          [scope.learnerId, atExact],
        );
        const remaining = left?.n ?? 0;
        if (remaining > 0)
          throw new Error(
            `${remaining} session(s) opened before the revocation (${at}) are still active: run the revoke step again (--from revoke) and look for a process re-activating sessions`,
          );
        ctx.log(`active sessions opened before ${at}: 0`);
        ctx.log(`sessions opened since (new log-ins, valid): ${left?.newer ?? 0}`);

        if (!check.available || isMasked(check.token) || isMasked(check.password) || !check.email) {
          ctx.warn(
            `not checked over HTTP (${check.reason ?? "the check session's secrets are not in this process (resumed run)"}): the database shows none left`,
          );
          return { remaining, oldToken: null, newLogIn: null };
        }
        const old = await sessionStatus(ctx, check.token as string);
        if (old.status === 200)
          throw new Error(
            "the app still accepts a session revoked in the database: does the app use this database? (check DATABASE_URL of the app and of this environment)",
          );
        if (old.status === 503) {
          // Maintenance or database trouble: the app refuses everything; the database proof stands.
          ctx.warn(`the app answered 503 (${old.message}): the old token could not be checked over HTTP`);
          return { remaining, oldToken: 503, newLogIn: null };
        }
        if (old.status !== 401)
          throw new Error(
            `the old token got ${old.status} ${old.code} from accounts.me, expected 401: ${old.message}`,
          );
        ctx.log(`the check session opened before the revocation → accounts.me ${old.status} ${old.code}`);
        const token = await logIn(ctx, check.email, check.password as string);
        const fresh = await sessionStatus(ctx, token);
        if (fresh.status !== 200)
          throw new Error(
            `a new log-in worked but its session got ${fresh.status} from accounts.me: ${fresh.message}`,
          );
        ctx.log(`a new log-in as ${check.email} → accounts.me 200: learners can log in again`);
        return { remaining, oldToken: old.status, newLogIn: fresh.status, newToken: token };
      },
    }),
    step({
      id: "remove-check-account",
      title: "Remove the check account",
      description:
        "Deletes the throwaway account (with its sessions), or logs the test account out of this run's new session.",
      danger: "change",
      timeoutMs: seconds(30),
      plan: () => ["would delete the throwaway @example.invalid account, or log the test account out"],
      async run(ctx) {
        const check = ctx.result<CheckSession>("open-check-session");
        const verified = ctx.result<{ newToken?: string }>("verify");
        return closeCheckSession(ctx, check, verified.newToken ? [verified.newToken] : []);
      },
    }),
  ],
});
