/**
 * Rotate the session secret
 *
 * Purpose: replace the secret session tokens are hashed with (HMAC-SHA256) in the app's secret
 *   FILE, without a restart: every instance re-reads the file within about a second. By default
 *   the old secret stays as the one previous secret, so sessions survive and are re-keyed on their
 *   next call; logoutEveryone=true drops it, which ends every session at once. Then it proves what
 *   happened: a new log-in is hashed with the new secret, and an existing session still works (or,
 *   with logoutEveryone, gets 401).
 * Sent here by: the monthly calendar (Maintenance Guide, "Rotate the session secret"), or a security
 *   incident: "Rotate secrets" in the breach actions (Incident Response, "Security incidents"),
 *   with logoutEveryone=true when the secret itself may have leaked.
 * Preconditions: the instances read SESSION_SECRET_FILE and this machine can write that file (dev:
 *   <data dir>/session-secret, which npm start uses). Staging and production keep the secret in
 *   the platform's secret store: there this runbook prints the manual procedure unless secretFile
 *   names a shared file the instances read. The app URL, for the proof over HTTP.
 * Blast radius: default: none for learners (secrets older than the one kept are dropped, so a
 *   session not used since the rotation before last must log in again). logoutEveryone=true: every
 *   learner must log in again; no progress is lost. Secrets are never printed.
 *
 * Danger: the write step is "change" in both modes. Neither mode loses data (progress lives with the
 * account; a logged-out learner logs in again), and the runbook's steps have one danger each, so
 * "destructive" would make the monthly, harmless rotation ask for confirmation every time. Choosing
 * logoutEveryone=true is the operator's explicit decision; --plan shows "ends every session" first.
 *
 * The proof uses a session of its own: checkEmail/checkPassword of a test account if given,
 * otherwise a throwaway account rotation-check-<ms>@example.invalid signed up before the rotation
 * (so its session is hashed with the old secret) and deleted at the end. A throwaway works in
 * every environment without preparation; a test account avoids creating one where that matters.
 */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { localDataDir } from "../engine/paths.ts";
import {
  CHECK_ACCOUNT_TOGETHER,
  type CheckSession,
  checkAccountParams,
  closeCheckSession,
  isMasked,
  logIn,
  openCheckSession,
  sessionStatus,
  sleep,
} from "../lib/incidents.ts";

/** The app refuses shorter secrets (and then keeps the ones it had). */
const MIN_SECRET_LENGTH = 32;

interface SecretFile {
  file: string;
  previousCount: number;
  mode: number;
}

interface Written {
  file: string;
  rotatedAt: string;
  kept: number;
  dropped: number;
}

