import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import path from "node:path";
import { PRIVATE_FILE } from "../runbooks/engine/private-files.ts";

// `npm run console:link`: a fresh one-time sign-in link from the running console, for a new
// browser or after the first link scrolled away, or (`-- --operator alice`) a personal link for a
// named operator, who signs in as themselves. The running console listens on a Unix socket in
// the checkout's data directory and answers a request carrying the token it wrote beside it. Only
// the same OS user can use it three times over: the data directory is 0700, the socket and the
// token file are 0600 (another user can neither connect nor read the token), and a request
// without the right token is refused.

export const linkSocket = (localDir: string) => path.join(localDir, "console-link.sock");
export const linkTokenFile = (localDir: string) => path.join(localDir, "console-link.token");

export interface LinkChannel {
  close(): Promise<void>;
}

/** What mints the links: the running console (ConsoleServer). */
export interface LinkMinter {
  /** The host user's link. */
  loginLink(): string;
  /** A named operator's link; rejects with the reason the name is refused. */
  operatorLink(name: string): Promise<string>;
}

/** Serves fresh login links from `console` on the checkout's socket until closed. */
export async function openLinkChannel(localDir: string, console: LinkMinter): Promise<LinkChannel> {
  const socket = linkSocket(localDir);
  const tokenFile = linkTokenFile(localDir);
  const token = randomBytes(32).toString("base64url");
  await writeFile(tokenFile, `${token}\n`, { mode: PRIVATE_FILE });
  await chmod(tokenFile, PRIVATE_FILE);
  const server = createServer((connection) => {
    let received = "";
    connection.setEncoding("utf8");
    connection.setTimeout(2_000, () => connection.destroy());
    connection.on("data", (chunk: string) => {
      received += chunk;
      if (received.length > 200) return void connection.end("refused: request too long\n");
      if (!received.includes("\n")) return;
      // "<token>" for the host user's link, "<token> <operator>" for a named operator's.
      const line = received.split("\n")[0] ?? "";
      const space = line.indexOf(" ");
      const operator = space < 0 ? undefined : line.slice(space + 1);
      const offered = Buffer.from(space < 0 ? line : line.slice(0, space));
      const expected = Buffer.from(token);
      const ok = offered.length === expected.length && timingSafeEqual(offered, expected);
      if (!ok) return void connection.end("refused: wrong token\n");
      if (operator === undefined) return void connection.end(`${console.loginLink()}\n`);
      console.operatorLink(operator).then(
        (link) => connection.end(`${link}\n`),
        (error: unknown) =>
          connection.end(`refused: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    });
    connection.on("error", () => undefined);
  });
  await listen(server, socket);
  await chmod(socket, PRIVATE_FILE);
  return {
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tokenFile, { force: true });
    },
  };
}

async function listen(server: Server, socket: string): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socket, () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    // A socket file left by a console that died: nothing answers it, so it is replaced. One that
    // answers belongs to a console still running for this checkout.
    if (await answers(socket))
      throw new Error(
        `another console of this checkout already serves ${socket}; npm run console:link asks it`,
      );
    await rm(socket, { force: true });
    await attempt();
  }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/**
 * Asks the running console for a fresh link with the token from its file (or the one given):
 * the host user's, or `operator`'s.
 */
export async function requestLink(localDir: string, token?: string, operator?: string): Promise<string> {
  const socket = linkSocket(localDir);
  const offered =
    token ??
    (await readFile(linkTokenFile(localDir), "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        error.code === "ENOENT"
          ? `no console is running for this checkout (${linkTokenFile(localDir)} is missing): start it with npm start`
          : `cannot read ${linkTokenFile(localDir)} (${error.code}): it is readable by the user who started the console only`,
      );
    }));
  return new Promise((resolve, reject) => {
    let answer = "";
    const connection = connect(socket);
    connection.setEncoding("utf8");
    connection.setTimeout(5_000, () => {
      connection.destroy();
      reject(new Error(`the console did not answer on ${socket} within 5 s`));
    });
    connection.on("connect", () =>
      connection.write(`${offered.trim()}${operator === undefined ? "" : ` ${operator}`}\n`),
    );
    connection.on("data", (chunk: string) => {
      answer += chunk;
    });
    connection.on("end", () => {
      const line = answer.trim();
      if (line.startsWith("http")) resolve(line);
      else reject(new Error(`the console ${line || "closed the connection without an answer"}`));
    });
    connection.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "ENOENT" || error.code === "ECONNREFUSED"
            ? `no console is running for this checkout (nothing answers on ${socket}): start it with npm start`
            : `cannot reach the console on ${socket}: ${error.code ?? error.message}`,
        ),
      ),
    );
  });
}
