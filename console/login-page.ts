// The page the one-time login link opens. The token travels in the URL fragment, which browsers
// never send to a server (so it is in no log); the script removes it from the address bar and
// history, trades it for the session cookie with a POST, and goes on to the handbook.

import { API, CONSOLE_HEADER, CONSOLE_HEADER_VALUE } from "./protocol.ts";

export const LOGIN_PATH = "/console/login";

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
  @media (prefers-color-scheme: dark) { body { background: #17181c; color: #e6e6e9; } .error { color: #ff8585; } }
</style>
</head>
<body>
<main>
<h1>Handbook console</h1>
<p id="status" role="status">Signing in…</p>
</main>
<script>
(async () => {
  const status = document.getElementById("status");
  const fail = (text) => { status.textContent = text; status.className = "error"; };
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  const next = fragment.get("next");
  history.replaceState(null, "", location.pathname);
  if (!token) return fail("This address has no login token. Open the login link that npm start (or npm run console) printed in your terminal.");
  try {
    const response = await fetch("${API.session}", {
      method: "POST",
      headers: { "Content-Type": "application/json", "${CONSOLE_HEADER}": "${CONSOLE_HEADER_VALUE}" },
      body: JSON.stringify({ token }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return fail(body.error || "Sign-in failed (" + response.status + ").");
    // Only a page of this console: resolved as the browser will resolve it (tabs and newlines
    // dropped, backslashes as slashes), so "/%09/evil.example" cannot become "//evil.example".
    const target = new URL(next || "/", location.origin);
    location.replace(target.origin === location.origin ? target.pathname + target.search + target.hash : "/");
  } catch (error) {
    fail("The console did not answer: is it still running? " + error);
  }
})();
</script>
</body>
</html>
`;
