/**
 * Find and stop a stuck instance (alive but not ready)
 *
 * Purpose: probe every app instance the environment lists (its app URL, the instances
 *   scale-instances and add-instance recorded on this host, and any URLs given) for /healthz and
 *   /readyz over a few seconds; an instance whose process answers /healthz but stays unready is
 *   stuck. Then, as a separate confirmed step, stop it gracefully (SIGTERM, SIGKILL after a timeout).
 * Sent here by: the Troubleshooting entry "App not ready (503)": an instance that stays "shutting
 *   down" past SHUTDOWN_TIMEOUT_MS, or unready while the others are ready; nginx reporting an
 *   upstream down while its process lives.
 * Preconditions: run on the host of the instances (the pid is found from the listening port); a
 *   triage-snapshot first if you need its state for the post-mortem. Start it again afterwards the
 *   way it was started (deploy, add-instance, scale-instances, your process manager).
 * Blast radius: only processes that listen on a stuck instance's port AND run practice-app's
 *   main.ts; requests it still holds are cut if SIGKILL is needed. Ready instances are never touched.
 */
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";
import { readStateFile } from "../engine/state-files.ts";
import { listenerPid } from "../lib/net.ts";
import { commandLine, stopProcess } from "../lib/process.ts";

interface Probe {
  url: string;
  healthz: number | null;
  readyz: number | null;
  readiness: string;
}

interface Stuck {
  url: string;
  port: number;
  pid: number;
  readiness: string;
}

const APP_MAIN = "practice-app/src/main.ts";

export default defineRunbook({
  id: "troubleshoot-stuck-instance",
  title: "Find and stop a stuck instance",
  summary:
    "Finds instances that answer /healthz but stay unready, and stops them gracefully (SIGTERM, then SIGKILL; confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params: z.object({
    urls: z
      .string()
      .optional()
      .describe(
        "Extra instance URLs to probe, comma-separated (default: the environment's and this host's recorded ones)",
      ),
    observeSeconds: z.coerce
      .number()
      .min(0)
      .max(120)
      .default(6)
      .describe("An instance is stuck only if it stays unready for this long"),
    stopTimeoutSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(120)
      .default(15)
      .describe("How long it may take to exit after SIGTERM before SIGKILL"),
  }),
  steps: (step) => [
    step({
      id: "find-stuck",
      title: "Probe /healthz and /readyz of every instance",
      description:
        "Asks each listed instance twice, observeSeconds apart; alive (/healthz 200) and unready both times is stuck.",
      danger: "read",
      timeoutMs: minutes(3),
      async run(ctx) {
        const urls = await instanceUrls(ctx.env.appUrl, ctx.env.name, ctx.params.urls);
        ctx.log(`instances: ${urls.join(", ")}`);
        const first = await Promise.all(urls.map(probe));
        for (const p of first)
          ctx.log(`  ${p.url}: /healthz ${p.healthz ?? "no answer"}, /readyz ${p.readiness}`);
        const suspects = first.filter((p) => p.healthz === 200 && p.readyz !== 200);
        if (suspects.length === 0) {
          ctx.log("no instance is alive and unready: nothing is stuck");
          return { stuck: [] as Stuck[] };
        }
        ctx.log(`watching ${suspects.length} unready instance(s) for ${ctx.params.observeSeconds} s`);
        await new Promise((resolve) => setTimeout(resolve, ctx.params.observeSeconds * 1000));
        const stuck: Stuck[] = [];
        for (const s of suspects) {
          const again = await probe(s.url);
          if (again.healthz !== 200 || again.readyz === 200) {
            ctx.log(
              `  ${s.url}: now /healthz ${again.healthz ?? "no answer"}, /readyz ${again.readiness}: not stuck`,
            );
            continue;
          }
          const port = Number(new URL(s.url).port);
          const pid = listenerPid(port);
          const cmd = pid === null ? null : commandLine(pid);
          if (pid === null || !cmd?.includes(APP_MAIN)) {
            ctx.warn(
              `  ${s.url} is stuck (${again.readiness}) but its process is not on this host (or not practice-app: ${cmd ?? "not found"}): stop it on its own host`,
            );
            continue;
          }
          ctx.log(
            `  ${s.url} is STUCK: pid ${pid}, /readyz ${again.readiness} for ${ctx.params.observeSeconds} s or more`,
          );
          stuck.push({ url: s.url, port, pid, readiness: again.readiness });
        }
        return { stuck };
      },
    }),
    step({
      id: "stop-stuck",
      title: "Stop the stuck instances",
      description:
        "SIGTERM to each stuck instance's process (the app drains and exits), SIGKILL after stopTimeoutSeconds.",
      danger: "destructive",
      timeoutMs: minutes(4),
      plan(ctx) {
        const { stuck } = ctx.result<{ stuck: Stuck[] }>("find-stuck");
        if (stuck.length === 0) return ["nothing: no stuck instance"];
        return stuck.map(
          (s) =>
            `would send SIGTERM to pid ${s.pid} (${s.url}), SIGKILL after ${ctx.params.stopTimeoutSeconds} s`,
        );
      },
      async run(ctx) {
        const { stuck } = ctx.result<{ stuck: Stuck[] }>("find-stuck");
        const stopped: Array<{ pid: number; url: string; how: string }> = [];
        for (const s of stuck) {
          // The port may have changed hands since the probe: signal only the same practice-app process.
          if (listenerPid(s.port) !== s.pid || !commandLine(s.pid)?.includes(APP_MAIN)) {
            ctx.log(`${s.url}: pid ${s.pid} no longer serves it, left alone`);
            continue;
          }
          const r = await stopProcess(s.pid, { graceMs: ctx.params.stopTimeoutSeconds * 1000 });
          ctx.log(
            `${s.url}: pid ${s.pid} ${r.how === "SIGKILL" ? "did not exit after SIGTERM: killed" : "exited after SIGTERM"} (${r.ms} ms)`,
          );
          stopped.push({ pid: s.pid, url: s.url, how: r.how });
        }
        if (stopped.length > 0)
          ctx.log("start them again the way they were started (deploy, add-instance, scale-instances)");
        return { stopped };
      },
    }),
  ],
});

