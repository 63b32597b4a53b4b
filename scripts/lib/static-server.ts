import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Serves the built handbook (dist/) the way a static host does, for the site tests.

export const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain",
};

export async function serveDist(): Promise<{ url: string; close(): Promise<void> }> {
  try {
    await stat(path.join(DIST, "index.html"));
  } catch {
    throw new Error(
      `the handbook is not built: ${DIST}index.html is missing; run \`npx astro build\` (npm test does)`,
    );
  }
  const server: Server = createServer(async (req, res) => {
    let pathname = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    if (pathname.endsWith("/")) pathname += "index.html";
    const file = path.join(DIST, pathname);
    if (!file.startsWith(DIST)) {
      res.writeHead(404).end();
      return;
    }
    try {
      let target = file;
      if ((await stat(target)).isDirectory()) target = path.join(target, "index.html");
      const info = await stat(target);
      res.writeHead(200, {
        "content-type": TYPES[path.extname(target)] ?? "application/octet-stream",
        "content-length": info.size,
      });
      createReadStream(target).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>404</h1>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
