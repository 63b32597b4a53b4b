// The audit ledger's rules (runbooks/engine/ledger.ts): how often the host signs a checkpoint of
// the hash chain and at what size the log is rotated into a numbered file. Pure data.

export const LEDGER_POLICY = {
  /** A signed checkpoint after every this many entries of the chain (checkpoints included). */
  checkpointEvery: 100,
  /** The current file (audit.jsonl) is rotated before an append once it is this large, in bytes. */
  rotateBytes: 4 * 1024 * 1024,
} as const;
