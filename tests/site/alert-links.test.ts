import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONSOLE_URL as CONSOLE_URL } from "../../console/protocol.ts";
import { catalog } from "../../runbooks/engine/catalog.ts";
import { DIST } from "../../scripts/lib/static-server.ts";

// Every alert rule on the monitoring page links to the first step of its fix in the console. Each
// link must land on a built page that embeds that runbook and step, with an environment that exists.

const page = readFileSync(path.join(DIST, "operational-runbook/monitoring-and-alerting/index.html"), "utf8");
// The code blocks as text (the copy button keeps another copy of the code in an attribute).
const code = [...page.matchAll(/<pre[^>]*>([\s\S]*?)<\/pre>/g)]
  .map((m) =>
    (m[1] as string)
      .replace(/<\/div>/g, "\n")
      .replace(/<[^>]+>/g, "")
      .replaceAll("&amp;", "&")
      .replaceAll("&#x26;", "&"),
  )
  .join("\n");
const links = [...code.matchAll(/console_url: (\S+)/g)].map((m) => new URL(m[1] as string));

describe("alert rules link to their fix in the console", () => {
  it("has one console link per alert rule", () => {
    const rules = [...code.matchAll(/^\s*- alert: (\w+)/gm)].length;
    expect(rules).toBeGreaterThan(0);
    expect(links).toHaveLength(rules);
  });

  it("links only to pages that embed the runbook and step named, in a real environment", async () => {
    const runbooks = new Map((await catalog()).map((entry) => [entry.id, entry]));
    for (const link of links) {
      expect(link.origin, link.href).toBe(CONSOLE_URL);
      const id = link.searchParams.get("runbook") ?? "";
      const step = link.searchParams.get("step");
      const entry = runbooks.get(id);
      expect(entry, `${link.href}: runbook "${id}"`).toBeDefined();
      if (step)
        expect(
          entry?.steps.map((s) => s.id),
          link.href,
        ).toContain(step);
      expect(["dev", "staging", "production"]).toContain(link.searchParams.get("env"));
      const file = path.join(DIST, link.pathname, "index.html");
      expect(existsSync(file), `${link.href}: ${link.pathname} is not a page`).toBe(true);
      const html = readFileSync(file, "utf8");
      expect(html, `${link.pathname} embeds ${id}`).toContain(`data-runbook="${id}"`);
      if (step) expect(html, `${link.pathname} shows step ${step}`).toContain(`id="${id}--${step}"`);
    }
  });
});