/** The environment's app URL, the instances recorded on this host for it, and the given URLs. */
async function instanceUrls(appUrl: string, env: string, extra: string | undefined): Promise<string[]> {
  const urls = new Set<string>([appUrl.replace(/\/$/, "")]);
  // scale-instances records its instances per environment; add-instance keeps the balancer's pool.
  const scaled = await readStateFile<{ instances: Array<{ url: string }> }>(
    "instances",
    path.join(dataDir(process.env), "instances", `${env}.json`),
    "fix or remove it, or pass urls=",
  );
  const pool = await readStateFile<{ members: Array<{ url: string }> }>(
    "pool",
    path.join(dataDir(process.env), "nginx", "pool.json"),
    "fix or remove it, or pass urls=",
  );
  // No file: nothing recorded there on this host (only the app URL and the given ones).
  for (const i of [...(scaled?.instances ?? []), ...(pool?.members ?? [])]) urls.add(i.url);
  for (const u of (extra ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean))
    urls.add(u.replace(/\/$/, ""));
  return [...urls];
}

async function probe(url: string): Promise<Probe> {
  const get = async (p: string): Promise<{ status: number | null; body: string }> => {
    try {
      const res = await fetch(`${url}${p}`, { signal: AbortSignal.timeout(2_000) });
      return { status: res.status, body: await res.text() };
    } catch {
      // No answer within 2 s: reported as such, which is what the probe is for.
      return { status: null, body: "" };
    }
  };
  const [h, r] = await Promise.all([get("/healthz"), get("/readyz")]);
  let readiness = r.status === null ? "no answer" : String(r.status);
  try {
    const body = JSON.parse(r.body) as { status?: string; shuttingDown?: boolean };
    readiness += ` ${body.status ?? ""}${body.shuttingDown ? " (shutting down)" : ""}`;
  } catch {
    // Not JSON (or no answer): the status alone says it.
  }
  return { url, healthz: h.status, readyz: r.status, readiness: readiness.trim() };
}
