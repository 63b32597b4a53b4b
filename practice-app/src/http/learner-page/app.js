// @ts-check
// The learner page: log in, practise one item at a time, follow progress and the leaderboard.
// Every string from the server is inserted with textContent (or as a text node), never as HTML.

/**
 * @typedef {{ id: string, label: string }} Category
 * @typedef {{ id: string, label: string }} Person
 * @typedef {{ id: string, sentence: string, verb: string, person: Person, translation: string, difficulty: number,
 *   category: Category }} Item
 * @typedef {{ reason: "due" | "new" | "ahead" | "recognition", item: Item, mode?: string,
 *   choices?: string[] | null }} NextOutput
 * @typedef {"correct" | "accent" | "wrong-mood" | "wrong-person" | "wrong-tense" | "wrong"} GradedOutcome
 * @typedef {{ graded: true, outcome: GradedOutcome, correct: boolean, message: string, explanation: string,
 *   expected: string, accepted: string[], nextReviewAt?: string, score?: number, streak?: number,
 *   accentTolerated?: boolean }} GradedOutput
 * @typedef {{ accentTolerant: boolean }} SettingsOutput
 * @typedef {{ graded: false, outcome: "extra-words" | "foreign-characters" | "vos-form", correct: false,
 *   message: string }} RetryOutput
 * @typedef {GradedOutput | RetryOutput} SubmitOutput
 * @typedef {{ token: string, learner: { id: string, email: string, displayName: string } }} AuthOutput
 * @typedef {{ id: string, displayName: string }} MeOutput
 * @typedef {{ category: Category, mood: string, tense: string, attempts: number, correct: number,
 *   accuracy: number }} TenseRow
 * @typedef {{ score: number, streak: { current: number, longest: number, lastPracticeOn: string | null },
 *   items: { due: number, seen: number, unseen: number },
 *   overall: { attempts: number, correct: number, accuracy: number | null },
 *   byCategoryAndTense: TenseRow[] }} SummaryOutput
 * @typedef {{ rank: number, learnerId: string, displayName: string, score: number }} BoardEntry
 * @typedef {{ top: BoardEntry[], me: { rank: number, score: number } | null, source: string }} LeaderboardOutput
 */

const TOKEN_KEY = "ssp.token";
const REASONS = { due: "Review", new: "New", ahead: "Ahead of schedule", recognition: "Recognition" };
/** @type {Record<string, string>} keyed by KeyboardEvent.code, so macOS Option-key dead keys don't interfere */
const SHORTCUTS = { KeyA: "á", KeyE: "é", KeyI: "í", KeyO: "ó", KeyU: "ú", KeyN: "ñ" };

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
  accentTolerant: byId("accent-tolerant", HTMLInputElement),
  status: byId("status", HTMLElement),
  session: byId("session", HTMLElement),
  who: byId("who", HTMLElement),
  logout: byId("logout", HTMLButtonElement),
  logoutEverywhere: byId("logout-everywhere", HTMLButtonElement),
  auth: byId("auth", HTMLElement),
  authTitle: byId("auth-title", HTMLElement),
  authForm: byId("auth-form", HTMLFormElement),
  nameField: byId("name-field", HTMLElement),
  displayName: byId("display-name", HTMLInputElement),
  email: byId("email", HTMLInputElement),
  password: byId("password", HTMLInputElement),
  passwordHint: byId("password-hint", HTMLElement),
  authError: byId("auth-error", HTMLElement),
  submitAuth: byId("submit-auth", HTMLButtonElement),
  toggleAuth: byId("toggle-auth", HTMLButtonElement),
  app: byId("app", HTMLElement),
  practiceForm: byId("practice-form", HTMLFormElement),
  category: byId("category", HTMLElement),
  difficulty: byId("difficulty", HTMLElement),
  reason: byId("reason", HTMLElement),
  sentence: byId("sentence", HTMLElement),
  translation: byId("translation", HTMLElement),
  accents: byId("accents", HTMLElement),
  check: byId("check", HTMLButtonElement),
  next: byId("next", HTMLButtonElement),
  feedback: byId("feedback", HTMLElement),
  feedbackOutcome: byId("feedback-outcome", HTMLElement),
  feedbackTitle: byId("feedback-title", HTMLElement),
  feedbackMessage: byId("feedback-message", HTMLElement),
  answerLine: byId("answer-line", HTMLElement),
  expected: byId("expected", HTMLElement),
  also: byId("also", HTMLElement),
  explanation: byId("feedback-explanation", HTMLElement),
  score: byId("score", HTMLElement),
  streak: byId("streak", HTMLElement),
  longest: byId("longest", HTMLElement),
  due: byId("due", HTMLElement),
  seen: byId("seen", HTMLElement),
  accuracy: byId("accuracy", HTMLElement),
  byTense: byId("by-tense", HTMLTableElement),
  byTenseBody: byId("by-tense-body", HTMLTableSectionElement),
  leaderboard: byId("leaderboard", HTMLOListElement),
  myRank: byId("my-rank", HTMLElement),
};
const accentButtons = el.accents.querySelectorAll("button");

