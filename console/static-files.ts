import { lstat, realpath } from "node:fs/promises";
import path from "node:path";

// Static files come only from the build output. The raw request path is checked before any
// normalisation could hide a trick: backslashes, encoded or plain dot segments, dotfiles, NUL and
// symlinks all resolve to "not found".

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".pf_meta": "application/octet-stream",
  ".pf_index": "application/octet-stream",
  ".pf_fragment": "application/octet-stream",
};

export interface StaticFile {
  file: string;
  type: string;
}

/** Maps a raw request path to a file under root (a real path), or null for "not found". */
export async function resolveStatic(root: string, rawPath: string): Promise<StaticFile | null> {
  const pathname = rawPath.split("?")[0] ?? "";
  if (!pathname.startsWith("/") || pathname.includes("\\") || /%5c/i.test(pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment.startsWith("."))) return null;

  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    const stat = await lstat(current).catch(() => null);
    if (!stat || stat.isSymbolicLink()) return null;
  }
  let file = current;
  const stat = await lstat(file).catch(() => null);
  if (!stat) return null;
  if (stat.isDirectory()) {
    file = path.join(file, "index.html");
    const index = await lstat(file).catch(() => null);
    if (!index?.isFile()) return null;
  } else if (!stat.isFile()) {
    return null;
  }
  // Belt and braces: whatever the checks above missed must still land inside the root.
  const real = await realpath(file).catch(() => null);
  if (!real || (real !== root && !real.startsWith(root + path.sep))) return null;
  return { file: real, type: TYPES[path.extname(real).toLowerCase()] ?? "application/octet-stream" };
}
