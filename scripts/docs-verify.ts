import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type Block,
  BlockError,
  type Command,
  commandsOf,
  extractBlocks,
  isShellBlock,
  markerOf,
  withoutComments,
} from "./lib/doc-blocks.ts";
import { matchOutput } from "./lib/output-match.ts";
import { startThrowawayStack, type ThrowawayStack } from "./lib/throwaway-stack.ts";

// `npm run docs:verify`: runs every shell block a guide page marks `verify` against a throwaway
// stack and compares the output the page shows with the real output. One line per page, then
// `N commands verified, N failed`. The marks, the placeholder grammar and the stack are described
// in scripts/README.md ("docs:verify"); the pieces are in scripts/lib/ (doc-blocks, output-match,
// throwaway-stack) and src/lib/verify-marker.ts.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DOCS_DIR = path.join(ROOT, "src/content/docs");

/** Every guide must contribute this many verified commands when the whole handbook is checked. */
export const MIN_PER_GUIDE = 3;
/** Time one command may take; a block gets this per command (a runbook run starts Node twice). */
export const COMMAND_TIMEOUT_MS = 20_000;

const USAGE = `usage: npm run docs:verify [-- [--docs <dir>] [--concurrency N] [page.mdx …]]
  --docs <dir>       the pages to check (default: src/content/docs); pages named after it are relative to it
  --concurrency N    pages checked at once (default 3)`;

/** What a command may not do even against the throwaway stack: touch anything outside it. */
const REFUSED: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /--env[ =](production|staging)\b/, why: "names a real environment" },
  {
    pattern: /\bnpm\s+(start|ci|install|i|update|uninstall|publish)\b/,
    why: "starts the real stack or changes dependencies",
  },
  {
    pattern: /\bnpm\s+run\s+(-s\s+)?(start|dev:site|console|build)\b/,
    why: "starts or builds outside the throwaway stack",
  },
  { pattern: /\bnpm\s+test\b/, why: "runs the whole suite" },
  {
    pattern: /(^|[\s;&|(])(sudo|docker|gh|git\s+(push|commit|tag|switch|checkout|reset|pull|fetch))\b/,
    why: "acts outside this machine's scratch space",
  },
  {
    pattern: /\b(127\.0\.0\.1|localhost):(3000|4321|8080)\b/,
    why: "reaches a real port (3000, 4321 or 8080)",
  },
];

export interface CommandResult {
  page: string;
  line: number;
  command: string;
  ok: boolean;
  /** Why it failed, in lines for the report. */
  problem?: string[];
}

export interface PageReport {
  page: string;
  guide: string;
  results: CommandResult[];
  notRun: number;
  unmarked: number;
  /** Problems with the page itself (a malformed block, shown output without a mark). */
  errors: string[];
}

function guideOf(page: string): string {
  const first = page.split(/[\\/]/)[0] ?? "";
  return page.includes("/") ? first : "overview";
}

/** The command as it runs: a reader's default app address becomes the stack's. */
export function forStack(command: string, stack: Pick<ThrowawayStack, "appUrl">): string {
  return command.replace(/http:\/\/(127\.0\.0\.1|localhost):3000/g, stack.appUrl);
}

function refusal(command: string): string | null {
  const hit = REFUSED.find((r) => r.pattern.test(command));
  return hit ? hit.why : null;
}

const RS = "\u001e";

/** Runs the block's commands in one bash (so variables carry from one command to the next). */
async function runBlock(
  commands: Command[],
  env: Record<string, string>,
  stack: ThrowawayStack,
): Promise<{ outputs: Array<{ text: string; code: number } | null>; timedOut: boolean; rest: string }> {
  const script = [
    "exec 2>&1 </dev/null",
    ...commands.flatMap((c, i) => [
      `printf '${RS}B${i}\\n'`,
      forStack(c.text, stack),
      `printf '\\n${RS}E${i} %d\\n' "$?"`,
    ]),
  ].join("\n");
  const timeoutMs = COMMAND_TIMEOUT_MS * commands.length;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-c", script], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: a pipeline or a started server must not outlive its block.
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`docs:verify could not start bash: ${error.message}`));
    });
    child.once("close", () => {
      clearTimeout(timer);
      const outputs = commands.map((_, i) => {
        const begin = text.indexOf(`${RS}B${i}\n`);
        if (begin < 0) return null;
        const from = begin + `${RS}B${i}\n`.length;
        const end = new RegExp(`\\n${RS}E${i} (\\d+)\\n`).exec(text.slice(from));
        if (!end) return null;
        return { text: text.slice(from, from + end.index), code: Number(end[1]) };
      });
      resolve({ outputs, timedOut, rest: text.split(RS).pop() ?? "" });
    });
  });
}

