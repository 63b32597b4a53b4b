import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

// What a benchmark records beside its figures (issue 13: "with the date and machine it was measured
// on"), and the CPU time of other processes read from /proc, for bench-app.ts and bench-site.ts.

export interface Machine {
  cores: number;
  model: string;
  memoryGiB: number;
  node: string;
  /** The 1-minute load average when the run started: other work on the machine. */
  loadAverage: number;
}

export function machine(): Machine {
  let model = os.cpus()[0]?.model ?? "unknown";
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {
    // Not Linux: os.cpus() named the model already.
  }
  return {
    cores: os.cpus().length,
    model,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The commit the benchmark ran on, with "+dirty" when the work tree had changes. */
export function gitCommit(cwd: string): string {
  const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd,
    encoding: "utf8",
  });
  return dirty.trim() === "" ? head : `${head}+dirty`;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux build). */
const TICKS_PER_SECOND = 100;

/** utime + stime of one process in ticks, or 0 when it is gone (a backend that exited). */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Process ids whose command line matches: postgres backends show "postgres: … user db host state". */
export function pidsMatching(test: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      if (test(cmdline)) pids.push(Number(entry));
    } catch {
      // Exited between readdir and read.
    }
  }
  return pids;
}

/** The processes whose parent is `pid` (nginx's workers under its master). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
    } catch {
      // Exited between readdir and read.
    }
  }
  return children;
}

/**
 * CPU used by a group of processes between start() and stop(), as a share of one core
 * (1 = one core busy for the whole interval). The group is re-read at stop, so processes that
 * started during the interval (new backends) count; time of ones that exited before stop is lost.
 */
export function cpuMeter(find: () => number[]): { start(): void; stop(): number } {
  let before = new Map<number, number>();
  let startedAt = 0;
  return {
    start() {
      before = new Map(find().map((pid) => [pid, cpuTicks(pid)]));
      startedAt = performance.now();
    },
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      let ticks = 0;
      for (const pid of new Set([...before.keys(), ...find()]))
        ticks += Math.max(0, cpuTicks(pid) - (before.get(pid) ?? 0));
      return seconds > 0 ? Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100 : 0;
    },
  };
}
