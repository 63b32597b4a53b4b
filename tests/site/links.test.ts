import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { check } from "linkinator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../runbooks/engine/catalog.ts";
import { DIST, serveDist } from "../../scripts/lib/static-server.ts";
import { repositoryUrl } from "../../src/lib/page-meta.ts";

// The built handbook, checked the way a reader meets it: every internal link, image and asset
// resolves, and every runbook is on at least one page. External links are checked when the
// network allows; offline, the test says which it skipped instead of passing them silently.

let site: { url: string; close(): Promise<void> };
beforeAll(async () => {
  site = await serveDist();
});
afterAll(async () => {
  await site?.close();
});

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await htmlFiles(full)));
    else if (entry.name.endsWith(".html")) out.push(full);
  }
  return out;
}

async function online(): Promise<boolean> {
  try {
    await fetch("https://www.postgresql.org/", { method: "HEAD", signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

describe("links in the built handbook", () => {
  it("has no broken internal link, image, asset or anchor", async () => {
    const external = new Set<string>();
    const result = await check({
      path: site.url,
      recurse: true,
      checkCss: true,
      checkFragments: true,
      concurrency: 20,
      linksToSkip: async (link) => {
        if (link.startsWith(site.url)) return false;
        external.add(link);
        return true;
      },
    });
    const internal = result.links.filter((l) => l.url.startsWith(site.url));
    const broken = internal
      .filter((l) => l.state === "BROKEN")
      .map((l) => `${l.url} (from ${l.parent}, status ${l.status})`);
    expect(broken).toEqual([]);
    expect(internal.length).toBeGreaterThan(20);

    // The edit, report and commit links point into the handbook's own repository, two or three per
    // page: they are checked for shape by readers.test.ts, not fetched (GitHub wants a sign-in for
    // the editor and the new-issue form, and a fork's build names its own repository).
    const repo = repositoryUrl();
    const externals = [...external].filter((l) => /^https?:/.test(l) && !l.startsWith(`${repo}/`)).sort();
    if (await online()) {
      const externalResult = await check({ path: externals, concurrency: 5, timeout: 10_000 });
      const brokenExternal = externalResult.links
        .filter((l) => l.state === "BROKEN")
        .map((l) => `${l.url} (${l.status})`);
      expect(brokenExternal).toEqual([]);
    } else {
      console.log(
        `external links: skipped ${externals.length} (no network here):\n  ${externals.join("\n  ")}`,
      );
    }
  });

  it("shows every runbook on at least one page", async () => {
    const pages = await Promise.all((await htmlFiles(DIST)).map((file) => readFile(file, "utf8")));
    const embedded = new Set(
      pages.flatMap((html) => [...html.matchAll(/data-runbook="([a-z0-9-]+)"/g)].map((m) => m[1])),
    );
    const missing = (await catalog()).map((entry) => entry.id).filter((id) => !embedded.has(id));
    expect(missing).toEqual([]);
  });
});
