import { type CliIo, main } from "../../runbooks/engine/cli.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The runbook CLI called in-process through `main(argv, io)`, its output captured: for tests that
 * read only an exit code and output (signals, orphans and locks across processes keep real ones).
 */
export async function runCli(args: string[], io: Omit<CliIo, "out" | "err">): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    ...io,
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
