import { spawn, spawnSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SLO } from "../../policy/index.ts";
import type { Profile, Variant } from "../lib/profiles.ts";
import { findBreakpoint, type LoadSummary, type SeriesPoint, trendSummary } from "../lib/summary.ts";
import { percentileOf } from "../lib/thresholds.ts";
import { BUCKET_S } from "./recorder.ts";

// Runs a profile with real k6 (when it is on PATH): k6 judges the thresholds and writes the
// summary through handleSummary; this adds what handleSummary cannot know, the time series and the
// per-procedure latencies, from k6's JSON output (--out json).

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** k6's version line, or null when k6 is not on PATH. */
export function k6Version(): string | null {
  const result = spawnSync("k6", ["version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return null;
  return /v\d+\.\d+\.\d+/.exec(result.stdout)?.[0] ?? result.stdout.trim();
}

export interface K6RunOptions {
  profile: Profile;
  variant: Variant;
  target: string;
  outDir: string;
  version: string;
  /** A learners file from npm run db:seed-load-learners, passed to the script as LEARNERS. */
  learnersFile?: string | undefined;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs k6 and returns its exit code (99: thresholds failed) and the enriched summary. */
export async function runK6(options: K6RunOptions): Promise<{ code: number; summary: LoadSummary | null }> {
  const { profile, outDir } = options;
  const points = path.join(outDir, `${profile.name}-points.json`);
  const script = path.join(ROOT, "load-tests", `${profile.name}.ts`);
  const args = [
    "run",
    "--out",
    `json=${points}`,
    "-e",
    `TARGET=${options.target}`,
    "-e",
    `FULL=${options.variant === "full" ? "1" : "0"}`,
    "-e",
    `OUT_DIR=${outDir}`,
    "-e",
    `K6_VERSION=${options.version}`,
    ...(options.learnersFile ? ["-e", `LEARNERS=${options.learnersFile}`] : []),
    script,
  ];
  options.log(`$ k6 ${args.join(" ")}`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn("k6", args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const forward = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on("line", (line) => options.log(line));
    if (child.stdout) forward(child.stdout);
    if (child.stderr) forward(child.stderr);
    options.signal?.addEventListener("abort", () => child.kill("SIGINT"), { once: true });
    child.once("error", (error) => {
      options.log(`could not run k6: ${error.message}`);
      resolve(1);
    });
    child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1)));
  });
  const summaryFile = path.join(outDir, `${profile.name}-summary.json`);
  let summary: LoadSummary;
  try {
    summary = JSON.parse(await readFile(summaryFile, "utf8")) as LoadSummary;
  } catch {
    return { code: code === 0 ? 1 : code, summary: null };
  }
  await enrichFromPoints(summary, points);
  await rm(points, { force: true });
  return { code, summary };
}

interface Point {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> };
}

/** Adds the time series and per-procedure latencies from k6's JSON output to its summary. */
export async function enrichFromPoints(summary: LoadSummary, file: string): Promise<void> {
  const byProcedure = new Map<string, number[]>();
  const buckets: Array<{ vus: number; requests: number; errors: number; practice: number[] }> = [];
  let start: number | null = null;
  const bucket = (time: string) => {
    const at = Date.parse(time);
    start ??= at;
    const index = Math.max(0, Math.floor((at - start) / 1000 / BUCKET_S));
    while (buckets.length <= index) buckets.push({ vus: 0, requests: 0, errors: 0, practice: [] });
    return buckets[index] as (typeof buckets)[number];
  };
  try {
    for await (const line of createInterface({ input: createReadStream(file) })) {
      if (!line.startsWith('{"type":"Point"') && !line.includes('"type":"Point"')) continue;
      const point = JSON.parse(line) as Point;
      const tags = point.data.tags ?? {};
      // Setup's sign-ups happen before the measured run: per procedure yes, in the time series no.
      const measured = tags.kind !== "setup";
      if (point.metric === "vus") {
        const b = bucket(point.data.time);
        b.vus = Math.max(b.vus, point.data.value);
      } else if (point.metric === "http_req_duration") {
        if (measured) {
          const b = bucket(point.data.time);
          b.requests += 1;
          if (tags.kind === "practice") b.practice.push(point.data.value);
        }
        if (tags.procedure) {
          const list = byProcedure.get(tags.procedure) ?? [];
          list.push(point.data.value);
          byProcedure.set(tags.procedure, list);
        }
      } else if (measured && point.metric === "http_req_failed" && point.data.value !== 0) {
        bucket(point.data.time).errors += 1;
      }
    }
  } catch (error) {
    summary.series = [];
    throw new Error(`could not read k6's JSON output ${file}: ${(error as Error).message}`);
  }
  for (const [procedure, values] of byProcedure) {
    const key = `http_req_duration{procedure:${procedure}}`;
    summary.metrics[key] ??= trendSummary(values);
  }
  summary.bucketS = BUCKET_S;
  summary.series = buckets.map((b, index): SeriesPoint => {
    const sorted = b.practice.sort((x, y) => x - y);
    const p = (f: number) => (sorted.length === 0 ? null : Math.round(percentileOf(sorted, f) * 10) / 10);
    return {
      t: index * BUCKET_S,
      vus: b.vus,
      requests: b.requests,
      errors: b.errors,
      p50: p(0.5),
      p95: p(0.95),
      p99: p(0.99),
    };
  });
  if (summary.profile === "breakpoint")
    summary.breakpoint = findBreakpoint(summary.series, SLO.latencyP95Ms, SLO.errorRate);
}
