import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The build is the guard: these build a copy of the site with one deliberate mistake each and
// check that the build fails and names it.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(path.join(tmpdir(), "ssp-site-guard-"));
  // Everything the build could read (pages embed files from all over the repository), but not
  // what is built, installed or local state.
  const skip = new Set(["node_modules", "dist", ".git", ".data", ".astro"]);
  for (const entry of await readdir(ROOT)) {
    if (skip.has(entry)) continue;
    await cp(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  // Hard links: a full copy of node_modules would take minutes and hundreds of MB.
  await run("cp", ["-al", path.join(ROOT, "node_modules"), path.join(copy, "node_modules")]);
}, 120_000);

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

async function buildWith(file: string, content: string): Promise<{ ok: boolean; output: string }> {
  const target = path.join(copy, "src/content/docs", file);
  await writeFile(target, content);
  try {
    const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/astro"), ["build"], {
      cwd: copy,
      maxBuffer: 20 * 1024 * 1024,
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout: string; stderr: string };
    return { ok: false, output: e.stdout + e.stderr };
  } finally {
    await rm(target, { force: true });
  }
}

const frontmatter = "guide: true\nowner: Ops Lead\nreviewer: DevOps Lead\nlastReviewed: 2026-11-25";

describe("the handbook build refuses", () => {
  it("a broken internal link and a link to an anchor that does not exist", async () => {
    const result = await buildWith(
      "operational-runbook/guard-link.mdx",
      `---\ntitle: Guard\n${frontmatter}\n---\n\nSee [nowhere](/no-such-page/) and [the start](/#no-such-heading).\n`,
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/no-such-page/);
    expect(result.output).toMatch(/no-such-heading/);
  }, 120_000);

  it("a guide page without its owner", async () => {
    const result = await buildWith(
      "operational-runbook/guard-owner.mdx",
      "---\ntitle: Guard\nguide: true\nreviewer: DevOps Lead\nlastReviewed: 2026-11-25\n---\n\nText.\n",
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/guide pages must set owner/);
  }, 120_000);

  it("an embed of a runbook or step that does not exist", async () => {
    const runbook = await buildWith(
      "operational-runbook/guard-embed.mdx",
      `---\ntitle: Guard\n${frontmatter}\n---\n\nimport Runbook from "../../../components/Runbook.astro";\n\n<Runbook id="no-such-runbook" />\n`,
    );
    expect(runbook.ok).toBe(false);
    expect(runbook.output).toMatch(/embeds runbook "no-such-runbook", which does not exist/);
    const step = await buildWith(
      "operational-runbook/guard-step.mdx",
      `---\ntitle: Guard\n${frontmatter}\n---\n\nimport Runbook from "../../../components/Runbook.astro";\n\n<Runbook id="morning-health-check" steps={["no-such-step"]} />\n`,
    );
    expect(step.ok).toBe(false);
    expect(step.output).toMatch(
      /embeds step "no-such-step" of runbook "morning-health-check", which has no such step/,
    );
  }, 180_000);
});
