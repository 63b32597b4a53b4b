// The build check "a page never types a fact the code owns" (README, "Facts the code owns").
// It reads the code on a page (inline code spans and code blocks) and fails on:
//   unknown-env      a variable that looks like one of the app's but is not in the schema: within
//                    two edits of a real name, or four when it shares a family prefix (PG_, RATE_LIMIT_ …)
//   typed-default    `NAME=value` / `NAME: value` in code, with value equal to the schema default
//                    (shell blocks excepted: they are commands, checked by running them), or a
//                    default typed after a variable's code span: "`NAME` (10)", "`NAME` defaults to 10"
//   unknown-metric   a metric-like name (an app metric's first word and a unit suffix, or within
//                    two letters of a real metric) that the app's registry does not declare
//   unknown-error    a code within two letters of an app error code that is not one
//   wrong-status     an app error code and a different HTTP status on one line of code
//   unknown-step     `runbook -- <id> … --step|--from <step>` or `?runbook=<id>&step=<step>` naming a
//                    runbook or step the catalog does not have
//   typed-benchmark  in prose (checkProse): a number followed by req/s or "requests per second", or
//                    a figure equal to one in the committed results files (bench/results/*.json)
// Pure: the facts come in as arguments (hand-typed-facts-remark.ts passes the real ones).

export interface KnownFacts {
  /** Variable → its default as text (formatDefault), for every variable of the config schema. */
  env: ReadonlyMap<string, string>;
  metrics: ReadonlySet<string>;
  /** App error code → HTTP status. */
  errors: ReadonlyMap<string, number>;
  /** Runbook id → its step ids. */
  runbooks: ReadonlyMap<string, readonly string[]>;
  /** The figures of the committed benchmark results as a page would show them ("57.2 ms", "2,692 req/s"). */
  benchmarkFigures?: ReadonlySet<string>;
  /** The CLI's own command words (runbooks/engine/cli-commands.ts), which are not runbook ids. */
  cliCommands?: ReadonlySet<string>;
}

/** The CLI's commands the check knew before it was told them (KnownFacts.cliCommands). */
const DEFAULT_CLI_COMMANDS: ReadonlySet<string> = new Set(["list", "history", "disable", "enable"]);

/** A line of a page's prose (tables included), inline code removed, with its 1-based line number. */
export interface ProseLine {
  text: string;
  line: number;
}

export interface CodeSnippet {
  kind: "span" | "block";
  /** The code block's language (sh, ts, …); "" for a span or an unlabelled block. */
  lang: string;
  text: string;
  /** 1-based line of the snippet's first line in the page. */
  line: number;
  /** For a span: the prose right after it in the same paragraph. */
  after?: string;
}

export interface Finding {
  rule:
    | "unknown-env"
    | "typed-default"
    | "unknown-metric"
    | "unknown-error"
    | "wrong-status"
    | "unknown-step"
    | "typed-benchmark";
  line: number;
  found: string;
  fix: string;
}

const SHELL = new Set(["sh", "bash", "shell", "console", "zsh"]);
const UNIT_SUFFIX = /_(total|seconds|bytes|bucket|count|sum|info|ratio)$/;
const HISTOGRAM_PART = /_(bucket|sum|count)$/;

/** Edit distance, or `max + 1` as soon as it is known to exceed `max`. */
export function levenshtein(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const nearest = (token: string, names: Iterable<string>, minLength: number, max = 2): string | undefined => {
  if (token.length < minLength) return undefined;
  for (const name of names) if (name !== token && levenshtein(token, name, max) <= max) return name;
  return undefined;
};

/** First words shared by at least two variables (PG_, REDIS_, RATE_LIMIT_ …): a new name there is a typo or stale. */
export function envFamilies(env: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const name of env) {
    const parts = name.split("_");
    for (let n = 1; n < parts.length; n++) {
      const prefix = `${parts.slice(0, n).join("_")}_`;
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, c]) => c >= 2).map(([p]) => p);
}

function* linesOf(snippet: CodeSnippet): Generator<{ text: string; line: number }> {
  const lines = snippet.text.split("\n");
  // A fenced block's first code line is one below the fence.
  const first = snippet.kind === "block" ? snippet.line + 1 : snippet.line;
  for (const [i, text] of lines.entries()) yield { text, line: first + i };
}

