import { createConnection, createServer, type Server, type Socket } from "node:net";

// A TCP proxy a test can cut and restore (PostgreSQL made unreachable without stopping the real
// server other tests use), or slow down (`responseDelayMs`: a slow app, made without touching the
// app, to prove that latency thresholds can fail).

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  port = 0;

  private readonly target: { host: string; port: number };
  private readonly responseDelayMs: number;

  constructor(target: { host: string; port: number }, options: { responseDelayMs?: number } = {}) {
    this.target = target;
    this.responseDelayMs = options.responseDelayMs ?? 0;
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this.port;
  }

  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
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
    if (this.responseDelayMs === 0) {
      upstream.pipe(client);
      return;
    }
    // Responses arrive late; order is kept because every chunk waits the same time.
    upstream.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, this.responseDelayMs);
    });
  }
}
