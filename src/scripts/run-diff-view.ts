import { API, type RunDiff, type RunDiffResponse } from "../../console/protocol.ts";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { getJson, getText } from "./console-api.ts";
import { drawLoadOverlay } from "./load-chart-view.ts";

// The run history's "compare with previous": the console's run diff (the same as
// `npm run runbook -- diff`) as a table of A (the earlier run) and B side by side, each line
// marked and classed by what changed; for a load-test summary both runs left, the verdicts and
// the two charts overlaid. Every text is set as text.

type Change = RunDiff["steps"][number]["change"];

const MARK: Record<Change, string> = { same: "", changed: "≠", "only-a": "−", "only-b": "+" };
const SAID: Record<Change, string> = {
  same: "same",
  changed: "changed",
  "only-a": "only in A",
  "only-b": "only in B",
};

function el(tag: string, text?: string, className?: string): HTMLElement {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

const show = (value: unknown): string =>
  value === undefined ? "(absent)" : typeof value === "string" ? value : JSON.stringify(value);

/** Fetches the diff of `runId` with the run before it (or `withRun`) and draws it. */
export async function loadRunDiff(runId: string, withRun?: string): Promise<HTMLElement> {
  const { diff } = await getJson<RunDiffResponse>(API.diff(runId, withRun));
  const view = drawRunDiff(diff);
  for (const artifact of diff.artifacts) {
    if (artifact.comparison?.kind !== "load-test") continue;
    try {
      const [a, b] = await Promise.all([
        getText(API.artifact(diff.a.runId, artifact.name)),
        getText(API.artifact(diff.b.runId, artifact.name)),
      ]);
      view.append(
        drawLoadOverlay(JSON.parse(a) as LoadSummary, JSON.parse(b) as LoadSummary, {
          a: `run ${diff.a.runId} (A)`,
          b: `run ${diff.b.runId} (B)`,
        }),
      );
    } catch (error) {
      view.append(el("p", `Could not draw the two ${artifact.title.toLowerCase()}s: ${String(error)}`));
    }
  }
  return view;
}

export function drawRunDiff(diff: RunDiff): HTMLElement {
  const figure = el("figure", undefined, "run-diff");
  figure.dataset.runA = diff.a.runId;
  figure.dataset.runB = diff.b.runId;
  figure.append(
    el(
      "figcaption",
      `${diff.a.title}: run ${diff.a.runId} (A, ${diff.a.startedAt}) compared with run ${diff.b.runId} (B, ${diff.b.startedAt}). ${diff.changed ? "Marked lines changed: ≠ changed, − only in A, + only in B." : "Nothing differs but durations."}`,
    ),
  );
  for (const warning of diff.warnings) figure.append(el("p", `Warning: ${warning}.`, "run-diff-warning"));
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const title of ["Change", "What", `A (${diff.a.runId})`, `B (${diff.b.runId})`, "Note"])
    head.append(el("th", title));
  const body = table.createTBody();
  const section = (title: string) => {
    const row = body.insertRow();
    row.className = "run-diff-section";
    const cell = el("th", title);
    cell.setAttribute("colspan", "5");
    cell.setAttribute("scope", "rowgroup");
    row.append(cell);
  };
  const row = (change: Change, what: string, a: string, b: string, note = "") => {
    const tr = body.insertRow();
    tr.className = `diff-${change}`;
    tr.dataset.change = change;
    tr.dataset.what = what;
    const mark = el("td", MARK[change], "diff-mark");
    mark.title = SAID[change];
    // Screen readers hear the word, not the sign.
    mark.setAttribute("aria-label", SAID[change]);
    tr.append(mark, el("td", what), el("td", a), el("td", b), el("td", note));
  };
  const same = (x: unknown, y: unknown): Change => (x === y ? "same" : "changed");
  const { a, b } = diff;
  section("Run");
  row(same(a.runbook, b.runbook), "runbook", a.runbook, b.runbook);
  row(same(a.env, b.env), "environment", a.env, b.env);
  row(
    same(`${a.plan}${a.status}`, `${b.plan}${b.status}`),
    "status",
    `${a.plan ? "plan, " : ""}${a.status}`,
    `${b.plan ? "plan, " : ""}${b.status}`,
  );
  row("same", "took", `${(a.durationMs / 1000).toFixed(1)} s`, `${(b.durationMs / 1000).toFixed(1)} s`);
  row(same(a.actor, b.actor), "who", a.actor, b.actor);
  row(same(a.commit, b.commit), "commit", a.commit.slice(0, 12), b.commit.slice(0, 12));
  if (diff.params.length) {
    section("Parameters");
    for (const p of diff.params) row(p.change, p.name, show(p.a), show(p.b));
  }
  section("Steps");
  for (const s of diff.steps) {
    const side = (x: typeof s.a) =>
      x
        ? `${x.status} in ${x.durationMs} ms${x.error ? `: ${x.error.split("\n")[0]}` : ""}`
        : "(did not run)";
    const delta =
      s.durationDeltaMs === null ? "" : `${s.durationDeltaMs >= 0 ? "+" : ""}${s.durationDeltaMs} ms`;
    row(
      s.change === "same" && s.durationChanged ? "changed" : s.change,
      s.title,
      side(s.a),
      side(s.b),
      s.durationChanged ? `${delta} (${(s.durationDeltaMs ?? 0) > 0 ? "slower" : "faster"})` : delta,
    );
  }
  for (const t of diff.tables) {
    section(`Table “${t.title}” (step ${t.step}; rows matched by their first column)`);
    if (t.change === "only-a" || t.change === "only-b")
      row(
        t.change,
        t.title,
        t.change === "only-a" ? "emitted" : "(none)",
        t.change === "only-b" ? "emitted" : "(none)",
      );
    for (const r of t.rows) {
      const cells = (x: typeof r.a) =>
        x
          ? t.columns
              .slice(1)
              .map((c) => `${c.label} ${x[c.key] ?? ""}`)
              .join(", ")
          : "(no row)";
      row(
        r.change,
        r.key,
        cells(r.a),
        cells(r.b),
        r.changedColumns.length ? `changed: ${r.changedColumns.join(", ")}` : "",
      );
    }
  }
  if (diff.results.length) {
    section("Step results");
    for (const r of diff.results) row(r.change, r.name, show(r.a), show(r.b));
  }
  if (diff.artifacts.length) {
    section("Artifacts");
    for (const x of diff.artifacts) {
      const file = (s: typeof x.a) =>
        s ? `${s.file} (${s.bytes} B, sha256 ${s.sha256.slice(0, 8)})` : "(none)";
      const c = x.comparison;
      row(
        x.change,
        x.title,
        file(x.a),
        file(x.b),
        c?.kind === "lines"
          ? `${c.onlyA} line(s) only in A, ${c.onlyB} only in B`
          : c?.kind === "unreadable"
            ? c.reason
            : "",
      );
      if (c?.kind === "load-test")
        for (const m of c.comparison.measures)
          row(
            m.verdict === "regressed" || m.verdict === "improved" ? "changed" : "same",
            m.title,
            measure(m.unit, m.baseline),
            measure(m.unit, m.current),
            m.text,
          );
    }
  }
  const scroll = el("div", undefined, "history-scroll");
  // A wide table scrolls inside its region, which the keyboard can reach and a screen reader names.
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", `Differences between runs ${diff.a.runId} and ${diff.b.runId}`);
  scroll.append(table);
  figure.append(scroll);
  return figure;
}

function measure(unit: string, value: number | null): string {
  if (value === null) return "–";
  return unit === "ratio" ? `${Number((value * 100).toFixed(2))}%` : `${Number(value.toFixed(1))} ${unit}`;
}