// The answer box lives inside the sentence, so it is built once here and moved into each new sentence.
const answer = document.createElement("input");
answer.type = "text";
answer.id = "answer";
answer.className = "answer";
answer.maxLength = 60;
answer.autocomplete = "off";
answer.spellcheck = false;
answer.setAttribute("autocapitalize", "none");
answer.setAttribute("autocorrect", "off");
answer.setAttribute("enterkeyhint", "done");
answer.setAttribute("aria-describedby", "accent-hint");
answer.dataset.testid = "answer";

/** @type {string | null} */
let token = readToken();
let learnerId = "";
/** @type {Item | null} */
let item = null;
let answered = false;
let busy = false;
let signingUp = false;

/**
 * Where the next item comes from and what happens once it is shown: the drill controls (controls.js)
 * replace these to drill a selection or to answer by picking instead of typing.
 * @type {{ source: () => Promise<NextOutput>, onItem: (next: NextOutput) => void }}
 */
export const practice = {
  source: () => call("query", "exercises.next"),
  onItem: () => {},
};

/**
 * Learner controls (controls.js, account.js) hear when a session starts and ends.
 * @param {boolean} started
 */
function announceSession(started) {
  document.dispatchEvent(new CustomEvent(started ? "learner:started" : "learner:ended"));
}
export const session = { active: false };

// ---------------------------------------------------------------------------------------------- API

