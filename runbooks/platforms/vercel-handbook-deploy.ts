/**
 * Publish the handbook on Vercel
 *
 * Purpose: publish the built handbook (dist/) as a Vercel production deployment through Vercel's
 *   REST API: upload each file (POST /v2/files, addressed by its SHA-1), create the deployment
 *   from the file list (POST /v13/deployments, no build on Vercel's side), and wait until it is
 *   READY. Only the static handbook: the app needs a long-running Node process with PostgreSQL
 *   and Redis, which Vercel's functions are not (Deployment Playbook → Platforms).
 * Sent here by: publishing the handbook after a release, when Vercel is the static host.
 * Preconditions: npx astro build done (dist/index.html exists); a Vercel token in a secret
 *   reference (token, default env:VERCEL_TOKEN); the project name; teamId for a team's project.
 * Blast radius: a new production deployment of that Vercel project. The previous one stays, and
 *   Vercel's Instant Rollback (dashboard) returns to it.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import {
  type ApiCall,
  apiUrlParam,
  BEARER,
  callApi,
  describeCall,
  pathSegment,
  pollSecondsParam,
  pollStatus,
  tokenParam,
} from "./_api.ts";

const params = z.object({
  dist: z
    .string()
    .default(path.join(REPO_ROOT, "dist"))
    .refine((value) => path.isAbsolute(value), "an absolute path")
    .describe("The built handbook (npx astro build writes dist/)"),
  project: z
    .string()
    .regex(/^[a-z0-9._-]{1,100}$/, "a Vercel project name: lowercase letters, digits, . _ -")
    .default("subjunctive-handbook")
    .describe("The Vercel project"),
  teamId: z
    .string()
    .regex(/^team_[A-Za-z0-9]+$/, "a Vercel team id: team_…")
    .optional()
    .describe("The team that owns the project (omit for a personal account)"),
  token: tokenParam("env:VERCEL_TOKEN", "Vercel token"),
  apiUrl: apiUrlParam("https://api.vercel.com", "Vercel REST API's base URL"),
  pollSeconds: pollSecondsParam(),
  waitMinutes: z.coerce.number().int().min(1).max(60).default(10).describe("How long Vercel may take"),
});
type Params = z.infer<typeof params>;

interface DistFile {
  file: string;
  sha: string;
  size: number;
}

const base = (p: Params) => p.apiUrl.replace(/\/+$/, "");
const team = (p: Params) => (p.teamId ? `?teamId=${encodeURIComponent(p.teamId)}` : "");

const uploadCall = (p: Params, f: DistFile, raw?: Buffer): ApiCall => ({
  method: "POST",
  url: `${base(p)}/v2/files${team(p)}`,
  headers: { "Content-Type": "application/octet-stream", "x-vercel-digest": f.sha },
  raw: raw ?? Buffer.alloc(f.size),
});

const createCall = (p: Params, files: DistFile[]): ApiCall => ({
  method: "POST",
  url: `${base(p)}/v13/deployments${team(p)}`,
  body: {
    name: p.project,
    target: "production",
    files,
    // A static upload: Vercel serves the files as they are, no framework detection, no build.
    projectSettings: { framework: null },
  },
});

const deploymentCall = (p: Params, id: string): ApiCall => ({
  method: "GET",
  url: `${base(p)}/v13/deployments/${pathSegment(id)}${team(p)}`,
});

async function walk(dir: string, root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full, root)));
    else if (entry.isFile()) files.push(path.relative(root, full).split(path.sep).join("/"));
  }
  return files.sort();
}

export default defineRunbook({
  id: "vercel-handbook-deploy",
  title: "Publish the handbook on Vercel (API)",
  summary: "Uploads dist/ file by file, creates a production deployment from the list, waits until READY.",
  guide: "deployment-playbook",
  section: "The handbook on a static host",
  params,
  steps: (step) => [
    step({
      id: "files",
      title: "The built handbook",
      description: "Lists dist/ with each file's SHA-1 and size; refuses when the build is missing.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const index = await stat(path.join(ctx.params.dist, "index.html")).catch(() => null);
        if (!index)
          throw new Error(
            `${ctx.params.dist}/index.html does not exist: build the handbook first (npx astro build)`,
          );
        const files: DistFile[] = [];
        for (const file of await walk(ctx.params.dist)) {
          const data = await readFile(path.join(ctx.params.dist, file));
          files.push({ file, sha: createHash("sha1").update(data).digest("hex"), size: data.length });
        }
        const bytes = files.reduce((sum, f) => sum + f.size, 0);
        ctx.log(`${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${ctx.params.dist}`);
        return { files };
      },
    }),
    step({
      id: "upload",
      title: "Upload the files",
      description:
        "POST /v2/files for each file, addressed by its SHA-1 (Vercel skips content it already has).",
      danger: "change",
      timeoutMs: minutes(20),
      plan: (ctx) =>
        ctx
          .result<{ files: DistFile[] }>("files")
          .files.map((f) => `${describeCall(uploadCall(ctx.params, f), BEARER)} ← ${f.file}`),
      async run(ctx) {
        const { files } = ctx.result<{ files: DistFile[] }>("files");
        for (const f of files) {
          const raw = await readFile(path.join(ctx.params.dist, f.file));
          await callApi(ctx, uploadCall(ctx.params, f, raw), BEARER);
        }
        return { uploaded: files.length };
      },
    }),
    step({
      id: "create",
      title: "Create the production deployment",
      description: "POST /v13/deployments with the project name, target production and the file list.",
      danger: "change",
      timeoutMs: seconds(60),
      plan: (ctx) => [
        describeCall(createCall(ctx.params, ctx.result<{ files: DistFile[] }>("files").files), BEARER),
      ],
      async run(ctx) {
        const { files } = ctx.result<{ files: DistFile[] }>("files");
        const deployment = await callApi<{ id: string; url?: string; readyState?: string }>(
          ctx,
          createCall(ctx.params, files),
          BEARER,
        );
        ctx.log(
          `deployment ${deployment.id} (${deployment.readyState ?? "created"}) at https://${deployment.url ?? "?"}`,
        );
        return { deploymentId: deployment.id, url: deployment.url ?? null };
      },
    }),
    step({
      id: "wait",
      title: "Wait until READY",
      description: "Reads the deployment until READY; fails on ERROR or CANCELED.",
      danger: "read",
      timeoutMs: minutes(61),
      plan: (ctx) => [
        `${describeCall(deploymentCall(ctx.params, "<the new deployment's id>"), BEARER)} every ${ctx.params.pollSeconds} s until READY (at most ${ctx.params.waitMinutes} min)`,
      ],
      async run(ctx) {
        const { deploymentId } = ctx.result<{ deploymentId: string }>("create");
        const status = await pollStatus(
          ctx,
          `deployment ${deploymentId}`,
          async () =>
            (await callApi<{ readyState: string }>(ctx, deploymentCall(ctx.params, deploymentId), BEARER))
              .readyState,
          { done: ["READY"], failed: ["ERROR", "CANCELED"] },
          { timeoutMs: ctx.params.waitMinutes * 60_000, intervalMs: ctx.params.pollSeconds * 1_000 },
        );
        return { deploymentId, status };
      },
    }),
  ],
});
