/**
 * Purge the CDN after a deploy
 *
 * Purpose: asks Cloudflare to drop its copies of the URLs whose content a deploy changed (the
 *   learner page and other names that do not change), or of everything in the zone, through the
 *   documented API call (POST /zones/{zone_id}/purge_cache), then reads each URL back to show what
 *   the edge now serves. Files under a content-hashed name never need a purge: a new version has a
 *   new name.
 * Sent here by: the deploy procedure (after post-deploy-verify), or learners seeing an old page
 *   behind the CDN.
 * Preconditions: SSP_<ENV>_CLOUDFLARE_ZONE_ID (or zoneId) and SSP_<ENV>_CLOUDFLARE_API_TOKEN, a
 *   token with the zone's Cache Purge permission, given as a secret reference (file:/…, env:…,
 *   cmd:…) or the value; the API reachable from here.
 * Blast radius: the edge fetches the purged URLs from the origin again: a short rise in origin
 *   traffic, large after purge_everything. No data changes.
 */
import { z } from "zod";
import { CDN_PURGE } from "../../policy/cdn.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { parseSecretRef, resolveSecretRef } from "../engine/secret-refs.ts";

interface Prepared {
  zoneId: string;
  endpoint: string;
  /** One request body per call: Cloudflare takes at most CDN_PURGE.maxFilesPerRequest URLs in one. */
  bodies: Array<{ files: string[] } | { purge_everything: true }>;
  urls: string[];
}

const variable = (env: string, what: string) => `SSP_${env.toUpperCase()}_CLOUDFLARE_${what}`;

/** The API token, resolved from its variable (a secret reference or the value), never printed. */
function apiToken(env: string): string {
  const name = variable(env, "API_TOKEN");
  const raw = process.env[name]?.trim();
  if (!raw)
    throw new Error(
      `${name} is not set: export it as a secret reference (file:/path, env:NAME, cmd:<command>) to an API token with the zone's Cache Purge permission`,
    );
  const ref = parseSecretRef(raw);
  const token = ref ? resolveSecretRef(ref) : raw;
  if (!/^[\w-]{20,}$/.test(token))
    throw new Error(`${name} does not hold a Cloudflare API token (letters, digits, - and _)`);
  return token;
}

function request(prepared: Prepared, body: Prepared["bodies"][number]): string[] {
  return [
    `POST ${prepared.endpoint}`,
    "Authorization: Bearer ***",
    "Content-Type: application/json",
    JSON.stringify(body),
  ];
}

