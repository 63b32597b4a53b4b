import type { ConsoleInfo, SignInMethod } from "../../console/protocol.ts";

// "Signed in as alice (SSH key)": who the console records as running what this page starts.
// Every run and refusal from this browser's session is audited under that name.

const VIA: Record<SignInMethod, string> = {
  "host-link": "the link printed when the console started",
  "operator-link": "a personal one-time link",
  "ssh-key": "an SSH key",
};

export function signedInLine(info: ConsoleInfo): HTMLElement {
  const line = document.createElement("p");
  line.className = "console-operator";
  const name = document.createElement("strong");
  name.className = "console-operator-name";
  name.textContent = info.actor;
  line.append(
    "Signed in as ",
    name,
    ` (with ${VIA[info.signedInVia]}); runs from here are recorded under this name.`,
  );
  return line;
}
