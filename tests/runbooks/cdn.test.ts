import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_CONTROL, CDN_PURGE } from "../../policy/cdn.ts";
import { CACHE_CONTROL as APP_CACHE_CONTROL } from "../../practice-app/src/http/static-files.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";
import { failedStepError } from "../support/runbooks.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The claims of scaling-guide/caching.mdx ("HTTP caching and the CDN") and of
// infrastructure-architecture/network.mdx ("The CDN in front"). Cache headers a CDN honours, read from real responses of the app (the learner page) and the
// console (the handbook); and cdn-purge against a local fake of Cloudflare's documented purge call
// (POST /zones/{zone_id}/purge_cache, Bearer token, {files:[…]} or {purge_everything:true}):
// Cloudflare itself cannot be reached from a test.

const ZONE = "0123456789abcdef0123456789abcdef";
const TOKEN = "cf-test-token-5d41402abc4b2a76b9719d911017c592";
let dir: string;
let app: TestApp;
let handbook: TestConsole;
let fake: Server;
let apiBase: string;
const calls: Array<{
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: unknown;
}> = [];
const savedToken = process.env.SSP_DEV_CLOUDFLARE_API_TOKEN;

async function purge(params: Record<string, unknown>, plan = false) {
  const events: RunEvent[] = [];
  const dataDir = path.join(dir, "data");
  const result = await runRunbook(await findRunbook("cdn-purge"), {
    env: "dev",
    params: { zoneId: ZONE, apiBase, publicUrl: app.url, ...params },
    plan,
    confirm: true,
    emit: (e) => events.push(e),
    dataDir,
    processEnv: { ...process.env, RUNBOOK_DATA_DIR: dataDir },
  });
  const output = events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line);
  return { result, events, output };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-cdn-"));
  // The token as a secret reference to a private file, the way an operator keeps it.
  await writeFile(path.join(dir, "cf-token"), `${TOKEN}\n`, { mode: 0o600 });
  process.env.SSP_DEV_CLOUDFLARE_API_TOKEN = `file:${path.join(dir, "cf-token")}`;
  const dist = path.join(dir, "dist");
  await mkdir(path.join(dist, "_astro"), { recursive: true });
  await writeFile(
    path.join(dist, "index.html"),
    "<!doctype html><html><head><title>h</title></head><body>h</body></html>",
  );
  await writeFile(path.join(dist, "_astro", "page.Bx1kR9aQ.js"), "export {};\n");
  await writeFile(path.join(dist, "search.json"), "{}\n");
  [app, handbook] = await Promise.all([startTestApp(), startTestConsole({ distDir: dist })]);

  fake = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // Left null: answered as a bad request below.
      }
      calls.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body,
      });
      const send = (status: number, answer: object) =>
        res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
      const match = /^\/client\/v4\/zones\/([0-9a-f]{32})\/purge_cache$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match)
        return send(404, { success: false, errors: [{ code: 7003, message: "Could not route" }] });
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(403, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
      const b = body as { files?: unknown; purge_everything?: unknown } | null;
      const files = b?.files;
      const ok =
        (b?.purge_everything === true && files === undefined) ||
        (Array.isArray(files) &&
          files.length > 0 &&
          files.length <= CDN_PURGE.maxFilesPerRequest &&
          files.every((f) => typeof f === "string" && /^https?:\/\//.test(f)));
      if (!ok || !req.headers["content-type"]?.startsWith("application/json"))
        return send(400, {
          success: false,
          errors: [{ code: 1012, message: "Request must contain one of purge_everything or files" }],
        });
      return send(200, { success: true, errors: [], messages: [], result: { id: match[1] } });
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  apiBase = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/client/v4`;
});

afterAll(async () => {
  if (savedToken === undefined) delete process.env.SSP_DEV_CLOUDFLARE_API_TOKEN;
  else process.env.SSP_DEV_CLOUDFLARE_API_TOKEN = savedToken;
  await app?.stop();
  await handbook?.server.close();
  await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("cache headers a CDN honours", () => {
  it("the app declares the policy's values", () => {
    expect(APP_CACHE_CONTROL).toEqual({
      hashedAsset: CACHE_CONTROL.hashedAsset,
      revalidate: CACHE_CONTROL.revalidate,
    });
  });

  it("learner page: HTML revalidated by ETag, assets under hashed names cached for a year", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get("cache-control")).toBe(CACHE_CONTROL.revalidate);
    const etag = page.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{10}"$/);
    const html = await page.text();
    const again = await fetch(`${app.url}/`, { headers: { "If-None-Match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      expect(asset, "every asset the page loads has a content hash in its name").toMatch(
        /\.[0-9a-f]{10}\.(js|css)$/,
      );
      const res = await fetch(`${app.url}${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control"), asset).toBe(CACHE_CONTROL.hashedAsset);
      // A module's imports are hashed names too, so an immutable file never points at a changing one.
      for (const m of (await res.text()).matchAll(/from\s*"\.\/([^"]+)"/g)) {
        expect(m[1]).toMatch(/\.[0-9a-f]{10}\.js$/);
        expect((await fetch(`${app.url}/assets/${m[1]}`)).headers.get("cache-control")).toBe(
          CACHE_CONTROL.hashedAsset,
        );
      }
    }
    // The plain name (a page cached before a deploy asks for it) is revalidated, never kept.
    expect((await fetch(`${app.url}/assets/app.js`)).headers.get("cache-control")).toBe(
      CACHE_CONTROL.revalidate,
    );
    // A hashed name this instance does not know (a rolling restart): 404, never cached.
    const unknown = await fetch(`${app.url}/assets/app.0000000000.js`);
    expect([unknown.status, unknown.headers.get("cache-control")]).toEqual([404, CACHE_CONTROL.private]);
    // Answers for one learner or one moment are never stored.
    for (const p of ["/readyz", "/healthz", "/trpc/system.ping"])
      expect((await fetch(`${app.url}${p}`)).headers.get("cache-control"), p).toBe(CACHE_CONTROL.private);
  });

  it("handbook: /_astro/ cached for a year, pages and other files revalidated by ETag", async () => {
    const asset = await fetch(`${handbook.url}/_astro/page.Bx1kR9aQ.js`);
    expect(asset.headers.get("cache-control")).toBe(CACHE_CONTROL.hashedAsset);
    for (const p of ["/", "/search.json"]) {
      const res = await fetch(`${handbook.url}${p}`);
      expect(res.headers.get("cache-control"), p).toBe(CACHE_CONTROL.revalidate);
      const etag = res.headers.get("etag") ?? "";
      expect(etag, p).not.toBe("");
      const again = await fetch(`${handbook.url}${p}`, { headers: { "If-None-Match": etag } });
      expect(again.status, p).toBe(304);
      // The browser merges a 304's headers into its cached copy: the policy must be the page's own,
      // or the console's strict default replaces it and every script of the page is blocked.
      const policy = res.headers.get("content-security-policy");
      expect(policy, p).toMatch(/script-src/);
      expect(again.headers.get("content-security-policy"), p).toBe(policy);
    }
  });
});

