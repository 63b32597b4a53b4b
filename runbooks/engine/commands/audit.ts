import type { CliIo } from "../cli.ts";
import { appendLedger } from "../ledger.ts";
import { LEDGER_FACTS } from "../ledger-facts.ts";
import { describeReport, verifyLedger } from "../ledger-verify.ts";
import { ParamError } from "../params.ts";
import { dataDir } from "../paths.ts";

// npm run runbook -- audit verify [--json]: walks the audit ledger's hash chain across all its
//   files and checks every checkpoint's signature; exits 0 with the count, or 1 naming the first
//   entry changed, removed or reordered.
// npm run runbook -- audit checkpoint: signs a checkpoint of the chain's head now (an incident's
//   start and end), and prints the head to copy into the incident's timeline.

export const AUDIT_USAGE = `${LEDGER_FACTS.commands.verify} [--json] | ${LEDGER_FACTS.commands.checkpoint}`;
const EXIT = LEDGER_FACTS.exit;

export async function auditCommand(args: string[], values: { json?: boolean }, io: CliIo): Promise<number> {
  const dir = dataDir(io.env);
  const [sub, ...rest] = args;
  if (rest.length > 0)
    throw new ParamError(
      `audit ${sub} takes no further words (got ${rest.join(" ")}); usage: ${AUDIT_USAGE}`,
    );
  if (sub === "verify") {
    const report = await verifyLedger(dir);
    if (values.json) io.out(`${JSON.stringify(report)}\n`);
    else (report.ok ? io.out : io.err)(`${describeReport(report).join("\n")}\n`);
    return report.ok ? EXIT.verified : EXIT.broken;
  }
  if (sub === "checkpoint") {
    const { seq, head } = await appendLedger(dir, [], { checkpoint: "manual" });
    if (values.json) io.out(`${JSON.stringify({ entries: seq, head })}\n`);
    else io.out(`checkpoint signed: the chain has ${seq} entries; head sha256 ${head}\n`);
    return EXIT.verified;
  }
  throw new ParamError(
    `audit needs verify or checkpoint${sub ? ` (not "${sub}")` : ""}; usage: ${AUDIT_USAGE}`,
  );
}
