import { parseArgs } from "node:util";
import { localDataDir } from "../runbooks/engine/paths.ts";
import { operatorNameProblem } from "./identity.ts";
import { requestLink } from "./link-channel.ts";

// npm run console:link: a fresh one-time sign-in link from the console `npm start` (or `npm run
// console`) runs for this checkout, over its private socket (link-channel.ts). With
// `-- --operator <name>`, a personal link for that operator (a principal of the allowed-signers
// file), who then signs in, runs and is audited as themselves. Exit 1 when no console answers or
// it refuses the name, 2 for a bad argument, each with what to do.

export async function main(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let operator: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { operator: { type: "string" } }, strict: true });
    operator = values.operator;
  } catch (error) {
    process.stderr.write(
      `console:link: ${error instanceof Error ? error.message : String(error)}\nusage: npm run console:link [-- --operator <name>]\n`,
    );
    return 2;
  }
  const problem = operator === undefined ? null : operatorNameProblem(operator);
  if (problem) {
    process.stderr.write(`console:link: ${problem}\n`);
    return 2;
  }
  try {
    const link = await requestLink(localDataDir(env), undefined, operator);
    process.stdout.write(
      operator === undefined
        ? `sign in (one-time link): ${link}\n`
        : `sign-in link for ${operator} (one-time, personal: send it to them only): ${link}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`console:link: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main();