export function checkSnippets(snippets: readonly CodeSnippet[], facts: KnownFacts): Finding[] {
  const findings: Finding[] = [];
  const families = envFamilies(facts.env.keys());
  const metricWords = new Set([...facts.metrics].map((m) => m.split("_")[0]));
  const envTable = "the generated table (<EnvTable/>, Configuration page)";

  for (const snippet of snippets) {
    for (const { text, line } of linesOf(snippet)) {
      const upper = new Set(text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []);
      for (const token of upper) {
        if (facts.env.has(token) || facts.errors.has(token)) continue;
        // In a family (PG_, RATE_LIMIT_ …) a name up to four edits from a real one is a rename or
        // typo (PG_POOL_SIZE); further off it is another system's variable (Railway's REDIS_PUBLIC_URL).
        const inFamily = families.some((f) => token.startsWith(f));
        const near = nearest(token, facts.env.keys(), 6, inFamily ? 4 : 2);
        if (near) {
          findings.push({
            rule: "unknown-env",
            line,
            found: token,
            fix: `${token} is not a variable of practice-app/src/config/config.ts; did you mean ${near}? (variables: ${envTable})`,
          });
          continue;
        }
        const nearError = nearest(token, facts.errors.keys(), 5);
        if (nearError)
          findings.push({
            rule: "unknown-error",
            line,
            found: token,
            fix: `${token} is not an app error code; did you mean ${nearError}? (codes: <ErrorCodes/>)`,
          });
      }

      if (!SHELL.has(snippet.lang)) {
        for (const m of text.matchAll(/\b([A-Z][A-Z0-9_]+)\s*[=:]\s*["']?([^\s"'`,;)]*)/g)) {
          const [, name = "", value = ""] = m;
          const def = facts.env.get(name);
          if (def !== undefined && value !== "" && value === def)
            findings.push({
              rule: "typed-default",
              line,
              found: m[0],
              fix: `${m[0].trim()} repeats the default of ${name} (${def}) by hand; leave it out (the app applies it) or show it with <EnvDefault name="${name}"/>`,
            });
        }
      }

      for (const token of new Set(text.match(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g) ?? [])) {
        if (facts.metrics.has(token) || facts.metrics.has(token.replace(HISTOGRAM_PART, ""))) continue;
        const metricLike = UNIT_SUFFIX.test(token) && metricWords.has(token.split("_")[0] ?? "");
        const near = nearest(token, facts.metrics, 8);
        if (metricLike || near)
          findings.push({
            rule: "unknown-metric",
            line,
            found: token,
            fix: `${token} is not a metric the app declares${near ? `; did you mean ${near}?` : ""} (metrics: <Metrics/>, from practice-app/src/metrics.ts)`,
          });
      }

      const statuses = text.match(/\b[1-5]\d\d\b/g) ?? [];
      if (statuses.length === 1)
        for (const [code, status] of facts.errors)
          if (new RegExp(`\\b${code}\\b`).test(text) && statuses[0] !== String(status))
            findings.push({
              rule: "wrong-status",
              line,
              found: `${code} … ${statuses[0]}`,
              fix: `${code} is sent as HTTP ${status}, not ${statuses[0]}; render it with <ErrorCodes/>`,
            });

      const step = (id: string, stepId: string | undefined) => {
        const steps = facts.runbooks.get(id);
        if (!steps)
          findings.push({
            rule: "unknown-step",
            line,
            found: id,
            fix: `there is no runbook ${id}; runbooks: ${[...facts.runbooks.keys()].join(", ")}`,
          });
        else if (stepId !== undefined && !steps.includes(stepId))
          findings.push({
            rule: "unknown-step",
            line,
            found: `${id} ${stepId}`,
            fix: `runbook ${id} has no step ${stepId}; its steps: ${steps.join(", ")}`,
          });
      };
      const cli = /\brunbook\s+--\s+([a-z][\w-]*)(.*)$/.exec(text);
      // The CLI's own commands (list, history, diff, …: cli-commands.ts) are not runbook ids.
      if (cli?.[1] && !(facts.cliCommands ?? DEFAULT_CLI_COMMANDS).has(cli[1])) {
        const rest = cli[2] ?? "";
        const stepIds = [...rest.matchAll(/--(?:step|from)[ =]([\w-]+)/g)].map((m) => m[1]);
        if (stepIds.length === 0) step(cli[1], undefined);
        for (const s of stepIds) step(cli[1], s);
      }
      for (const m of text.matchAll(/[?&]runbook=([\w-]+)(?:&(?:[\w.]+=[^&\s]*&)*?step=([\w-]+))?/g))
        step(m[1] ?? "", m[2]);
    }

    if (snippet.kind === "span" && facts.env.has(snippet.text.trim()) && snippet.after) {
      const name = snippet.text.trim();
      const typed =
        /^\s*(?:\((?:default:?\s*)?`?([\d][\d_,.]*\s*(?:ms|s|min|h|days?)?|true|false)`?\)|,?\s*(?:which\s+)?defaults?\s+(?:to\s+|is\s+)?(\d[\w.]*|true|false)\b)/.exec(
          snippet.after,
        );
      if (typed)
        findings.push({
          rule: "typed-default",
          line: snippet.line,
          found: `\`${name}\`${typed[0]}`,
          fix: `the default of ${name} (${facts.env.get(name)}) is typed by hand after its name; write <EnvDefault name="${name}"/> instead`,
        });
    }
  }
  return findings;
}

const THROUGHPUT = /(?<![\w.,])\d[\d,.]*\s*(?:req\/s|requests? (?:per|a) second)\b/g;

/** typed-benchmark: a throughput typed by hand, or any figure a results file holds, in a page's prose. */
export function checkProse(lines: readonly ProseLine[], facts: KnownFacts): Finding[] {
  const findings: Finding[] = [];
  const fix =
    'benchmark and load-test figures come from the committed results files: write <Figure of="app.exercises.next.rps"/> or <BenchmarkTable run="app"/> (src/components), and rerun npm run bench:app / bench:site to change them';
  for (const { text, line } of lines) {
    const found = new Set<string>();
    for (const m of text.matchAll(THROUGHPUT)) found.add(m[0]);
    for (const figure of facts.benchmarkFigures ?? []) {
      const at = text.indexOf(figure);
      if (at >= 0 && !/[\w.,]/.test(text[at - 1] ?? "") && !/\w/.test(text[at + figure.length] ?? ""))
        found.add(figure);
    }
    for (const f of found) findings.push({ rule: "typed-benchmark", line, found: f, fix });
  }
  return findings;
}

export function formatFindings(page: string, findings: readonly Finding[]): string {
  return [
    `${page}: ${findings.length} fact${findings.length === 1 ? "" : "s"} typed by hand where the code owns ${findings.length === 1 ? "it" : "them"} (README, "Facts the code owns"):`,
    ...findings.map((f) => `  ${page}:${f.line} [${f.rule}] ${f.found}\n    fix: ${f.fix}`),
  ].join("\n");
}
