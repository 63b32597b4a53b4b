/**
 * TLS certificate expiry
 *
 * Purpose: reads the certificate an https URL presents (even an expired or self-signed one) and
 *   says who it is for, who issued it, when it expires and how many days are left; fails when fewer
 *   days are left than the critical "TLS certificate expiring" alert allows.
 * Sent here by: the "TLS certificate expiring" critical alert, alert-check, or the monthly
 *   calendar (third week: certificate checks).
 * Preconditions: the URL's host and port are reachable from here over TCP. Only https URLs: a plain
 *   http URL has no certificate.
 * Blast radius: none. One TLS handshake, then the connection is closed; nothing is sent.
 */
import net from "node:net";
import tls from "node:tls";
import { z } from "zod";
import { alertThreshold } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";

export interface CertificateInfo {
  host: string;
  port: number;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  /** True when the chain verifies against the system's trusted CAs for this host name. */
  trusted: boolean;
  /** Why it does not verify (e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED), when it does not. */
  trustError: string | null;
}

/**
 * One TLS handshake with the URL's host, without verifying the chain (so an expired or self-signed
 * certificate can still be read). Shared with alert-check.
 */
export function readCertificate(
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CertificateInfo> {
  const target = new URL(url);
  if (target.protocol !== "https:")
    throw new Error(
      `${url} is not an https URL: a ${target.protocol.replace(":", "")} URL has no certificate`,
    );
  const host = target.hostname.replace(/^\[|\]$/g, "");
  const port = Number(target.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      // SNI must be a name, never an address (RFC 6066).
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const onAbort = () => fail(new Error("cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("timeout", () =>
      fail(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs / 1000} s`)),
    );
    socket.once("error", (error) =>
      fail(new Error(`TLS connection to ${host}:${port} failed: ${error.message}`)),
    );
    socket.once("secureConnect", () => {
      signal?.removeEventListener("abort", onAbort);
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert || Object.keys(cert).length === 0) {
        reject(new Error(`${host}:${port} presented no certificate`));
        return;
      }
      const validTo = Date.parse(cert.valid_to);
      const checkHost = tls.checkServerIdentity(host, cert);
      const chainError = socket.authorized ? null : String(socket.authorizationError ?? "not trusted");
      const trustError = chainError ?? (checkHost ? checkHost.message : null);
      resolve({
        host,
        port,
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        validFrom: new Date(Date.parse(cert.valid_from)).toISOString(),
        validTo: new Date(validTo).toISOString(),
        daysLeft: (validTo - Date.now()) / 86_400_000,
        trusted: trustError === null,
        trustError,
      });
    });
  });
}

function formatName(name: tls.PeerCertificate["subject"] | undefined): string {
  if (!name) return "(none)";
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`);
  return parts.length === 0 ? "(empty)" : parts.join(", ");
}

export default defineRunbook({
  id: "tls-expiry",
  title: "TLS certificate expiry",
  summary:
    "Reads the certificate of an https URL and fails when it expires sooner than the critical alert allows.",
  guide: "operational-runbook",
  section: "Monitoring and alerting",
  params: z.object({
    url: z
      .url({ message: "expected a URL such as https://example.com" })
      .refine((value) => value.startsWith("https://"), {
        message: "only https URLs have a certificate to check; give the public https:// URL",
      })
      .optional()
      .describe("The https URL whose certificate is checked (default: the environment's app URL)"),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(10)
      .describe("How long the TCP connection and TLS handshake may take"),
  }),
  steps: (step) => [
    step({
      id: "read-certificate",
      title: "Read the certificate",
      description: "Connects with TLS (chain not enforced) and prints subject, issuer, validity and trust.",
      danger: "read",
      timeoutMs: seconds(70),
      async run(ctx) {
        const url = ctx.params.url ?? ctx.env.appUrl;
        if (!url.startsWith("https://"))
          throw new Error(
            `${url} is plain http: it has no certificate. Pass --param url=https://<public host> (the URL learners use, in front of the app)`,
          );
        const cert = await readCertificate(url, ctx.params.timeoutSeconds * 1000, ctx.signal);
        ctx.log(`${cert.host}:${cert.port}`);
        ctx.log(`  subject:    ${cert.subject}`);
        ctx.log(`  issuer:     ${cert.issuer}`);
        ctx.log(`  valid from: ${cert.validFrom}`);
        ctx.log(`  valid to:   ${cert.validTo}`);
        ctx.log(`  days left:  ${cert.daysLeft.toFixed(1)}`);
        if (cert.trusted) ctx.log("  trust:      verifies against the system's CAs for this host name");
        // Expected for self-signed or internal certificates: reported, not a failure of this check.
        else ctx.warn(`  trust:      does not verify (${cert.trustError}); browsers will warn`);
        return cert;
      },
    }),
    step({
      id: "check-expiry",
      title: "Compare with the alert threshold",
      description:
        'Fails when fewer days are left than the critical "TLS certificate expiring" alert allows.',
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const cert = ctx.result<CertificateInfo>("read-certificate");
        const limit = alertThreshold("tls-expiry");
        if (cert.daysLeft < 0)
          throw new Error(
            `the certificate of ${cert.host} EXPIRED ${(-cert.daysLeft).toFixed(1)} days ago (${cert.validTo}): learners cannot connect. Renew and deploy it now`,
          );
        if (cert.daysLeft < limit)
          throw new Error(
            `the certificate of ${cert.host} expires in ${cert.daysLeft.toFixed(1)} days (${cert.validTo}), under the critical alert's ${limit} days: renew it now (certbot renew, or your provider's console) and reload the proxy`,
          );
        ctx.log(`ok: ${cert.daysLeft.toFixed(1)} days left (the critical alert fires under ${limit} days)`);
        return { daysLeft: cert.daysLeft, thresholdDays: limit, ok: true };
      },
    }),
  ],
});
