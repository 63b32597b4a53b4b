// The names the pages use for things each team chooses (paths on the hosts, example host names),
// settled once so that every page says the same. tests/site/page-claims.test.ts fails on a page that
// uses another version. Pure data.

export const CONVENTIONS = {
  /** The operations host's checkout of this repository, where runbooks and cron jobs run. */
  opsCheckout: "/srv/ssp-handbook",
  /** The session secret file on the app hosts (SESSION_SECRET_FILE), written by rotate-session-secret. */
  sessionSecretFile: "/etc/practice-app/session-secret",
  /** The example public host name of the app (through nginx, with TLS). */
  publicHost: "practice.subjunctive.example",
  /** The published handbook, which alerts link to. */
  handbookUrl: "https://handbook.subjunctive.example",
} as const;

/**
 * Versions the pages used before they were settled: each must appear on no page. The session secret
 * on Render is a Secret File under /etc/secrets/ (Render's path, not ours), so that one is not listed.
 */
export const SUPERSEDED = {
  opsCheckout: [/\/srv\/ssp(?![-\w])/],
  sessionSecretFile: [/\/etc\/ssp\/session-secret/],
  publicHost: [/practice\.example\.org/],
} as const satisfies Partial<Record<keyof typeof CONVENTIONS, readonly RegExp[]>>;