function quoteLines(label: string, text: string, max = 6): string[] {
  const lines = text.split("\n");
  const shown = lines.slice(0, max).map((l, i) => `${i === 0 ? label : " ".repeat(label.length)}${l}`);
  if (lines.length > max) shown.push(`${" ".repeat(label.length)}… (${lines.length - max} more lines)`);
  return shown;
}

async function verifyBlock(
  page: string,
  block: Block,
  bare: boolean,
  stack: ThrowawayStack,
): Promise<CommandResult[]> {
  const commands = commandsOf(block);
  const results: CommandResult[] = [];
  const runnable: Command[] = [];
  for (const command of commands) {
    const why = refusal(forStack(withoutComments(command.text), stack));
    if (why) {
      results.push({
        page,
        line: command.line,
        command: command.text,
        ok: false,
        problem: [
          `refused: the command ${why}; rewrite it for the throwaway stack or mark the block norun="…"`,
        ],
      });
    } else runnable.push(command);
  }
  if (runnable.length === 0) return results;
  const { outputs, timedOut, rest } = await runBlock(runnable, bare ? stack.bareEnv : stack.env, stack);
  runnable.forEach((command, i) => {
    const out = outputs[i];
    const base = { page, line: command.line, command: command.text };
    if (!out) {
      results.push({
        ...base,
        ok: false,
        problem: timedOut
          ? [`did not finish within ${(COMMAND_TIMEOUT_MS * runnable.length) / 1000} s (killed)`]
          : [
              "the shell ended before this command finished (an exit in the block?)",
              ...quoteLines("output: ", rest),
            ],
      });
      return;
    }
    if (command.shown === null) {
      results.push(
        out.code === 0
          ? { ...base, ok: true }
          : {
              ...base,
              ok: false,
              problem: [`exited ${out.code}`, ...quoteLines("output: ", out.text.trimEnd(), 10)],
            },
      );
      return;
    }
    const match = matchOutput(command.shown, out.text);
    if (match.ok) {
      results.push({ ...base, ok: true });
      return;
    }
    const line = command.shownLines[match.shownIndex] ?? command.shownLines.at(-1) ?? command.line;
    results.push({
      ...base,
      line,
      ok: false,
      problem: [
        `the page shows ${match.shown === null ? "no more output" : JSON.stringify(match.shown)}`,
        `the command printed ${match.actual === null ? "no more output" : JSON.stringify(match.actual)}`,
        ...quoteLines("full output: ", out.text.trimEnd(), 12),
      ],
    });
  });
  return results.sort((a, b) => a.line - b.line);
}

export async function verifyPage(docsDir: string, page: string, stack: ThrowawayStack): Promise<PageReport> {
  const text = await readFile(path.join(docsDir, page), "utf8");
  const report: PageReport = { page, guide: guideOf(page), results: [], notRun: 0, unmarked: 0, errors: [] };
  for (const block of extractBlocks(text)) {
    let marker: ReturnType<typeof markerOf>;
    try {
      marker = markerOf(block);
    } catch (error) {
      report.errors.push(`${block.line}: ${(error as Error).message}`);
      continue;
    }
    const showsTranscript = block.body.some((l) => l.text.startsWith("$ "));
    if (!isShellBlock(block)) {
      if (showsTranscript || marker.kind !== "none") {
        report.errors.push(
          `${block.line}: a \`${block.lang || "plain"}\` block shows a command with its output: make it \`sh verify\` (or \`sh norun="why"\`)`,
        );
      }
      continue;
    }
    if (marker.kind === "norun") {
      report.notRun += commandsOrLines(block);
      continue;
    }
    if (marker.kind === "none") {
      if (showsTranscript) {
        report.errors.push(
          `${block.line}: this block shows output but is not marked: add verify (or norun="why" when it cannot run here)`,
        );
      }
      report.unmarked += commandsOrLines(block);
      continue;
    }
    try {
      report.results.push(...(await verifyBlock(page, block, marker.bare, stack)));
    } catch (error) {
      if (!(error instanceof BlockError)) throw error;
      report.errors.push(`${error.line}: ${error.message}`);
    }
  }
  return report;
}

