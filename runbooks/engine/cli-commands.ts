// The CLI's own commands. `npm run runbook -- <word>` means the command, never a runbook: the
// catalog refuses a runbook whose id is one of these, so neither can shadow the other.

export const CLI_COMMANDS = [
  "list",
  "history",
  "disable",
  "enable",
  "approve",
  "audit",
  "budget",
  "diff",
  "exercised",
  "operators",
  "help",
] as const;

export type CliCommand = (typeof CLI_COMMANDS)[number];

export function isCliCommand(word: string): word is CliCommand {
  return (CLI_COMMANDS as readonly string[]).includes(word);
}
