import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

// The learner page is a few small files, read once at start and served from memory. Each asset is
// also served under a name that carries a hash of its content (/assets/app.3f9a1c2b7d.js), which
// the page and the modules' imports use: a CDN or browser may keep such a file for a year without
// asking, because a new version has a new name. The page itself, and the assets' plain names (an
// HTML page cached before a deploy may still ask for them), must be revalidated (ETag) every time.

const PAGE_DIR = new URL("./learner-page/", import.meta.url);

/**
 * The Cache-Control values, the same as the handbook's policy (policy/cdn.ts), which the app
 * cannot import; tests/runbooks/cdn.test.ts checks both against real responses.
 */
export const CACHE_CONTROL = {
  hashedAsset: "public, max-age=31536000, immutable",
  revalidate: "no-cache",
} as const;

export interface StaticFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  /** A strong validator from the content, for If-None-Match. */
  etag: string;
}

const ASSETS: ReadonlyArray<[string, string]> = [
  ["styles.css", "text/css; charset=utf-8"],
  ["app.js", "text/javascript; charset=utf-8"],
  ["controls.js", "text/javascript; charset=utf-8"],
  ["verbs.js", "text/javascript; charset=utf-8"],
  ["account.js", "text/javascript; charset=utf-8"],
];

const IMPORT = /(\bfrom\s*["'])\.\/([\w-]+\.js)(["'])/g;

function digest(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 10);
}

function entry(body: Buffer, contentType: string, cacheControl: string): StaticFile {
  return { body, contentType, cacheControl, etag: `"${digest(body)}"` };
}

export async function loadLearnerPage(): Promise<Map<string, StaticFile>> {
  const map = new Map<string, StaticFile>();
  const sources = new Map<string, Buffer>();
  for (const [file] of ASSETS) sources.set(file, await readFile(new URL(file, PAGE_DIR)));
  // Hashed names, a module after the modules it imports: its hash covers their hashed names, so a
  // change in app.js renames every module that imports it too.
  const hashed = new Map<string, string>();
  const pending = ASSETS.map(([file, type]) => ({ file, type }));
  while (pending.length > 0) {
    const index = pending.findIndex(({ file }) =>
      [...(sources.get(file)?.toString("utf8") ?? "").matchAll(IMPORT)].every((m) =>
        hashed.has(m[2] as string),
      ),
    );
    if (index < 0)
      throw new Error(
        `learner page: circular or unknown imports in ${pending.map((p) => p.file).join(", ")}`,
      );
    const [{ file, type }] = pending.splice(index, 1) as [{ file: string; type: string }];
    const original = sources.get(file) as Buffer;
    const body = Buffer.from(
      original
        .toString("utf8")
        .replace(IMPORT, (_m, a: string, name: string, b: string) => `${a}./${hashed.get(name)}${b}`),
    );
    const name = file.replace(/\.(\w+)$/, `.${digest(body)}.$1`);
    hashed.set(file, name);
    map.set(`/assets/${name}`, entry(body, type, CACHE_CONTROL.hashedAsset));
    map.set(`/assets/${file}`, entry(original, type, CACHE_CONTROL.revalidate));
  }
  let html = await readFile(new URL("index.html", PAGE_DIR), "utf8");
  for (const [file, name] of hashed) html = html.replaceAll(`"/assets/${file}"`, `"/assets/${name}"`);
  map.set("/", entry(Buffer.from(html), "text/html; charset=utf-8", CACHE_CONTROL.revalidate));
  return map;
}

/** True when the request's If-None-Match names the file's current version (then answer 304). */
export function notModified(ifNoneMatch: string | undefined, file: StaticFile): boolean {
  if (!ifNoneMatch) return false;
  return (
    ifNoneMatch.trim() === "*" ||
    ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === file.etag)
  );
}

export const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};
