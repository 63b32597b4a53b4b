import { localDataDir } from "../runbooks/engine/paths.ts";
import { requestLink } from "./link-channel.ts";

// npm run console:link: a fresh one-time sign-in link from the console `npm start` (or `npm run
// console`) runs for this checkout, over its private socket (link-channel.ts). Exit 1 when no
// console answers, with what to do.

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const link = await requestLink(localDataDir(env));
    process.stdout.write(`sign in (one-time link): ${link}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`console:link: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main();
