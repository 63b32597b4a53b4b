import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../runbooks/lib/net.ts";

// A real Prometheus (Debian's prometheus package) on a private port, whose storage is backfilled
// with `promtool tsdb create-blocks-from openmetrics`: one sample a minute of each series given,
// the last one on a whole minute an hour ago (so subquery steps and samples fall on the same
// instants). slo-report's and the error-budget gate's tests ask it what the window spent.

const PROMETHEUS = "/usr/bin/prometheus";
const PROMTOOL = "/usr/bin/promtool";
const execFileAsync = promisify(execFile);

/** Whether this machine has Prometheus and promtool (the tests that need them skip otherwise). */
export const prometheusInstalled = existsSync(PROMETHEUS) && existsSync(PROMTOOL);

export interface BackfilledPrometheus {
  url: string;
  /** The time of the last sample: the end of the window a report is asked for. */
  end: Date;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on `series` (series text with labels → one value per minute) in `dir`, and
 * resolves once its API answers (the blocks are loaded by then).
 */
export async function startBackfilledPrometheus(
  dir: string,
  series: Record<string, readonly number[]>,
): Promise<BackfilledPrometheus> {
  await mkdir(dir, { recursive: true });
  const minutes = Math.max(...Object.values(series).map((values) => values.length));
  const last = Math.floor(Date.now() / 60_000) * 60 - 3600;
  const first = last - (minutes - 1) * 60;
  const lines: string[] = [];
  for (const [name, values] of Object.entries(series))
    for (const [m, value] of values.entries()) lines.push(`${name} ${value} ${first + m * 60}`);
  await writeFile(path.join(dir, "metrics.om"), `${lines.join("\n")}\n# EOF\n`);
  const data = path.join(dir, "data");
  await execFileAsync(PROMTOOL, [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    path.join(dir, "metrics.om"),
    data,
  ]);
  await writeFile(path.join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=60d",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid, "SIGTERM");
      await exited;
    }
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, end: new Date(last * 1000), stop };
}
