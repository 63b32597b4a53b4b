// @ts-check
// Accounts a learner controls: a password reset by an e-mailed link (#reset=<code>), a download of
// their own data as JSON, and deletion of the account (the password is asked again).

import { ApiError, call, forgetSession, showAuth, showStatus } from "./app.js";

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
  auth: byId("auth", HTMLElement),
  forgot: byId("forgot", HTMLButtonElement),
  requestSection: byId("reset-request", HTMLElement),
  requestForm: byId("reset-request-form", HTMLFormElement),
  resetEmail: byId("reset-email", HTMLInputElement),
  requestResult: byId("reset-request-result", HTMLElement),
  back: byId("reset-back", HTMLButtonElement),
  chooseSection: byId("reset-choose", HTMLElement),
  chooseForm: byId("reset-choose-form", HTMLFormElement),
  newPassword: byId("new-password", HTMLInputElement),
  chooseResult: byId("reset-choose-result", HTMLElement),
  exportButton: byId("export", HTMLButtonElement),
  deleteForm: byId("delete-form", HTMLFormElement),
  deletePassword: byId("delete-password", HTMLInputElement),
  accountStatus: byId("account-status", HTMLElement),
};

/** @param {unknown} error */
const messageOf = (error) =>
  error instanceof ApiError ? error.message : "Something went wrong on this page. Reload it and try again.";

// ------------------------------------------------------------------------------- password reset

el.forgot.addEventListener("click", () => {
  el.auth.hidden = true;
  el.requestSection.hidden = false;
  el.requestResult.textContent = "";
  el.resetEmail.focus();
});

el.back.addEventListener("click", () => {
  el.requestSection.hidden = true;
  showAuth();
});

el.requestForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    /** @type {{ message: string }} */
    const result = await call(
      "mutation",
      "account.requestPasswordReset",
      { email: el.resetEmail.value.trim() },
      false,
    );
    el.requestResult.textContent = result.message;
  } catch (error) {
    el.requestResult.textContent = messageOf(error);
  }
});

/** The code from the e-mailed link, kept in memory only: it leaves the address bar at once. */
let resetCode = "";

function fromHash() {
  const match = /^#reset=([A-Za-z0-9_-]{43})$/.exec(location.hash);
  if (!match?.[1]) return;
  resetCode = match[1];
  history.replaceState(null, "", location.pathname);
  el.auth.hidden = true;
  byId("landing", HTMLElement).hidden = true;
  el.requestSection.hidden = true;
  el.chooseSection.hidden = false;
  el.newPassword.focus();
}

el.chooseForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await call(
      "mutation",
      "account.resetPassword",
      { token: resetCode, password: el.newPassword.value },
      false,
    );
    resetCode = "";
    el.newPassword.value = "";
    el.chooseSection.hidden = true;
    showAuth();
    showStatus("Your new password is set, and every session has ended. Log in with it.");
  } catch (error) {
    el.chooseResult.textContent = messageOf(error);
  }
});

window.addEventListener("hashchange", fromHash);
fromHash();

// --------------------------------------------------------------------------- export and deletion

el.exportButton.addEventListener("click", async () => {
  el.exportButton.disabled = true;
  try {
    const data = await call("query", "account.exportData");
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `subjuntivo-data-${new Date().toISOString().slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    el.accountStatus.textContent = `Your data was downloaded: ${data.reviews.length} answers and ${data.cards.length} scheduled items.`;
  } catch (error) {
    el.accountStatus.textContent = messageOf(error);
  } finally {
    el.exportButton.disabled = false;
  }
});

el.deleteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!window.confirm("Delete your account and all your practice data? This cannot be undone.")) return;
  try {
    await call("mutation", "account.deleteAccount", { password: el.deletePassword.value });
    el.deletePassword.value = "";
    el.accountStatus.textContent = "";
    // The token is dead now: end the session on this page at once.
    forgetSession();
    showStatus("Your account and all its data are deleted.");
  } catch (error) {
    el.accountStatus.textContent = messageOf(error);
    el.deletePassword.focus();
  }
});

document.addEventListener("learner:ended", () => {
  el.accountStatus.textContent = "";
  el.deletePassword.value = "";
});
