import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { catalog, findRunbook } from "./catalog.ts";
import { ENVIRONMENTS, EnvironmentError } from "./environments.ts";
import type { RunEvent } from "./events.ts";
import { LockedError } from "./lock.ts";
import { ParamError, parsePairs } from "./params.ts";
import { RunRefused, runRunbook } from "./run.ts";

// npm run runbook -- list
// npm run runbook -- <id> [--step s | --from s | --resume RUN] [--env dev] [--param k=v]… [--plan] [--yes] [--json]

const USAGE = `usage:
  npm run runbook -- list
  npm run runbook -- <id> [--env ${ENVIRONMENTS.join("|")}] [--param key=value]... [--step id | --from id | --resume run-id] [--plan] [--yes] [--json]
  npm run runbook -- <id> --help`;

const ICON: Record<string, string> = { ok: "✔", failed: "✘", skipped: "↷", cancelled: "■", "timed-out": "⏱" };

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command] = positionals;
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  if (command === "list") {
    const entries = await catalog();
    if (values.json) {
      console.log(
        JSON.stringify(
          entries.map(({ source: _s, steps, ...rest }) => ({
            ...rest,
            steps: steps.map(({ source: _x, ...s }) => s),
          })),
        ),
      );
      return 0;
    }
    const width = Math.max(...entries.map((e) => e.id.length));
    let guide = "";
    for (const entry of entries.sort((a, b) => a.guide.localeCompare(b.guide) || a.id.localeCompare(b.id))) {
      if (entry.guide !== guide) {
        guide = entry.guide;
        console.log(`\n${guide}`);
      }
      const worst = entry.steps.some((s) => s.danger === "destructive")
        ? "destructive"
        : entry.steps.some((s) => s.danger === "change")
          ? "change"
          : "read";
      console.log(`  ${entry.id.padEnd(width)}  ${worst.padEnd(11)}  ${entry.title}`);
    }
    return 0;
  }

  const runbook = await findRunbook(command);
  if (values.help) {
    const entry = (await catalog()).find((e) => e.id === runbook.id);
    console.log(`${runbook.title} (${runbook.id})\n${runbook.summary}\n\nsteps:`);
    for (const s of runbook.steps) console.log(`  ${s.id.padEnd(24)} ${s.danger.padEnd(11)} ${s.title}`);
    console.log("\nparameters:");
    for (const p of entry?.params ?? []) {
      console.log(
        `  ${p.name.padEnd(24)} ${p.type}${p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : ""}  ${p.description}`,
      );
    }
    if (!entry?.params.length) console.log("  (none)");
    return 0;
  }

  const json = values.json === true;
  const render = json ? (event: RunEvent) => console.log(JSON.stringify(event)) : renderForTerminal();
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    console.error("\ncancelling: stopping the current step and its child processes (Ctrl-C again to force)");
    controller.abort();
  });
  const result = await runRunbook(runbook, {
    env: values.env ?? "dev",
    params: parsePairs(values.param ?? []),
    ...(values.step ? { step: values.step } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.resume ? { resume: values.resume } : {}),
    plan: values.plan === true,
    confirm: values.yes === true ? true : askInTerminal,
    signal: controller.signal,
    emit: render,
  });
  if (!json && result.status !== "ok") {
    console.error(
      `\nto resume from the failed step: npm run runbook -- ${runbook.id} --resume ${result.runId}`,
    );
  }
  return result.status === "ok" ? 0 : result.status === "cancelled" ? 130 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: "string" },
      param: { type: "string", multiple: true },
      step: { type: "string" },
      from: { type: "string" },
      resume: { type: "string" },
      plan: { type: "boolean" },
      yes: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
}

async function askInTerminal(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new RunRefused(
      "this run has destructive steps and no terminal to confirm them in: pass --yes to confirm",
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function renderForTerminal(): (event: RunEvent) => void {
  const titles = new Map<string, string>();
  return (event) => {
    switch (event.type) {
      case "run-start":
        for (const s of event.steps) titles.set(s.id, s.title);
        console.log(
          `${event.title} · ${event.runbook} · env ${event.env.toUpperCase()}${event.plan ? " · PLAN (nothing changes)" : ""} · run ${event.runId}`,
        );
        if (event.resumedFrom) console.log(`resuming run ${event.resumedFrom}`);
        break;
      case "step-start":
        console.log(
          `\n▶ [${event.index + 1}/${event.total}] ${titles.get(event.step) ?? event.step} (${event.danger})`,
        );
        break;
      case "output":
        (event.stream === "stderr" ? process.stderr : process.stdout).write(`  │ ${event.line}\n`);
        break;
      case "step-end":
        console.log(
          `${ICON[event.status] ?? "?"} ${event.planned ? "planned" : event.status} in ${event.durationMs} ms${event.error ? `: ${event.error}` : ""}`,
        );
        break;
      case "run-end":
        console.log(
          `\n${event.status === "ok" ? "✔ done" : `${ICON[event.status] ?? "✘"} ${event.status}${event.failedStep ? ` at step "${event.failedStep}"` : ""}`} in ${(event.durationMs / 1000).toFixed(1)} s`,
        );
        break;
    }
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof ParamError ||
      error instanceof RunRefused ||
      error instanceof EnvironmentError ||
      error instanceof LockedError;
    console.error(
      known
        ? `refused: ${(error as Error).message}`
        : `runbook failed to start: ${error instanceof Error ? error.stack : String(error)}`,
    );
    process.exit(known ? 2 : 1);
  },
);
