import { access, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { appendAuditEntries } from "../../runbooks/engine/audit.ts";

// A process that appends refusals to an audit ledger one at a time, as the console and a CLI do:
// node ledger-appender.ts <dir> <label> <count> <peer-label>. It waits until its peer is ready too
// (a file each in <dir>/ready-*), so the two processes append at the same time.

const [dir = "", label = "", countText = "0", peer = ""] = process.argv.slice(2);
await writeFile(path.join(dir, `ready-${label}`), "");
for (;;) {
  try {
    await access(path.join(dir, `ready-${peer}`));
    break;
  } catch {
    await sleep(5);
  }
}
for (let i = 1; i <= Number(countText); i++) {
  await appendAuditEntries(dir, [
    {
      kind: "refusal",
      at: new Date().toISOString(),
      source: "cli",
      who: `${label} (pid ${process.pid})`,
      what: `append ${i}`,
      rule: "test",
      reason: `${label} #${i}`,
      count: 1,
    },
  ]);
}
