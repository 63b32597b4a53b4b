import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

// Who listens on a TCP port, read from Linux's /proc (no ss or lsof needed): the socket's inode
// from /proc/net/tcp and tcp6, then the process with that inode among its open files. Another
// user's processes cannot be read; then the pid is unknown and the message says so.

export interface PortHolder {
  pid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  ppid: number;
  parentCommand: string;
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN; the local address ends in :PORT in hex.
      if (!local || fields[3] !== "0A") continue;
      if (Number.parseInt(local.split(":").pop() ?? "", 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
};

const parentOf = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
};

/** The process listening on `port`, or null when none of this user's processes does (or no /proc). */
export function portHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // Another user's process, or one that just exited.
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        const pid = Number(entry);
        const ppid = parentOf(pid);
        return { pid, command: commandOf(pid), ppid, parentCommand: commandOf(ppid) };
      }
    }
  }
  return null;
}

/** Is `pid` the scripts/start.ts of the checkout at `root` (npm runs it as `node scripts/start.ts` in root)? */
function isStartOf(pid: number, command: string, root: string): boolean {
  if (!/(^|\s|\/)scripts\/start\.ts(\s|$)/.test(command)) return false;
  const checkout = path.resolve(root);
  if (command.includes(path.join(checkout, "scripts/start.ts"))) return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === checkout;
  } catch {
    return false;
  }
}

/**
 * The sentence that names what holds the port: an earlier `npm start` of this checkout (its app or
 * its console, with the pid of its start.ts and the command that stops the whole stack), or
 * another process.
 */
export function describePortHolder(port: number, root: string, devStackAppPid?: number): string {
  const holder = portHolder(port);
  if (!holder) return `something (not a process of this user, or /proc is unreadable) listens on ${port}`;
  const ownStart = isStartOf(holder.pid, holder.command, root)
    ? holder.pid
    : isStartOf(holder.ppid, holder.parentCommand, root) || holder.pid === devStackAppPid
      ? holder.ppid
      : null;
  if (ownStart !== null) {
    const role =
      holder.pid === devStackAppPid || holder.command.includes("practice-app/src/main.ts")
        ? "its app"
        : "its console";
    return `an earlier npm start of this checkout holds it (${role}, pid ${holder.pid}; npm start's scripts/start.ts is pid ${ownStart}). Stop that stack with: kill ${ownStart}`;
  }
  return `pid ${holder.pid} (${holder.command || "command unknown"}) listens on it. Stop it with: kill ${holder.pid}`;
}
