import { API, type BudgetResponse } from "../../console/protocol.ts";
import { detectConsole, getJson } from "./console-api.ts";

// The error budget that gates change, on the page: in the embed of every runbook the freeze holds
// (Runbook.astro marks it with .budget-status) for the environment chosen in its form, and on the
// SLO page (BudgetStatus.astro) for production. The console computes it (GET /api/budget, the CLI's
// `budget`); a static copy of the handbook has no console and shows the command instead, which the
// component renders.

const share = (value: number) => `${(value * 100).toFixed(1)}%`;

function line(reply: BudgetResponse): { text: string; frozen: boolean } {
  if ("unavailable" in reply)
    return {
      text: `Error budget of ${reply.env} unknown: ${reply.unavailable}${reply.gated ? ". Frozen runbooks refuse until it can be read (the gate fails closed)." : ""}`,
      frozen: reply.gated,
    };
  const figures = `${reply.title} error budget of ${reply.env}: ${share(reply.budget)} of ${reply.window} (${reply.budgetMinutes.toFixed(1)} min); spent ${
    reply.spent === null ? "no data" : share(reply.spent)
  }, remaining ${reply.remaining === null ? "no data" : share(reply.remaining)}.`;
  if (reply.frozen)
    return {
      text: `${figures} FROZEN: ${reply.why.join("; ")}. Non-urgent change runbooks refuse here unless run as an emergency with an approval receipt.`,
      frozen: true,
    };
  return {
    text: `${figures} ${reply.gated ? "Not frozen." : `The freeze does not apply in ${reply.env}.`}`,
    frozen: false,
  };
}

async function show(target: HTMLElement, env: string): Promise<void> {
  target.hidden = false;
  target.dataset.state = "loading";
  target.textContent = `Reading the error budget of ${env}…`;
  try {
    const { text, frozen } = line(await getJson<BudgetResponse>(API.budget(env)));
    target.textContent = text;
    target.dataset.state = frozen ? "frozen" : "open";
  } catch (error) {
    target.textContent = `The error budget could not be read: ${error instanceof Error ? error.message : String(error)}`;
    target.dataset.state = "error";
  }
}

async function init(): Promise<void> {
  const targets = [...document.querySelectorAll<HTMLElement>(".budget-status")];
  if (targets.length === 0) return;
  if ((await detectConsole()).kind !== "console") return;
  for (const target of targets) {
    target.querySelector(".budget-static")?.remove();
    const select = target.closest(".runbook")?.querySelector<HTMLSelectElement>("select.console-env");
    // In a runbook's embed: only where the freeze can apply, and again when the environment changes.
    if (select) {
      const gated = (target.dataset.budgetEnvs ?? "").split(",");
      const update = () => {
        if (gated.includes(select.value)) void show(target, select.value);
        else target.hidden = true;
      };
      select.addEventListener("change", update);
      update();
    } else void show(target, target.dataset.budgetEnv ?? "production");
  }
}

void init();
