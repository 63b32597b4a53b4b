import {
  API,
  type AuditFilter,
  type AuditResponse,
  type AuditVerifyResponse,
  type RunLogResponse,
} from "../../console/protocol.ts";
import { ResumeBox, rerunButtons } from "./audit-resume.ts";
import { detectConsole, getJson, getText } from "./console-api.ts";
import { runAsText } from "./run-text.ts";
import { signedInLine } from "./signed-in.ts";

// The audit view's page side (src/components/AuditView.astro): asks the console for the audit log
// (GET /api/audit) with the form's filters and lists every run and refused attempt; a run's output
// and artifacts open below the table. Above it, whether the ledger's hash chain verifies (GET
// /api/audit/verify): "verified: N entries", or the entry where it broke. Text goes in with
// textContent only.

async function init(section: HTMLElement): Promise<void> {
  const state = await detectConsole();
  if (state.kind === "static") return;
  (section.querySelector(".audit-static") as HTMLElement).hidden = true;
  if (state.kind === "signed-out") {
    const notice = section.querySelector(".audit-signin") as HTMLElement;
    notice.hidden = false;
    notice.textContent = `${state.message}. A new sign-in link: npm run console:link (-- --operator <name> for a person), or sign in with an SSH key at /console/login`;
    return;
  }
  const form = section.querySelector(".audit-filter") as HTMLFormElement;
  form.hidden = false;
  form.before(signedInLine(state.info));
  const params = new URLSearchParams(location.search);
  for (const name of ["runbook", "env", "actor", "result"] as const) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (field && params.get(name)) field.value = params.get(name) ?? "";
  }
  // After a resume or re-run from a row, the table is read again with the form's filters.
  const box: ResumeBox = new ResumeBox(section, (): Promise<void> => show(section, filterOf(form), box));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const filter = filterOf(form);
    history.replaceState(null, "", `?${new URLSearchParams(filter as Record<string, string>)}`);
    void show(section, filter, box);
  });
  await Promise.all([show(section, filterOf(form), box), showLedger(section)]);
}

/** The ledger's verification, in the words audit verify prints; a broken chain is marked. */
async function showLedger(section: HTMLElement): Promise<void> {
  const box = section.querySelector(".audit-ledger") as HTMLElement;
  const head = box.querySelector(".audit-ledger-head") as HTMLElement;
  const details = box.querySelector(".audit-ledger-details") as HTMLUListElement;
  box.hidden = false;
  box.dataset.state = "checking";
  head.textContent = "Checking the ledger's hash chain…";
  try {
    const report = await getJson<AuditVerifyResponse>(API.auditVerify);
    const [first = "", ...rest] = report.summary;
    box.dataset.state = report.ok ? "verified" : "broken";
    head.textContent = `Ledger ${first}`;
    details.replaceChildren(
      ...rest.map((line) => {
        const item = document.createElement("li");
        item.textContent = line.trim();
        return item;
      }),
    );
  } catch (error) {
    box.dataset.state = "unknown";
    head.textContent = `The ledger could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function filterOf(form: HTMLFormElement): AuditFilter {
  const filter: AuditFilter = {};
  for (const name of ["runbook", "env", "actor", "result"] as const) {
    const value = (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    if (value) filter[name] = value;
  }
  return filter;
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

async function show(section: HTMLElement, filter: AuditFilter, box: ResumeBox): Promise<void> {
  const count = section.querySelector(".audit-count") as HTMLElement;
  const table = section.querySelector(".audit-table") as HTMLTableElement;
  const body = table.querySelector("tbody") as HTMLTableSectionElement;
  const output = section.querySelector(".audit-output") as HTMLPreElement;
  let reply: AuditResponse;
  try {
    reply = await getJson<AuditResponse>(API.audit(filter));
  } catch (error) {
    count.textContent = `The console refused: ${error instanceof Error ? error.message : String(error)}`;
    return;
  }
  count.textContent =
    reply.matched > reply.entries.length
      ? `${reply.matched} entries match; the newest ${reply.entries.length} are shown.`
      : `${reply.matched} ${reply.matched === 1 ? "entry matches" : "entries match"}.`;
  body.replaceChildren();
  table.hidden = reply.entries.length === 0;
  for (const entry of reply.entries) {
    const row = document.createElement("tr");
    row.dataset.kind = entry.kind;
    const details = document.createElement("td");
    if (entry.kind === "run") {
      row.dataset.runId = entry.runId;
      row.append(
        cell(entry.startedAt),
        cell(entry.plan ? "run (plan)" : "run"),
        cell(entry.runbook),
        cell(entry.env),
        cell(entry.actor),
        cell(`${entry.status}${entry.resumedFrom ? ` (resumes ${entry.resumedFrom})` : ""}`),
      );
      const links: Array<[string, () => Promise<string>]> = [
        ["output", async () => runAsText((await getJson<RunLogResponse>(API.log(entry.runId))).events)],
        ...entry.artifacts.map((name): [string, () => Promise<string>] => [
          name,
          () => getText(API.artifact(entry.runId, name)),
        ]),
      ];
      for (const [label, load] of links) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = label === "output" ? "audit-log" : "audit-artifact";
        button.textContent = label;
        button.addEventListener("click", async () => {
          output.hidden = false;
          try {
            output.textContent = `${entry.runbook} · ${entry.env} · run ${entry.runId} · ${label}\n\n${await load()}`;
          } catch (error) {
            output.textContent = `Could not load ${label}: ${error instanceof Error ? error.message : String(error)}`;
          }
          output.scrollIntoView({ block: "nearest" });
        });
        details.append(button, " ");
      }
      for (const button of rerunButtons(entry, box)) details.append(button, " ");
    } else if (entry.kind === "approval") {
      row.append(
        cell(entry.at),
        cell(`approval (${entry.action})`),
        cell(entry.runbook),
        cell(entry.env),
        cell(entry.who),
        cell(entry.signer ? `signed by ${entry.signer}` : entry.action),
      );
      details.textContent = `receipt ${entry.receipt}${entry.runId ? ` · run ${entry.runId}` : ""}`;
    } else {
      row.append(
        cell(entry.at),
        cell(entry.what),
        cell(""),
        cell(""),
        cell(`${entry.who} (${entry.source})`),
        cell(`refused: ${entry.rule}${entry.count > 1 ? ` ×${entry.count}` : ""}`),
      );
      details.textContent = entry.reason;
    }
    row.append(details);
    body.append(row);
  }
}

for (const section of document.querySelectorAll<HTMLElement>("[data-audit-view]")) void init(section);