export class ApiError extends Error {
  /**
   * @param {string} message shown to the learner as is
   * @param {string} code the tRPC error code ("UNAUTHORIZED", ...), or "NETWORK"
   * @param {{ path: string, message: string }[]} [issues]
   */
  constructor(message, code, issues = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

/**
 * Calls one tRPC procedure. An UNAUTHORIZED answer to an authenticated call ends the session here.
 * @param {"query" | "mutation"} kind
 * @param {string} path
 * @param {unknown} [input]
 * @param {boolean} [authenticated]
 * @returns {Promise<any>}
 */
export async function call(kind, path, input, authenticated = true) {
  const sentToken = authenticated ? token : null;
  /** @type {Record<string, string>} */
  const headers = {};
  if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
  /** @type {RequestInit} */
  const init = { method: kind === "query" ? "GET" : "POST", headers };
  let url = `/trpc/${path}`;
  if (input !== undefined && kind === "query") url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
  if (kind === "mutation") {
    // tRPC refuses a POST without a JSON content type (415), even when the procedure takes no input.
    headers["Content-Type"] = "application/json";
    if (input !== undefined) init.body = JSON.stringify(input);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError("Cannot reach the server. Check your connection and try again.", "NETWORK");
  }
  const body = await response.json().catch(() => null);
  if (response.ok && body?.result) return body.result.data;
  const error = body?.error;
  if (!error) {
    throw new ApiError(`The server answered with HTTP ${response.status}. Try again in a moment.`, "HTTP");
  }
  const code = String(error.data?.code ?? "ERROR");
  // Only forget the token the failed call used: a newer login must survive a late answer.
  if (code === "UNAUTHORIZED" && sentToken && sentToken === token) forgetSession();
  throw new ApiError(String(error.message), code, Array.isArray(error.data?.issues) ? error.data.issues : []);
}

function readToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** @param {string | null} value */
function storeToken(value) {
  token = value;
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled (private mode): the session then lasts as long as the tab.
  }
}

// ------------------------------------------------------------------------------------------ status

/**
 * @param {string} message
 * @param {"info" | "error"} [kind]
 */
export function showStatus(message, kind = "info") {
  el.status.textContent = message;
  el.status.className = `status ${kind}`;
}

/** @param {unknown} error */
export function report(error) {
  if (error instanceof ApiError) {
    showStatus(error.message, "error");
  } else {
    console.error(error);
    showStatus("Something went wrong on this page. Reload it and try again.", "error");
  }
}

// -------------------------------------------------------------------------------------------- auth

/** @param {boolean} signUp */
function setAuthMode(signUp) {
  signingUp = signUp;
  el.authForm.dataset.testid = signUp ? "signup-form" : "login-form";
  el.authTitle.textContent = signUp ? "Create an account" : "Log in";
  el.submitAuth.textContent = signUp ? "Create account" : "Log in";
  el.toggleAuth.textContent = signUp ? "Already have an account? Log in" : "New here? Create an account";
  el.nameField.hidden = !signUp;
  el.displayName.required = signUp;
  el.passwordHint.hidden = !signUp;
  el.password.setAttribute("autocomplete", signUp ? "new-password" : "current-password");
  if (signUp) {
    el.password.minLength = 8;
    el.password.setAttribute("aria-describedby", "password-hint");
  } else {
    el.password.removeAttribute("minlength");
    el.password.removeAttribute("aria-describedby");
  }
  showAuthError(null);
}

/** @param {unknown} error */
function showAuthError(error) {
  const fields = { email: el.email, password: el.password, displayName: el.displayName };
  for (const input of Object.values(fields)) input.removeAttribute("aria-invalid");
  if (!error) {
    el.authError.textContent = "";
    return;
  }
  if (!(error instanceof ApiError)) return report(error);
  el.authError.textContent = error.message;
  for (const issue of error.issues) {
    const input = fields[/** @type {keyof typeof fields} */ (issue.path)];
    input?.setAttribute("aria-invalid", "true");
  }
}

export function showAuth() {
  el.app.hidden = true;
  el.session.hidden = true;
  el.auth.hidden = false;
  byId("landing", HTMLElement).hidden = false;
  el.email.focus();
}

export function forgetSession() {
  storeToken(null);
  learnerId = "";
  item = null;
  el.sentence.replaceChildren();
  el.translation.textContent = "";
  el.feedback.hidden = true;
  session.active = false;
  announceSession(false);
  showAuth();
}

el.toggleAuth.addEventListener("click", () => {
  setAuthMode(!signingUp);
  (signingUp ? el.displayName : el.email).focus();
});

el.authForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (el.submitAuth.disabled) return;
  const input = { email: el.email.value.trim(), password: el.password.value };
  el.submitAuth.disabled = true;
  showAuthError(null);
  try {
    /** @type {AuthOutput} */
    const result = signingUp
      ? await call(
          "mutation",
          "accounts.signUp",
          { ...input, displayName: el.displayName.value.trim() },
          false,
        )
      : await call("mutation", "accounts.logIn", input, false);
    storeToken(result.token);
    el.password.value = "";
    showStatus("");
    await startPractice(result.learner);
  } catch (error) {
    showAuthError(error);
  } finally {
    el.submitAuth.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------- practice

/** @param {MeOutput} [known] the learner, when the login answer already named them */
export async function startPractice(known) {
  el.auth.hidden = true;
  byId("landing", HTMLElement).hidden = true;
  el.app.hidden = false;
  el.session.hidden = false;
  try {
    /** @type {MeOutput} */
    const me = known ?? (await call("query", "accounts.me"));
    learnerId = me.id;
    el.who.textContent = me.displayName;
  } catch (error) {
    report(error);
    if (!token) return;
  }
  session.active = true;
  announceSession(true);
  await Promise.all([loadNext(), refreshPanels(), loadSettings()]);
}

// ---------------------------------------------------------------------------------------- settings

async function loadSettings() {
  try {
    /** @type {SettingsOutput} */
    const settings = await call("mutation", "settings.accentTolerance");
    el.accentTolerant.checked = settings.accentTolerant;
    el.accentTolerant.disabled = false;
  } catch (error) {
    report(error);
  }
}

el.accentTolerant.addEventListener("change", async () => {
  const wanted = el.accentTolerant.checked;
  el.accentTolerant.disabled = true;
  try {
    /** @type {SettingsOutput} */
    const settings = await call("mutation", "settings.accentTolerance", { accentTolerant: wanted });
    el.accentTolerant.checked = settings.accentTolerant;
    showStatus(settings.accentTolerant ? "Accent-tolerant mode is on." : "Accent-tolerant mode is off.");
  } catch (error) {
    el.accentTolerant.checked = !wanted;
    report(error);
  } finally {
    el.accentTolerant.disabled = false;
    el.accentTolerant.focus();
  }
});

export async function loadNext() {
  if (busy) return;
  busy = true;
  el.next.disabled = true;
  try {
    /** @type {NextOutput} */
    const next = await practice.source();
    showStatus("");
    renderItem(next);
  } catch (error) {
    report(error);
    if (!item) el.next.hidden = false; // doubles as "try again" when the first item failed to load
  } finally {
    busy = false;
    el.next.disabled = false;
  }
}

/** @param {NextOutput} output */
function renderItem(output) {
  const { reason, item: next } = output;
  item = next;
  answered = false;
  el.category.textContent = next.category.label;
  el.difficulty.textContent = `Level ${next.difficulty} of 3`;
  el.reason.textContent = REASONS[reason] ?? "";
  const [before = "", ...after] = next.sentence.split("___");
  const verb = document.createElement("span");
  verb.className = "verb";
  // The person the blank needs, for sentences whose subject is not written (Ojalá ___ tiempo).
  verb.textContent = ` (${next.verb}, ${next.person.label})`;
  el.sentence.replaceChildren(before, answer, after.join("___"), verb);
  el.translation.textContent = next.translation;

  answer.value = "";
  answer.readOnly = false;
  answer.classList.remove("correct", "almost", "wrong");
  answer.setAttribute("aria-label", `Your answer: the right form of ${next.verb} for ${next.person.label}`);
  for (const button of accentButtons) button.disabled = false;
  el.feedback.hidden = true;
  delete el.feedback.dataset.outcome;
  el.check.hidden = false;
  el.next.hidden = true;
  answer.focus();
  practice.onItem(output);
}

async function check() {
  if (!item || busy || answered) return;
  const text = answer.value.trim();
  if (!text) {
    showStatus("Type the verb form in the blank first.");
    answer.focus();
    return;
  }
  busy = true;
  el.check.disabled = true;
  try {
    /** @type {SubmitOutput} */
    const result = await call("mutation", "exercises.submit", { exerciseId: item.id, answer: text });
    showStatus("");
    showFeedback(result);
    void refreshPanels();
  } catch (error) {
    report(error);
  } finally {
    busy = false;
    el.check.disabled = false;
  }
}

/**
 * An answer that was not graded (the verb typed with "tú" or "que", a letter from another alphabet):
 * say why and let the learner type it again; the item stays.
 * @param {RetryOutput} result
 */
function showRetry(result) {
  el.feedback.className = "feedback almost";
  el.feedback.dataset.outcome = result.outcome;
  el.feedbackOutcome.textContent = result.outcome;
  el.feedbackTitle.textContent = "Try again (this one does not count)";
  el.feedbackMessage.textContent = result.message;
  el.answerLine.hidden = true;
  el.explanation.textContent = "";
  el.feedback.hidden = false;
  answer.classList.remove("correct", "wrong");
  answer.classList.add("almost");
  answer.focus();
  answer.select();
}

/** @param {SubmitOutput} result */
export function showFeedback(result) {
  if (!result.graded) return showRetry(result);
  answered = true;
  const tone = result.outcome === "correct" ? "correct" : result.outcome === "accent" ? "almost" : "wrong";
  const titles = { correct: "Correct!", almost: "Almost: mind the accents", wrong: "Not quite" };
  el.feedback.className = `feedback ${tone}`;
  el.feedback.dataset.outcome = result.outcome;
  el.feedbackOutcome.textContent = result.outcome;
  el.feedbackTitle.textContent = result.accentTolerated
    ? "Almost: mind the accents (not counted against you)"
    : titles[tone];
  el.feedbackMessage.textContent = result.message;
  el.answerLine.hidden = false;
  el.expected.textContent = result.expected;
  const others = result.accepted.filter((form) => form !== result.expected);
  el.also.textContent = others.length > 0 ? `(also accepted: ${others.join(", ")})` : "";
  el.explanation.textContent = result.explanation;
  el.feedback.hidden = false;

  answer.readOnly = true;
  answer.classList.remove("correct", "almost", "wrong");
  answer.classList.add(tone);
  for (const button of accentButtons) button.disabled = true;
  el.check.hidden = true;
  el.next.hidden = false;
  el.next.focus();
  // Recognition answers (controls.js) are not scored: they leave the score and streak as they are.
  if (result.score !== undefined) el.score.textContent = String(result.score);
  if (result.streak !== undefined) el.streak.textContent = String(result.streak);
}

/** @param {string} char */
function insertChar(char) {
  if (answer.readOnly || !answer.isConnected) return;
  const start = answer.selectionStart ?? answer.value.length;
  const end = answer.selectionEnd ?? start;
  if (answer.value.length - (end - start) >= answer.maxLength) return;
  answer.setRangeText(char, start, end, "end");
  answer.focus();
}

el.practiceForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void check();
});