function commandsOrLines(block: Block): number {
  try {
    return commandsOf(block).length;
  } catch {
    // A block docs:verify does not run may use any shell syntax (here-documents): count its lines.
    return block.body.filter((l) => l.text.trim() !== "" && !l.text.trim().startsWith("#")).length;
  }
}

async function listPages(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const pages: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) pages.push(...(await listPages(dir, rel)));
    else if (/\.mdx?$/.test(entry.name)) pages.push(rel);
  }
  return pages;
}

function formatPage(report: PageReport): string[] {
  const passed = report.results.filter((r) => r.ok).length;
  const failed = report.results.length - passed;
  const bad = failed > 0 || report.errors.length > 0;
  const parts = [`${passed} verified`];
  if (failed) parts.push(`${failed} failed`);
  if (report.notRun) parts.push(`${report.notRun} not run here`);
  if (report.unmarked) parts.push(`${report.unmarked} not marked`);
  const lines = [`${bad ? "✘" : "✔"} ${report.page}  ${parts.join(", ")}`];
  for (const error of report.errors) lines.push(`    ${report.page}:${error}`);
  for (const result of report.results.filter((r) => !r.ok)) {
    lines.push(`    ${report.page}:${result.line}: $ ${result.command.split("\n")[0]}`);
    for (const problem of result.problem ?? []) lines.push(`        ${problem}`);
  }
  return lines;
}

export interface Summary {
  verified: number;
  failed: number;
  notRun: number;
  unmarked: number;
  perGuide: Record<string, number>;
  reports: PageReport[];
}

const OPTIONS = {
  docs: { type: "string" },
  concurrency: { type: "string" },
  help: { type: "boolean" },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    log(`docs:verify: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    log(USAGE);
    return 0;
  }
  const docsDir = path.resolve(args.values.docs ?? DOCS_DIR);
  const concurrency = Number(args.values.concurrency ?? 3);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    log(
      `docs:verify: --concurrency must be a whole number of at least 1, not "${args.values.concurrency}"\n${USAGE}`,
    );
    return 2;
  }
  const pages = args.positionals.length > 0 ? args.positionals : await listPages(docsDir);
  const wholeHandbook = args.positionals.length === 0;
  const started = Date.now();
  const stack = await startThrowawayStack();
  log(
    `docs:verify: throwaway stack: app ${stack.appUrl}, its own database and Redis prefix ${stack.redisPrefix}`,
  );
  const summary: Summary = { verified: 0, failed: 0, notRun: 0, unmarked: 0, perGuide: {}, reports: [] };
  try {
    const reports: Array<PageReport | undefined> = [];
    let printed = 0;
    let next = 0;
    const flush = () => {
      while (printed < pages.length && reports[printed]) {
        for (const line of formatPage(reports[printed] as PageReport)) log(line);
        printed += 1;
      }
    };
    const worker = async () => {
      while (next < pages.length) {
        const index = next;
        next += 1;
        const page = pages[index] as string;
        reports[index] = await verifyPage(docsDir, page, stack).catch(
          (error: unknown): PageReport => ({
            page,
            guide: guideOf(page),
            results: [],
            notRun: 0,
            unmarked: 0,
            errors: [`1: could not be checked: ${(error as Error).message}`],
          }),
        );
        flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pages.length) }, worker));
    for (const report of reports as PageReport[]) {
      const passed = report.results.filter((r) => r.ok).length;
      summary.verified += passed;
      summary.failed += report.results.length - passed + report.errors.length;
      summary.notRun += report.notRun;
      summary.unmarked += report.unmarked;
      summary.perGuide[report.guide] = (summary.perGuide[report.guide] ?? 0) + passed;
      summary.reports.push(report);
    }
  } finally {
    await stack.stop();
  }
  const guides = Object.entries(summary.perGuide);
  log(`per guide: ${guides.map(([guide, n]) => `${guide} ${n}`).join(", ")}`);
  if (wholeHandbook) {
    for (const [guide, n] of guides) {
      if (guide !== "overview" && n < MIN_PER_GUIDE) {
        summary.failed += 1;
        log(
          `✘ ${guide}: only ${n} verified commands; every guide needs at least ${MIN_PER_GUIDE} (mark more blocks verify)`,
        );
      }
    }
  }
  log(
    `${summary.notRun} commands not run here (marked norun), ${summary.unmarked} in blocks not marked; ${Math.round((Date.now() - started) / 100) / 10} s`,
  );
  log(`${summary.verified} commands verified, ${summary.failed} failed`);
  return summary.failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`docs:verify: failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