/** The file as the app reads it: lines trimmed, blank and # lines ignored; first = current. */
function parseSecrets(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

const hmac = (token: string, secret: string) => createHmac("sha256", secret).update(token).digest();

const MANUAL_PROCEDURE = [
  "In staging and production the session secret lives in the platform's secret store. By hand:",
  "  1. generate: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"",
  "  2. set SESSION_SECRET_PREVIOUS to the current SESSION_SECRET (only that one: older ones are dropped),",
  "     or leave it empty to log everyone out (leaked secret)",
  "  3. set SESSION_SECRET to the new value",
  "  4. restart the instances one at a time, each must be ready (/readyz 200) before the next",
  "  5. check: an existing session still gets 200 from accounts.me (unless everyone was logged out), a new log-in works",
  "If the instances read a shared SESSION_SECRET_FILE instead, run this again with secretFile=<that path>.",
];

export default defineRunbook({
  id: "rotate-session-secret",
  title: "Rotate the session secret",
  summary:
    "Writes a new session secret to the app's secret file (keeping the old one unless logoutEveryone), waits for the app to reload it, and proves sessions behave as intended.",
  guide: "incident-response",
  section: "Security incidents",
  params: z
    .object({
      secretFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          "The file the app's SESSION_SECRET_FILE names; dev default <data dir>/session-secret, required elsewhere",
        ),
      logoutEveryone: z
        .boolean()
        .default(false)
        .describe("Drop the old secret too: every session ends now (use when the secret may have leaked)"),
      waitSeconds: z
        .number()
        .min(1.5)
        .max(60)
        .default(2)
        .describe("How long to wait for every instance to re-read the file (it checks every second)"),
      ...checkAccountParams(
        "A test account for the proof; without it a throwaway @example.invalid account is used",
      ),
    })
    .refine(...CHECK_ACCOUNT_TOGETHER),
  steps: (step) => [
    step({
      id: "check-file",
      title: "Find and check the secret file",
      description:
        "Resolves the secret file (dev default, else secretFile), and checks it the way the app does.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx): Promise<SecretFile> {
        let file = ctx.params.secretFile;
        if (!file) {
          if (ctx.env.name !== "dev") {
            for (const line of MANUAL_PROCEDURE) ctx.log(line);
            throw new Error(
              `${ctx.env.name} keeps the session secret in the platform's secret store, not in a file here: follow the procedure above, or pass secretFile=<path> if the instances read a shared file`,
            );
          }
          file = path.join(localDataDir(), "session-secret");
        }
        file = path.resolve(file);
        if (!existsSync(file)) {
          throw new Error(
            `${file} does not exist: pass secretFile=<the file the app's SESSION_SECRET_FILE names> (npm start creates <data dir>/session-secret on its first start; an app started with SESSION_SECRET reads no file and cannot be rotated this way)`,
          );
        }
        const info = await stat(file);
        const secrets = parseSecrets(await readFile(file, "utf8"));
        for (const s of secrets) ctx.secret(s);
        const short = secrets.findIndex((s) => s.length < MIN_SECRET_LENGTH);
        if (secrets.length === 0 || short >= 0) {
          throw new Error(
            `${file} is not a valid secret file (${secrets.length === 0 ? "no secret in it" : `secret ${short + 1} is shorter than ${MIN_SECRET_LENGTH} characters`}): the app ignored it and kept the secrets it loaded before; repair the file by hand first`,
          );
        }
        ctx.log(
          `${file}: current secret (${secrets[0]?.length} characters) and ${secrets.length - 1} previous; last changed ${info.mtime.toISOString()}`,
        );
        if ((info.mode & 0o077) !== 0)
          ctx.warn(
            `${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}): the new file is written 600`,
          );
        return { file, previousCount: secrets.length - 1, mode: info.mode & 0o777 };
      },
    }),
    step({
      id: "open-check-session",
      title: "Open a session under the old secret",
      description:
        "Logs in as checkEmail, or signs up a throwaway @example.invalid account, before the rotation: the session to prove with.",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => [
        ctx.params.checkEmail
          ? `would log in as ${ctx.params.checkEmail}`
          : "would sign up a throwaway account rotation-check-<ms>@example.invalid (removed at the end)",
      ],
      async run(ctx): Promise<CheckSession> {
        const check = await openCheckSession(
          ctx,
          { email: ctx.params.checkEmail, password: ctx.params.checkPassword },
          "rotation-check",
          () => randomBytes(24).toString("base64url"),
        );
        if (!check.available) {
          // Rotating blind would risk logging everyone out without anyone noticing: stop before writing.
          throw new Error(
            `cannot prove the rotation (${check.reason}); nothing was changed: rotate when the app answers (after maintenance), or by hand`,
          );
        }
        return check;
      },
    }),
    step({
      id: "write-secret",
      title: "Write the new secret",
      description:
        "Writes new (+ the old one unless logoutEveryone) to a temp file and renames it over the secret file.",
      danger: "change",
      timeoutMs: seconds(10),
      plan(ctx) {
        const { file, previousCount } = ctx.result<SecretFile>("check-file");
        return ctx.params.logoutEveryone
          ? [
              `would write a new secret alone to ${file}: ENDS EVERY SESSION, every learner logs in again`,
              `the current secret and ${previousCount} previous would be dropped`,
            ]
          : [
              `would write a new secret to ${file}, keeping the current one as the only previous (sessions survive)`,
              ...(previousCount > 0
                ? [
                    `${previousCount} older secret(s) dropped: sessions unused since the rotation before last log in again`,
                  ]
                : []),
            ];
      },
      async run(ctx): Promise<Written> {
        const { file } = ctx.result<SecretFile>("check-file");
        // Re-read now: the file may have changed since the check (another rotation).
        const secrets = parseSecrets(await readFile(file, "utf8"));
        for (const s of secrets) ctx.secret(s);
        const current = secrets[0];
        if (!current) throw new Error(`${file} became empty since the check: repair it by hand`);
        const next = randomBytes(48).toString("base64url");
        ctx.secret(next);
        const lines = ctx.params.logoutEveryone ? [next] : [next, current];
        // Same directory, so the rename is atomic: the app never reads a half-written file.
        const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
        try {
          await writeFile(temp, `${lines.join("\n")}\n`, { mode: 0o600 });
          await chmod(temp, 0o600);
          await rename(temp, file);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
        const rotatedAt = new Date().toISOString();
        // Every old secret but the one kept as previous (all of them with logoutEveryone).
        const dropped = secrets.length - (lines.length - 1);
        ctx.log(
          ctx.params.logoutEveryone
            ? `wrote a new secret alone to ${file} at ${rotatedAt}: ${dropped} old secret(s) dropped, every session ends`
            : `wrote a new secret to ${file} at ${rotatedAt}, the old one kept as previous${dropped > 0 ? `; ${dropped} older one(s) dropped` : ""}`,
        );
        return { file, rotatedAt, kept: lines.length - 1, dropped };
      },
    }),
    step({
      id: "verify",
      title: "Verify: new log-in uses the new secret, old session as intended",
      description:
        "Waits for the reload, logs in (its token hash must match the new secret), and asks the app about the old session.",
      danger: "read",
      timeoutMs: seconds(90),
      async run(ctx) {
        const { file } = ctx.result<Written>("write-secret");
        const check = ctx.result<CheckSession>("open-check-session");
        ctx.log(`waiting ${ctx.params.waitSeconds} s for the instances to re-read the file`);
        await sleep(ctx.params.waitSeconds * 1000, ctx.signal);
        const [current] = parseSecrets(await readFile(file, "utf8"));
        if (!current) throw new Error(`${file} is empty now: repair it by hand (something else wrote it)`);
        ctx.secret(current);
        if (isMasked(check.token) || isMasked(check.password) || !check.email)
          throw new Error(
            "the check session's secrets are not in this process (a resumed run): check by hand, log in and call accounts.me",
          );

        // 1. A new log-in: the app must hash it with the new secret (the hash is in sessions).
        const fresh = await logIn(ctx, check.email, check.password as string);
        const [row] = await ctx.sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1",
          [hmac(fresh, current)],
        );
        if ((row?.n ?? 0) === 0)
          throw new Error(
            `the app hashed a new session with another secret than the first line of ${file}: it does not read this file (started with SESSION_SECRET, or SESSION_SECRET_FILE points elsewhere). Sessions still work (the app kept its secret); rotate where the app reads its secret`,
          );
        const freshMe = await sessionStatus(ctx, fresh);
        if (freshMe.status !== 200)
          throw new Error(`a new session got ${freshMe.status} from accounts.me: ${freshMe.message}`);
        ctx.log("a new log-in → accounts.me 200, and its hash in sessions matches the new secret");

        // 2. The session opened before the rotation.
        const old = await sessionStatus(ctx, check.token as string);
        if (ctx.params.logoutEveryone) {
          if (old.status !== 401)
            throw new Error(
              `the session from before the rotation got ${old.status}, expected 401: another instance or file still has the old secret; check every instance's SESSION_SECRET_FILE`,
            );
          ctx.log("the session opened before the rotation → accounts.me 401: everyone is logged out");
        } else {
          if (old.status !== 200)
            throw new Error(
              `the session from before the rotation got ${old.status} (${old.message}), expected 200: learners are being logged out. Put the old secret back as the second line of ${file} if you still have it`,
            );
          const [rekeyed] = await ctx.sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1",
            [hmac(check.token as string, current)],
          );
          ctx.log(
            `the session opened before the rotation → accounts.me 200${(rekeyed?.n ?? 0) > 0 ? ", and it was re-keyed to the new secret" : ""}: sessions survive`,
          );
        }
        ctx.log(
          "(checked on the instance that answered; every instance reading this file follows within ~1 s)",
        );
        return { newLogIn: freshMe.status, oldSession: old.status, newToken: fresh };
      },
    }),
    step({
      id: "remove-check-account",
      title: "Remove the check account",
      description:
        "Deletes the throwaway account (with its sessions), or logs the test account out of this run's sessions.",
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