answer.addEventListener("keydown", (event) => {
  // Browsers differ on submitting a form from a read-only field, so Enter after feedback is handled here.
  if (event.key === "Enter" && answered) {
    event.preventDefault();
    void loadNext();
    return;
  }
  // Ctrl+Alt is AltGr on Windows keyboards: leave it alone so people can still type their own characters.
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const char = event.shiftKey ? (event.code === "KeyU" ? "ü" : undefined) : SHORTCUTS[event.code];
  if (!char) return;
  event.preventDefault();
  insertChar(char);
});

// Keeping the mouse press from taking focus leaves the caret (and the phone keyboard) in the answer box.
el.accents.addEventListener("mousedown", (event) => {
  if (event.target instanceof Element && event.target.closest("button")) event.preventDefault();
});
el.accents.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button") : null;
  if (button?.dataset.char) insertChar(button.dataset.char);
});

el.next.addEventListener("click", () => void loadNext());

// ---------------------------------------------------------------------------------- progress panels

export function refreshPanels() {
  return Promise.all([refreshProgress(), refreshLeaderboard()]);
}

/** @param {number | null} accuracy 0..1 */
function percent(accuracy) {
  return accuracy === null ? "–" : `${Math.round(accuracy * 100)}%`;
}

async function refreshProgress() {
  try {
    /** @type {SummaryOutput} */
    const summary = await call("query", "progress.summary");
    el.score.textContent = String(summary.score);
    el.streak.textContent = String(summary.streak.current);
    el.longest.textContent = `(best ${summary.streak.longest})`;
    el.due.textContent = String(summary.items.due);
    el.seen.textContent = `${summary.items.seen} / ${summary.items.unseen}`;
    const { attempts, correct, accuracy } = summary.overall;
    el.accuracy.textContent = attempts === 0 ? "–" : `${percent(accuracy)} (${correct}/${attempts})`;
    const rows = summary.byCategoryAndTense.map((row) => {
      const tr = document.createElement("tr");
      const cells = [
        row.category.label,
        `${row.tense.replaceAll("-", " ")} ${row.mood}`,
        String(row.attempts),
        percent(row.accuracy),
      ];
      for (const [index, text] of cells.entries()) {
        const td = document.createElement("td");
        td.textContent = text;
        if (index >= 2) td.className = "num";
        tr.append(td);
      }
      return tr;
    });
    el.byTenseBody.replaceChildren(...rows);
    el.byTense.hidden = rows.length === 0;
  } catch (error) {
    report(error);
  }
}

