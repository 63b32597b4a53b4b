import { LEDGER_FACTS } from "../../console/protocol.ts";
import { LEDGER_POLICY } from "../../policy/ledger.ts";
import type { TableView } from "./policy-view.ts";

// The audit ledger's facts for the pages (<LedgerFacts/>, <LedgerCommand/>): the commands, files
// and exit codes from the engine (runbooks/engine/ledger-facts.ts), the numbers from the policy.

export type LedgerCommandName = keyof typeof LEDGER_FACTS.commands;

export const ledgerCommand = (name: LedgerCommandName): string => LEDGER_FACTS.commands[name];

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

export function ledgerView(): TableView {
  const { commands, exit, env } = LEDGER_FACTS;
  return {
    caption: "The audit ledger",
    source: "runbooks/engine/ledger-facts.ts, policy/ledger.ts",
    headers: ["Fact", "Value"],
    rows: [
      ["Check the whole chain", commands.verify],
      ["The same, as one JSON object", commands.verifyJson],
      ["Sign a checkpoint now and print the head", commands.checkpoint],
      ["audit verify exits: chain verified", String(exit.verified)],
      ["audit verify exits: chain broken (the entry is named)", String(exit.broken)],
      ["audit verify exits: refused (bad arguments)", String(exit.refused)],
      [
        "A signed checkpoint after every",
        `${LEDGER_POLICY.checkpointEvery} entries (${env.checkpointEvery})`,
      ],
      ["The current file is rotated at", `${mib(LEDGER_POLICY.rotateBytes)} (${env.rotateBytes})`],
      ["The current file (in the data directory)", LEDGER_FACTS.currentFile],
      ["Rotated files, oldest first", LEDGER_FACTS.rotatedPattern],
      ["The host's signing key (ed25519, owner-only)", LEDGER_FACTS.hostKey],
      ["prev of the chain's first line", LEDGER_FACTS.genesis],
    ],
  };
}
