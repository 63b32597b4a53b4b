import { dataDir, REPO_ROOT, RUNBOOKS_DIR } from "../runbooks/engine/paths.ts";
import { startConsole } from "./server.ts";
import { consoleSettings, SettingsError } from "./settings.ts";

// npm run console: serve the built handbook (npm run build) with the console API, print the
// one-time login link, stop cleanly on Ctrl-C (running steps are aborted and recorded).

async function main(): Promise<void> {
  const settings = consoleSettings(process.env, REPO_ROOT);
  const running = await startConsole({
    ...settings,
    runbooksDir: RUNBOOKS_DIR,
    dataDir: dataDir(),
    processEnv: process.env,
  });
  process.stdout.write(`\n[console] handbook and console: ${running.url}/\n`);
  process.stdout.write(`[console] sign in (one-time link): ${running.loginLink()}\n\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("[console] stopping: running steps are aborted and recorded\n");
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[console] failed to stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`[console] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof SettingsError ? 2 : 1);
});
