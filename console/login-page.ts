// The page the one-time login link opens. The token travels in the URL fragment, which browsers
// never send to a server (so it is in no log); the script removes it from the address bar and
// history, trades it for the session cookie with a POST, and goes on to the handbook.
// Opened without a token, it offers sign-in with an SSH key instead: it asks for a challenge,
// shows the exact command that signs it on the operator's machine, and sends the pasted
// signature (sign-in-challenges.ts). Text from the server goes in with textContent, never as HTML.

import { API, CONSOLE_HEADER, CONSOLE_HEADER_VALUE, SIGN_IN } from "./protocol.ts";

export const LOGIN_PATH = SIGN_IN.loginPath;

export const LOGIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to the handbook console</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 36rem; padding: 0 1rem; color: #1b1b1f; }
  .error { color: #a4161a; font-weight: 600; }
  pre { background: #f1f1f4; padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
  textarea { width: 100%; font: 13px/1.4 ui-monospace, monospace; }
  @media (prefers-color-scheme: dark) { body { background: #17181c; color: #e6e6e9; } .error { color: #ff8585; } pre { background: #26272d; } }
</style>
</head>
<body>
<main>
<h1>Handbook console</h1>
<p id="status" role="status">Signing in…</p>
<section id="key" hidden aria-labelledby="key-title">
<h2 id="key-title">Sign in with your SSH key</h2>
<p>Your key must be listed in the console's allowed-signers file (<code>policy/allowed_signers</code> unless the host set <code>SSP_ALLOWED_SIGNERS</code>). The challenge names this console and works once, for a few minutes.</p>
<p><button id="key-challenge" type="button">Get a challenge</button></p>
<div id="key-sign" hidden>
<p>Run this on your own machine (your private key never leaves it), with your key's path if it is not <code>~/.ssh/id_ed25519</code>:</p>
<pre><code id="key-command"></code></pre>
<p>It expires at <span id="key-expires"></span>.</p>
<form id="key-form">
<label for="key-signature">Paste everything it printed, from <code>-----BEGIN SSH SIGNATURE-----</code> to <code>-----END SSH SIGNATURE-----</code>:</label>
<textarea id="key-signature" name="signature" rows="8" required spellcheck="false" autocomplete="off"></textarea>
<p><button type="submit">Sign in</button></p>
</form>
</div>
</section>
</main>
<script>
(async () => {
  const status = document.getElementById("status");
  const fail = (text) => { status.textContent = text; status.className = "error"; };
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  const next = fragment.get("next") || new URLSearchParams(location.search).get("next");
  history.replaceState(null, "", location.pathname);
  const call = async (path, body) => {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "${CONSOLE_HEADER}": "${CONSOLE_HEADER_VALUE}" },
      body: JSON.stringify(body),
    });
    return { response, body: await response.json().catch(() => ({})) };
  };
  const proceed = (operator) => {
    status.className = "";
    status.textContent = "Signed in as " + operator + ".";
    // Only a page of this console: resolved as the browser will resolve it (tabs and newlines
    // dropped, backslashes as slashes), so "/%09/evil.example" cannot become "//evil.example".
    const target = new URL(next || "/", location.origin);
    location.replace(target.origin === location.origin ? target.pathname + target.search + target.hash : "/");
  };
  if (!token) {
    status.textContent = "Open a one-time login link (npm start printed one; npm run console:link -- --operator <name> mints a personal one on the console's host), or sign in with your SSH key below.";
    document.getElementById("key").hidden = false;
    let challenge = null;
    document.getElementById("key-challenge").addEventListener("click", async () => {
      try {
        const { response, body } = await call("${API.challenge}", {});
        if (!response.ok) return fail(body.error || "No challenge (" + response.status + ").");
        challenge = body;
        document.getElementById("key-command").textContent = body.command;
        document.getElementById("key-expires").textContent = new Date(body.expiresAt).toLocaleTimeString();
        document.getElementById("key-sign").hidden = false;
        status.className = "";
        status.textContent = "Challenge ready: sign it and paste the signature.";
      } catch (error) {
        fail("The console did not answer: is it still running? " + error);
      }
    });
    document.getElementById("key-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!challenge) return fail("Get a challenge first.");
      try {
        const signature = document.getElementById("key-signature").value;
        const { response, body } = await call("${API.keySignIn}", { challenge: challenge.id, signature });
        if (!response.ok) return fail(body.error || "Sign-in failed (" + response.status + ").");
        proceed(body.operator);
      } catch (error) {
        fail("The console did not answer: is it still running? " + error);
      }
    });
    return;
  }
  try {
    const { response, body } = await call("${API.session}", { token });
    if (!response.ok) return fail(body.error || "Sign-in failed (" + response.status + ").");
    proceed(body.operator);
  } catch (error) {
    fail("The console did not answer: is it still running? " + error);
  }
})();
</script>
</body>
</html>
`;
