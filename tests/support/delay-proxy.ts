import { createConnection, createServer, type Server, type Socket } from "node:net";

// A TCP proxy that holds every chunk from the upstream for a fixed delay: a slow app, made without
// touching the app. Tests use it to prove that latency thresholds can fail.

export class DelayProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly target: { host: string; port: number };
  private readonly delayMs: number;

  constructor(target: { host: string; port: number }, delayMs: number) {
    this.target = target;
    this.delayMs = delayMs;
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = createConnection(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    // Responses arrive late; order is kept because every chunk waits the same time.
    upstream.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, this.delayMs);
    });
  }
}
