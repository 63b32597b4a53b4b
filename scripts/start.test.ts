import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, main } from "./start.ts";

// The refusals `npm start` makes before it starts anything, called in-process. Starting the whole
// stack and stopping it with Ctrl-C stays a real process (tests/app/start.test.ts).

let server: Server | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

function captureErrors(): () => string {
  const lines: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  return () => lines.join("\n");
}

describe("npm start refuses before starting anything", () => {
  it.each([
    ["not a number", "eighty"],
    ["out of range", "70000"],
    ["zero", "0"],
  ])("a PORT that is %s", async (_rule, port) => {
    const errors = captureErrors();
    expect(await main({ PORT: port })).toBe(EXIT.refused);
    expect(errors()).toBe(`PORT must be a port number (1-65535), got "${port}".`);
  });

  it("a PORT something already listens on, naming it and the way out", async () => {
    server = createServer();
    const port = await new Promise<number>((resolve) =>
      server?.listen(0, "127.0.0.1", () => {
        const address = server?.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      }),
    );
    const errors = captureErrors();
    expect(await main({ PORT: String(port) })).toBe(EXIT.refused);
    expect(errors()).toMatch(
      new RegExp(
        `^Port ${port} is already in use: pid ${process.pid} \\(.*\\) listens on it\\. Stop it with: kill ${process.pid}\\. Or start with PORT=<another port> npm start\\.$`,
      ),
    );
  });
});
