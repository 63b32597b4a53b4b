// @ts-check
// The verb reference: every form of a verb, the parts that differ from the regular pattern marked,
// and the verbs of the same model. Its address is #verb=<infinitive>, so each verb has its own page.

import { call, report, session } from "./app.js";

/**
 * @typedef {{ text: string, irregular: boolean }} Segment
 * @typedef {{ person: string, pronoun: string, forms: Segment[][], irregular: boolean }} Row
 * @typedef {{ mood: string, tense: string, name: string, rows: Row[] }} Tense
 * @typedef {{ infinitive: string, model: { id: string, example: string, regular: boolean }, regularModel: string,
 *   nonFinite: { name: string, segments: Segment[], irregular: boolean }[], tenses: Tense[],
 *   sameModel: { count: number, verbs: string[] } }} Reference
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
  section: byId("verbs", HTMLElement),
  form: byId("verb-form", HTMLFormElement),
  input: byId("verb-input", HTMLInputElement),
  suggestions: byId("verb-suggestions", HTMLDataListElement),
  status: byId("verb-status", HTMLElement),
  page: byId("verb-page", HTMLElement),
  title: byId("verb-title", HTMLElement),
  model: byId("verb-model", HTMLElement),
  nonFinite: byId("verb-nonfinite", HTMLElement),
  tenses: byId("verb-tenses", HTMLElement),
  same: byId("verb-same", HTMLElement),
};

/** @param {Segment[]} segments */
function written(segments) {
  const span = document.createElement("span");
  span.lang = "es";
  for (const segment of segments) {
    if (segment.irregular) {
      const mark = document.createElement("mark");
      mark.textContent = segment.text;
      span.append(mark);
    } else span.append(segment.text);
  }
  return span;
}

/** @param {Tense} tense */
function tenseTable(tense) {
  const table = document.createElement("table");
  table.className = "verb-table";
  const caption = document.createElement("caption");
  caption.textContent = tense.name;
  const body = document.createElement("tbody");
  for (const row of tense.rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.lang = "es";
    th.textContent = row.pronoun;
    const td = document.createElement("td");
    row.forms.forEach((segments, i) => {
      if (i > 0) td.append(" or ");
      td.append(written(segments));
    });
    if (row.irregular) {
      const note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (irregular)";
      td.append(note);
    }
    tr.append(th, td);
    body.append(tr);
  }
  table.append(caption, body);
  return table;
}

/** @param {Reference} ref */
function render(ref) {
  el.title.textContent = ref.infinitive;
  el.model.textContent = ref.model.regular
    ? `Regular: conjugated like ${ref.model.id}.`
    : `Model: ${ref.model.id} (${ref.model.example}). The marked letters differ from regular ${ref.regularModel}.`;
  el.nonFinite.replaceChildren(
    ...ref.nonFinite.map((form) => {
      const div = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = form.name;
      const dd = document.createElement("dd");
      dd.append(written(form.segments));
      div.append(dt, dd);
      return div;
    }),
  );
  el.tenses.replaceChildren(...ref.tenses.map(tenseTable));
  const links = ref.sameModel.verbs.map((verb) => {
    const a = document.createElement("a");
    a.href = `#verb=${encodeURIComponent(verb)}`;
    a.textContent = verb;
    return a;
  });
  el.same.replaceChildren();
  for (const [i, a] of links.entries()) el.same.append(...(i > 0 ? [", ", a] : [a]));
  const more = ref.sameModel.count - ref.sameModel.verbs.length;
  if (links.length === 0) el.same.textContent = "No other verb in the lexicon follows this model.";
  else if (more > 0) el.same.append(` and ${more} more.`);
  el.page.hidden = false;
}

/** @param {string} infinitive */
async function show(infinitive) {
  el.status.textContent = `Loading ${infinitive}…`;
  try {
    /** @type {Reference} */
    const ref = await call("query", "verbs.get", { infinitive });
    render(ref);
    el.input.value = ref.infinitive;
    el.status.textContent = `All forms of ${ref.infinitive}.`;
    el.title.tabIndex = -1;
    el.title.focus();
  } catch (error) {
    el.page.hidden = true;
    el.status.textContent = error instanceof Error ? error.message : "Could not load the verb.";
    if (!(error instanceof Error && "code" in error)) report(error);
  }
}

function fromHash() {
  const match = /^#verb=(.+)$/.exec(location.hash);
  if (!match?.[1] || !session.active) return;
  void show(decodeURIComponent(match[1]));
}

el.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const verb = el.input.value.trim();
  if (!verb) return;
  // The address names the verb, so the page can be bookmarked and Back returns to the previous one.
  if (location.hash === `#verb=${encodeURIComponent(verb)}`) void show(verb);
  else location.hash = `verb=${encodeURIComponent(verb)}`;
});

let lookup = 0;
el.input.addEventListener("input", async () => {
  const prefix = el.input.value.trim();
  const mine = ++lookup;
  if (prefix.length < 2 || !/^\p{L}+$/u.test(prefix)) return;
  try {
    /** @type {{ verbs: string[] }} */
    const found = await call("query", "verbs.search", { prefix, limit: 8 });
    if (mine !== lookup) return;
    el.suggestions.replaceChildren(
      ...found.verbs.map((verb) => {
        const option = document.createElement("option");
        option.value = verb;
        return option;
      }),
    );
  } catch {
    // Suggestions are a convenience: the search itself still works and reports its own errors.
  }
});

window.addEventListener("hashchange", fromHash);
document.addEventListener("learner:started", fromHash);
document.addEventListener("learner:ended", () => {
  el.page.hidden = true;
  el.status.textContent = "";
});
fromHash();
