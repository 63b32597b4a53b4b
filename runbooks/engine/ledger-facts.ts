// The audit ledger's facts that the handbook renders and the code uses (no imports: the page's
// bundle takes it through console/protocol.ts). ledger.ts, ledger-key.ts and commands/audit.ts
// spell their commands, files and exit codes from here.

export const LEDGER_FACTS = {
  commands: {
    verify: "npm run runbook -- audit verify",
    verifyJson: "npm run runbook -- audit verify --json",
    checkpoint: "npm run runbook -- audit checkpoint",
  },
  /** The file appended to, in the data directory; rotated files are numbered before it. */
  currentFile: "audit.jsonl",
  rotatedPattern: "audit.NNNNNN.jsonl",
  /** The host's signing key, in the data directory (the .pub beside it). */
  hostKey: "ledger/host_ed25519",
  /** The prev of the chain's first line. */
  genesis: "0".repeat(64),
  /** Exit codes of audit verify: the CLI's EXIT.ok, EXIT.failed and EXIT.refused. */
  exit: { verified: 0, broken: 1, refused: 2 },
  /** Variables that override the policy's numbers (tests use small ones). */
  env: { checkpointEvery: "RUNBOOK_LEDGER_CHECKPOINT_EVERY", rotateBytes: "RUNBOOK_LEDGER_ROTATE_BYTES" },
} as const;
