import { dataDir, localDataDir, REPO_ROOT, RUNBOOKS_DIR } from "../runbooks/engine/paths.ts";
import { looseModeWarnings, privateUmask } from "../runbooks/engine/private-files.ts";
import { openLinkChannel } from "./link-channel.ts";
import { type ConsoleServer, startConsole } from "./server.ts";
import { consoleSettings, SettingsError } from "./settings.ts";

// npm run console: serve the built handbook (npm run build) with the console API, print the
// one-time login link, stop cleanly on Ctrl-C (running steps are aborted and recorded).
// `main` is importable: it resolves with the running console, or sets process.exitCode (2 for a
// bad setting, 1 for anything else) and resolves with null.

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<ConsoleServer | null> {
  let running: ConsoleServer;
  // Files the console and its runs create (audit log, run files, locks) are the operator's alone.
  privateUmask();
  for (const line of looseModeWarnings(localDataDir(env))) process.stderr.write(`[console] ${line}\n`);
  try {
    const settings = consoleSettings(env, REPO_ROOT);
    running = await startConsole({
      ...settings,
      runbooksDir: RUNBOOKS_DIR,
      dataDir: dataDir(env),
      processEnv: env,
    });
  } catch (error) {
    process.stderr.write(`[console] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof SettingsError ? 2 : 1;
    return null;
  }
  process.stdout.write(`\n[console] handbook and console: ${running.url}/\n`);
  process.stdout.write(`[console] sign in (one-time link): ${running.loginLink()}\n`);
  // npm run console:link asks for a fresh link over a socket only this OS user can use.
  try {
    const channel = await openLinkChannel(localDataDir(env), running);
    const close = running.close.bind(running);
    running.close = async () => {
      await channel.close();
      await close();
    };
    process.stdout.write(
      "[console] a new link later: npm run console:link; a named operator's: npm run console:link -- --operator <name>\n\n",
    );
  } catch (error) {
    process.stderr.write(
      `[console] npm run console:link will not work: ${error instanceof Error ? error.message : String(error)}\n\n`,
    );
  }
  return running;
}

/** Ctrl-C and SIGTERM stop the console once: running steps are aborted and recorded first. */
function stopOnSignals(running: ConsoleServer): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("[console] stopping: running steps are aborted and recorded\n");
    running.close().then(
      () => {
        process.exitCode = 0;
        exitWhenStuck();
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
      },
      (error: unknown) => {
        process.stderr.write(`[console] failed to stop cleanly: ${String(error)}\n`);
        process.exitCode = 1;
        exitWhenStuck();
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** After a clean close nothing should hold the loop; if something does, say so and leave anyway. */
function exitWhenStuck(): void {
  setTimeout(() => {
    process.stderr.write("[console] something still held the process 5 s after it stopped; exiting\n");
    process.exit(process.exitCode ?? 1);
  }, 5_000).unref();
}

if (import.meta.main) {
  const running = await main();
  if (running) stopOnSignals(running);
}