describe("cdn-purge", () => {
  it("refuses a zone that is not a zone id, before anything", async () => {
    await expect(purge({ zoneId: "example.com" })).rejects.toThrow(/32 hex digits/);
    await expect(purge({ apiBase: "http://api.example.com/client/v4" })).rejects.toThrow(/must be https/);
    expect(calls).toHaveLength(0);
  });

  it("plans: prints the exact request with the token masked, and calls nothing", async () => {
    const { result, events, output } = await purge({}, true);
    expect(result.status, failedStepError(events)).toBe("ok");
    const text = output.join("\n");
    expect(text).toContain(`POST ${apiBase}/zones/${ZONE}/purge_cache`);
    expect(text).toContain("Authorization: Bearer ***");
    expect(text).toContain(JSON.stringify({ files: [`${app.url}/`] }));
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(calls).toHaveLength(0);
  });

  it("purges the deploy's URLs in batches of the documented size, then reads them back", async () => {
    const files = [
      "/",
      ...Array.from({ length: CDN_PURGE.maxFilesPerRequest }, (_, i) => `/assets/x${i}.js`),
    ].join(",");
    const { result, events, output } = await purge({ files });
    expect(result.status, failedStepError(events)).toBe("ok");
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.method).toBe("POST");
      expect(call.url).toBe(`/client/v4/zones/${ZONE}/purge_cache`);
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
      expect(call.contentType).toMatch(/^application\/json/);
    }
    const batches = calls.map((call) => (call.body as { files: string[] }).files);
    expect(batches[0]).toHaveLength(CDN_PURGE.maxFilesPerRequest);
    expect(batches[1]).toEqual([`${app.url}/assets/x29.js`]);
    expect(output.join("\n")).toContain(`${app.url}/: 200, Cache-Control: ${CACHE_CONTROL.revalidate}`);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    calls.length = 0;
  });

  it("purges everything when asked, and reports Cloudflare's refusal without the token", async () => {
    const all = await purge({ everything: "true" });
    expect(all.result.status, failedStepError(all.events)).toBe("ok");
    expect(calls.at(-1)?.body).toEqual({ purge_everything: true });

    await writeFile(path.join(dir, "cf-token"), "cf-wrong-token-00000000000000000000\n");
    const refused = await purge({});
    expect(refused.result.status).toBe("failed");
    expect(failedStepError(refused.events)).toMatch(/HTTP 403.*10000 Authentication error.*Cache Purge/);
    expect(JSON.stringify(refused.events)).not.toContain("cf-wrong-token");
    await writeFile(path.join(dir, "cf-token"), `${TOKEN}\n`);

    const offHost = purge({ files: "https://elsewhere.example/" });
    await expect(offHost).resolves.toMatchObject({ result: { status: "failed" } });
    expect(failedStepError((await offHost).events)).toMatch(/not on 127\.0\.0\.1/);
  });
});
