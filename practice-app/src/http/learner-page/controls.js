// @ts-check
// Learner controls: what to drill (trigger, tense, level, weak spots) and how to answer (type, pick
// the mood, pick the form). Recognition answers are graded and explained but not scheduled or scored.

import { call, loadNext, practice, report, session, showFeedback } from "./app.js";

/**
 * @typedef {{ id: string, label: string, items: number }} Choice
 * @typedef {{ categories: Choice[], forms: Choice[], levels: { level: number, items: number }[],
 *   weakSpots: { category: { label: string }, form: { label: string }, accuracy: number }[] }} Options
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page is missing #${id}.`);
  return element;
}

const el = {
  form: byId("drill-form", HTMLFormElement),
  category: byId("drill-category", HTMLSelectElement),
  tense: byId("drill-form-select", HTMLSelectElement),
  level: byId("drill-level", HTMLSelectElement),
  weak: byId("drill-weak", HTMLInputElement),
  weakHint: byId("drill-weak-hint", HTMLElement),
  status: byId("drill-status", HTMLElement),
  sentence: byId("sentence", HTMLElement),
  accents: byId("accents", HTMLElement),
  accentHint: byId("accent-hint", HTMLElement),
  check: byId("check", HTMLButtonElement),
  choices: byId("choices", HTMLElement),
  choicesLabel: byId("choices-label", HTMLElement),
  choiceButtons: byId("choice-buttons", HTMLElement),
  verbLinkLine: byId("verb-link-line", HTMLElement),
};

// The link to the current verb's reference page (verbs.js shows it).
const verbLink = document.createElement("a");
verbLink.dataset.testid = "verb-link";
el.verbLinkLine.append(verbLink);

/** The drill being practised; null selections mean "all". */
let drill = { category: "", form: "", level: "", weakSpots: false, mode: "type" };
/** @type {string | null} */
let shownId = null;
let answering = false;

function selection() {
  /** @type {Record<string, unknown>} */
  const input = { mode: drill.mode };
  if (drill.category) input.category = drill.category;
  if (drill.form) input.form = drill.form;
  if (drill.level) input.level = Number(drill.level);
  if (drill.weakSpots) input.weakSpots = true;
  if (shownId && drill.mode !== "type") input.previousId = shownId;
  return input;
}

/**
 * @param {HTMLSelectElement} select
 * @param {{ value: string, label: string }[]} options
 */
function fill(select, options) {
  const first = select.options[0];
  const current = select.value;
  const items = options.map(({ value, label }) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    return option;
  });
  select.replaceChildren(...(first ? [first] : []), ...items);
  // A refresh keeps what the learner had chosen.
  if (options.some((option) => option.value === current)) select.value = current;
}

async function loadOptions() {
  try {
    /** @type {Options} */
    const options = await call("query", "drills.options");
    fill(
      el.category,
      options.categories.map((c) => ({ value: c.id, label: `${c.label} (${c.items})` })),
    );
    fill(
      el.tense,
      options.forms.map((f) => ({ value: f.id, label: `${f.label} (${f.items})` })),
    );
    fill(
      el.level,
      options.levels.map((l) => ({ value: String(l.level), label: `Level ${l.level} (${l.items})` })),
    );
    const weak = options.weakSpots;
    el.weak.disabled = weak.length === 0;
    el.weakHint.textContent =
      weak.length === 0
        ? "(none yet: answer a few items first)"
        : `(${weak.map((w) => `${w.category.label}, ${w.form.label}: ${Math.round(w.accuracy * 100)}%`).join("; ")})`;
  } catch (error) {
    report(error);
  }
}

function describe() {
  const parts = [
    el.category.selectedOptions[0]?.textContent?.replace(/ \(\d+\)$/, ""),
    el.tense.selectedOptions[0]?.textContent?.replace(/ \(\d+\)$/, ""),
    el.level.selectedOptions[0]?.textContent?.replace(/ \(\d+\)$/, ""),
  ];
  const how = { type: "typing the form", mood: "picking the mood", choice: "picking the form" };
  const what = drill.weakSpots ? "your weak spots" : parts.join(", ");
  return `Drilling ${what}, ${how[/** @type {"type" | "mood" | "choice"} */ (drill.mode)]}.`;
}

el.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const mode = new FormData(el.form).get("mode");
  drill = {
    category: el.category.value,
    form: el.tense.value,
    level: el.level.value,
    weakSpots: el.weak.checked,
    mode: typeof mode === "string" ? mode : "type",
  };
  const custom = drill.category || drill.form || drill.level || drill.weakSpots || drill.mode !== "type";
  practice.source = custom
    ? () => call("query", "drills.next", selection())
    : () => call("query", "exercises.next");
  el.status.textContent = describe();
  await loadNext();
});

/**
 * Shown after every item: in recognition modes the blank stays empty and the choices replace typing.
 * @param {{ item: { id: string, verb: string }, mode?: string, choices?: string[] | null }} next
 */
practice.onItem = (next) => {
  shownId = next.item.id;
  verbLink.href = `#verb=${encodeURIComponent(next.item.verb)}`;
  verbLink.textContent = `All forms of ${next.item.verb}`;
  el.verbLinkLine.hidden = false;
  const recognition = Array.isArray(next.choices) && next.choices.length > 0;
  el.choices.hidden = !recognition;
  el.accents.hidden = recognition;
  el.accentHint.hidden = recognition;
  el.check.hidden = recognition;
  if (!recognition || !next.choices) return;
  const answer = el.sentence.querySelector("input");
  const blank = document.createElement("span");
  blank.className = "blank";
  blank.textContent = "_____";
  blank.setAttribute("aria-label", "blank");
  answer?.replaceWith(blank);
  el.choicesLabel.textContent =
    next.mode === "mood" ? "Which mood does the blank take?" : "Which form fills the blank?";
  const buttons = next.choices.map((choice) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice secondary";
    button.textContent = choice;
    if (next.mode === "choice") button.lang = "es";
    button.dataset.testid = `choice-${choice}`;
    button.addEventListener("click", () => void answerWith(next.item.id, next.mode ?? "choice", choice));
    return button;
  });
  el.choiceButtons.replaceChildren(...buttons);
  buttons[0]?.focus();
};

/**
 * @param {string} exerciseId
 * @param {string} mode
 * @param {string} choice
 */
async function answerWith(exerciseId, mode, choice) {
  if (answering) return;
  answering = true;
  try {
    const result = await call("mutation", "drills.answer", { exerciseId, mode, choice });
    for (const button of el.choiceButtons.querySelectorAll("button")) {
      button.disabled = true;
      button.setAttribute("aria-pressed", String(button.textContent === choice));
    }
    showFeedback({ graded: true, ...result });
  } catch (error) {
    report(error);
  } finally {
    answering = false;
  }
}

document.addEventListener("learner:started", () => void loadOptions());
document.addEventListener("learner:ended", () => {
  drill = { category: "", form: "", level: "", weakSpots: false, mode: "type" };
  practice.source = () => call("query", "exercises.next");
  el.status.textContent = "";
});
// Weak spots change as the learner answers: refresh the lists when they come back to the controls.
let loadedAt = 0;
el.form.addEventListener("focusin", () => {
  if (Date.now() - loadedAt < 5_000) return;
  loadedAt = Date.now();
  void loadOptions();
});
if (session.active) void loadOptions();
