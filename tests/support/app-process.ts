import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// Runs the app as its own process, the way `npm run app` does, for start-up and signal tests.

export const MAIN = fileURLToPath(new URL("../../practice-app/src/main.ts", import.meta.url));

export interface AppProcess {
  child: ChildProcess;
  url: Promise<string>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
}

/** `nodeArgs` go before the app's file (`--import` a probe). */
export function spawnApp(env: Record<string, string>, nodeArgs: string[] = []): AppProcess {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>(
    (resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal, afterMs: Date.now() - started })),
  );
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(text);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    exited.then(({ code }) => reject(new Error(`app exited with ${code} before listening:\n${text}`)));
  });
  url.catch(() => undefined);
  return { child, url, output: () => text, exited };
}