export default defineRunbook({
  id: "cdn-purge",
  title: "Purge the CDN (Cloudflare)",
  summary:
    "Purges the deploy's unhashed URLs (or everything) from Cloudflare's cache through its API, then reads each URL back.",
  guide: "scaling-guide",
  section: "Caching strategies",
  params: z.object({
    files: z
      .string()
      .default(CDN_PURGE.deployPaths.join(","))
      .describe("Comma-separated paths (/, /assets/app.js) or full URLs on the public host"),
    everything: z.boolean().default(false).describe("Purge the whole zone instead (purge_everything)"),
    publicUrl: z.url().optional().describe("The URL learners use, behind the CDN (default: the app URL)"),
    zoneId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, {
        message: "a Cloudflare zone id is 32 hex digits (Overview page of the zone)",
      })
      .optional()
      .describe("The zone (default: SSP_<ENV>_CLOUDFLARE_ZONE_ID)"),
    apiBase: z
      .url()
      .default(CDN_PURGE.apiBase)
      .refine((u) => u.startsWith("https://") || /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(u), {
        message: "the API base must be https (the token travels in it); plain http only to this host",
      })
      .describe("Cloudflare's API; changed only by the test, to point at a local fake"),
  }),
  steps: (step) => [
    step({
      id: "prepare",
      title: "Work out the purge request",
      description:
        "Checks the zone, the token's presence and the URLs; prints the exact request(s), token masked.",
      danger: "read",
      timeoutMs: seconds(15),
      run(ctx): Prepared {
        const zoneId = ctx.params.zoneId ?? process.env[variable(ctx.env.name, "ZONE_ID")]?.trim() ?? "";
        if (!/^[0-9a-f]{32}$/.test(zoneId))
          throw new Error(
            zoneId
              ? `${variable(ctx.env.name, "ZONE_ID")} is not a zone id (32 hex digits)`
              : `no zone: pass --param zoneId=<32 hex digits> or set ${variable(ctx.env.name, "ZONE_ID")}`,
          );
        ctx.secret(apiToken(ctx.env.name));
        const origin = new URL(ctx.params.publicUrl ?? ctx.env.appUrl);
        const endpoint = `${ctx.params.apiBase.replace(/\/$/, "")}/zones/${zoneId}/purge_cache`;
        let urls: string[] = [];
        let bodies: Prepared["bodies"];
        if (ctx.params.everything) {
          urls = [new URL("/", origin).href];
          bodies = [{ purge_everything: true }];
        } else {
          const items = ctx.params.files
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
          if (items.length === 0)
            throw new Error("files is empty: name the paths to purge, or pass everything=true");
          for (const item of items) {
            let url: URL;
            try {
              url = new URL(item, origin);
            } catch {
              throw new Error(`"${item}" is neither a path nor a URL`);
            }
            if (url.host !== origin.host)
              throw new Error(`${url.href} is not on ${origin.host}, the public host this zone serves`);
            urls.push(url.href);
          }
          urls = [...new Set(urls)];
          bodies = [];
          for (let i = 0; i < urls.length; i += CDN_PURGE.maxFilesPerRequest)
            bodies.push({ files: urls.slice(i, i + CDN_PURGE.maxFilesPerRequest) });
        }
        const prepared = { zoneId, endpoint, bodies, urls };
        for (const body of bodies) for (const line of request(prepared, body)) ctx.log(line);
        return prepared;
      },
    }),
    step({
      id: "purge",
      title: "Purge",
      description: "Sends each request; fails with Cloudflare's own error codes and messages.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const prepared = ctx.result<Prepared>("prepare");
        return prepared.bodies.flatMap((body) => ["would call:", ...request(prepared, body)]);
      },
      async run(ctx) {
        const prepared = ctx.result<Prepared>("prepare");
        const token = apiToken(ctx.env.name);
        const ids: string[] = [];
        for (const body of prepared.bodies) {
          const res = await fetch(prepared.endpoint, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(15_000)]),
          }).catch((error: Error) => {
            throw new Error(`${prepared.endpoint} did not answer: ${error.cause ?? error.message}`);
          });
          const answer = (await res.json().catch(() => null)) as {
            success?: boolean;
            errors?: Array<{ code: number; message: string }>;
            result?: { id?: string };
          } | null;
          if (!res.ok || answer?.success !== true) {
            const errors =
              answer?.errors?.map((e) => `${e.code} ${e.message}`).join("; ") || "no error detail";
            throw new Error(
              `Cloudflare refused the purge (HTTP ${res.status}): ${errors}${res.status === 403 || res.status === 401 ? ". Check that the token has Cache Purge on this zone" : ""}`,
            );
          }
          ctx.log(
            `purged (${"files" in body ? `${body.files.length} URLs` : "everything"}): request ${answer.result?.id ?? "?"}`,
          );
          if (answer.result?.id) ids.push(answer.result.id);
        }
        return { requests: ids };
      },
    }),
    step({
      id: "read-back",
      title: "Read the URLs back",
      description: "GETs each purged URL and prints its status, Cache-Control and the CDN's cache status.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const prepared = ctx.result<Prepared>("prepare");
        const seen: Array<{ url: string; status: number; cacheControl: string | null }> = [];
        for (const url of prepared.urls) {
          const res = await fetch(url, {
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]),
          }).catch((error: Error) => {
            // The purge is done; an origin that does not answer is the next problem, not this step's.
            ctx.warn(`${url}: no answer (${error.cause ?? error.message})`);
            return null;
          });
          if (!res) continue;
          await res.body?.cancel();
          const cf = res.headers.get("cf-cache-status");
          ctx.log(
            `${url}: ${res.status}, Cache-Control: ${res.headers.get("cache-control") ?? "(none)"}${cf ? `, CF-Cache-Status: ${cf}` : ""}`,
          );
          seen.push({ url, status: res.status, cacheControl: res.headers.get("cache-control") });
        }
        return { seen };
      },
    }),
  ],
});