async function refreshLeaderboard() {
  try {
    /** @type {LeaderboardOutput} */
    const board = await call("query", "leaderboard.top", { limit: 10 });
    const items = board.top.map((entry) => {
      const li = document.createElement("li");
      const rank = document.createElement("span");
      rank.className = "rank";
      rank.textContent = String(entry.rank);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = entry.displayName;
      const score = document.createElement("span");
      score.className = "points";
      score.textContent = String(entry.score);
      if (entry.learnerId === learnerId) {
        li.className = "me";
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = " (you)";
        name.append(you);
      }
      li.append(rank, name, score);
      return li;
    });
    if (items.length === 0) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No scores yet. Be the first!";
      items.push(li);
    }
    el.leaderboard.replaceChildren(...items);
    const listed = board.top.some((entry) => entry.learnerId === learnerId);
    el.myRank.textContent = !board.me
      ? "Answer one correctly to join the board."
      : listed
        ? ""
        : `You: #${board.me.rank} with ${board.me.score} points.`;
  } catch (error) {
    report(error);
  }
}

// ------------------------------------------------------------------------------------------ logout

/** @param {boolean} everywhere */
async function logOut(everywhere) {
  el.logout.disabled = true;
  el.logoutEverywhere.disabled = true;
  try {
    /** @type {{ revoked: number }} */
    const result = await call("mutation", everywhere ? "accounts.logOutEverywhere" : "accounts.logOut");
    forgetSession();
    showStatus(
      everywhere
        ? `Logged out everywhere (${result.revoked} session${result.revoked === 1 ? "" : "s"} ended).`
        : "You are logged out.",
    );
  } catch (error) {
    if (!everywhere && token) {
      // Leaving this device still works; the server-side session then simply expires.
      forgetSession();
      showStatus("Logged out on this device, but the server could not confirm it.", "error");
    } else {
      report(error);
    }
  } finally {
    el.logout.disabled = false;
    el.logoutEverywhere.disabled = false;
  }
}

el.logout.addEventListener("click", () => void logOut(false));
el.logoutEverywhere.addEventListener("click", () => void logOut(true));

// Another tab logged in or out: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== TOKEN_KEY || event.newValue === token) return;
  token = event.newValue;
  if (token) void startPractice();
  else forgetSession();
});

setAuthMode(false);
if (token) void startPractice();
else showAuth();
