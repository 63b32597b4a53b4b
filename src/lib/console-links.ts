import { DEFAULT_CONSOLE_PORT } from "../../console/settings.ts";

// Deep links into the console (npm start, npm run console): they open a page with a runbook step
// and its environment and parameters filled in, and run nothing until the operator presses Run.
// Alert rules carry one, so an alert links straight to its first step.

export const CONSOLE_URL = `http://127.0.0.1:${DEFAULT_CONSOLE_PORT}`;

export function consoleLink(
  page: string,
  runbook: string,
  options: { step?: string; env?: string; params?: Record<string, string | number | boolean> } = {},
): string {
  if (!page.startsWith("/") || !page.endsWith("/"))
    throw new Error(`consoleLink: page "${page}" must look like /guide/page/`);
  const query = new URLSearchParams({ runbook });
  if (options.step) query.set("step", options.step);
  if (options.env) query.set("env", options.env);
  for (const [name, value] of Object.entries(options.params ?? {})) query.set(`p.${name}`, String(value));
  return `${CONSOLE_URL}${page}?${query}`;
}
