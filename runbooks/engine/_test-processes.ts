import { existsSync, readFileSync } from "node:fs";

// What the engine's tests need to see processes a step started: the fixture writes their pids to
// a file, and the tests check which are still running after a cancel or a timeout.

/** Pids still running. A zombie (killed, not yet reaped by its new parent) counts as gone. */
export function aliveAfter(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  });
}

export async function waitForPids(file: string, count: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const pids = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number) : [];
    if (pids.length >= count) return pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the fixture did not write ${count} pids to ${file}`);
}
