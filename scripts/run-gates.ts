import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GATE_IDS, GATE_LIST, type Gate, isGateId } from "../policy/gates.ts";
import { readDevStack } from "../runbooks/engine/paths.ts";

// `npm run gates [-- <gate-id>…]`: runs all quality gates, or the named ones, in order, the same
// way CI does, and ends with a pass/fail table. Exit 0 only when every gate that ran passed.
// A gate whose tool is missing (k6) is skipped when not named, and fails when named.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

type Outcome = { gate: Gate; result: "pass" | "FAIL" | "skipped"; seconds: number; note: string };

function which(tool: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    child.once("exit", (code) => resolve(code === 0));
    child.once("error", () => resolve(false));
  });
}

export interface GatesIo {
  log: (line: string) => void;
  error: (line: string) => void;
}

function run(argv: string[], env: NodeJS.ProcessEnv, io: GatesIo): Promise<number> {
  return new Promise((resolve) => {
    const [command, ...args] = argv as [string, ...string[]];
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit", env });
    child.once("error", (error) => {
      io.error(`could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The URL the k6 smoke loads: SMOKE_TARGET, else the local stack npm start runs. */
function smokeTarget(env: NodeJS.ProcessEnv): string {
  return env.SMOKE_TARGET ?? readDevStack(env).appUrl ?? "http://127.0.0.1:3000";
}

/**
 * Runs the named gates (all when none is named) with `env`, writing its own lines through `log`
 * (the gates' commands write to this process's terminal). 0 when every gate that ran passed, 1
 * when one failed, 2 for an unknown gate.
 */
export async function main(
  named: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: GatesIo = { log: console.log, error: console.error },
): Promise<number> {
  const { log } = io;
  const unknown = named.filter((id) => !isGateId(id));
  if (unknown.length > 0) {
    io.error(`unknown gate(s): ${unknown.join(", ")}. Gates: ${GATE_IDS.join(", ")}`);
    return 2;
  }
  const selected = named.length > 0 ? GATE_LIST.filter((g) => named.includes(g.id)) : GATE_LIST;
  const outcomes: Outcome[] = [];
  for (const gate of selected) {
    if (gate.requires && !(await which(gate.requires.tool))) {
      const note = `${gate.requires.tool} is not installed: ${gate.requires.install}`;
      outcomes.push({ gate, result: named.includes(gate.id) ? "FAIL" : "skipped", seconds: 0, note });
      log(`\n■ ${gate.id}: ${note}`);
      continue;
    }
    const shown = gate.command.map((a) => (a === "{target}" ? smokeTarget(env) : a));
    // "node" is this process's own Node (22, which runs .ts); the one on PATH may be older.
    const argv = shown.map((a, i) => (i === 0 && a === "node" ? process.execPath : a));
    log(`\n■ ${gate.id}: ${shown.join(" ")}`);
    const started = Date.now();
    const code = await run(argv, env, io);
    outcomes.push({
      gate,
      result: code === 0 ? "pass" : "FAIL",
      seconds: (Date.now() - started) / 1000,
      note: code === 0 ? "" : `exit ${code}`,
    });
  }
  log("\nquality gates:");
  const width = Math.max(...outcomes.map((o) => o.gate.id.length));
  for (const o of outcomes) {
    log(
      `  ${o.gate.id.padEnd(width)}  ${o.result.padEnd(7)}  ${o.seconds.toFixed(1).padStart(6)} s  ${o.gate.title}${o.note ? ` (${o.note})` : ""}`,
    );
  }
  const failed = outcomes.filter((o) => o.result === "FAIL").length;
  const passed = outcomes.filter((o) => o.result === "pass").length;
  const skipped = outcomes.length - failed - passed;
  log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
