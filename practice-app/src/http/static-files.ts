import { readFile } from "node:fs/promises";

// The learner page is a few small files, read once at start and served from memory.

const PAGE_DIR = new URL("./learner-page/", import.meta.url);

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export async function loadLearnerPage(): Promise<Map<string, StaticFile>> {
  const files: Array<[string, string, string]> = [
    ["/", "index.html", "text/html; charset=utf-8"],
    ["/assets/app.js", "app.js", "text/javascript; charset=utf-8"],
    ["/assets/controls.js", "controls.js", "text/javascript; charset=utf-8"],
    ["/assets/verbs.js", "verbs.js", "text/javascript; charset=utf-8"],
    ["/assets/account.js", "account.js", "text/javascript; charset=utf-8"],
    ["/assets/styles.css", "styles.css", "text/css; charset=utf-8"],
  ];
  const map = new Map<string, StaticFile>();
  for (const [route, file, contentType] of files) {
    map.set(route, { body: await readFile(new URL(file, PAGE_DIR)), contentType });
  }
  return map;
}

export const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};
