import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddressOf, newVuState, nextRequest } from "../lib/journey.ts";
import { type ClientProxy, startClientProxy } from "./client-proxy.ts";

// A real nginx in front of a server that echoes the headers it got: each virtual learner arrives
// with its own address in X-Forwarded-For, whatever the request itself claimed.
let proxy: ClientProxy;
let upstream: ReturnType<typeof createServer>;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const { port } = upstream.address() as AddressInfo;
  proxy = await startClientProxy([new URL(`http://127.0.0.1:${port}`)]);
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
});

const through = async (headers: Record<string, string>): Promise<IncomingHttpHeaders> =>
  (await (await fetch(`${proxy.url}/trpc/exercises.next`, { headers })).json()) as IncomingHttpHeaders;

describe("the load test's client addresses", () => {
  it("gives each virtual learner its own loopback address, carried by every request it sends", () => {
    expect(clientAddressOf(1)).toBe("127.1.0.1");
    expect(clientAddressOf(1000)).toBe("127.1.3.232");
    expect(new Set(Array.from({ length: 5000 }, (_, i) => clientAddressOf(i + 1))).size).toBe(5000);
    expect(() => clientAddressOf(0)).toThrow(/no loopback address/);
    const learner = newVuState(7, "run");
    learner.token = "tok";
    // The first call plans the iteration (null); the second is its first request.
    const request = nextRequest(learner, () => 0.5) ?? nextRequest(learner, () => 0.5);
    expect(request?.procedure).toBe("exercises.next");
    expect(request?.headers[CLIENT_ADDRESS_HEADER]).toBe("127.1.0.7");
  });

  it("the proxy makes the learner's address the client address the app sees, and drops the header", async () => {
    const seen = await through({ [CLIENT_ADDRESS_HEADER]: clientAddressOf(42) });
    expect(seen["x-forwarded-for"]).toBe("127.1.0.42");
    expect(seen[CLIENT_ADDRESS_HEADER]).toBeUndefined();
  });

  it("a forwarded address the request claims is replaced, not appended to", async () => {
    const seen = await through({ "x-forwarded-for": "203.0.113.9", [CLIENT_ADDRESS_HEADER]: "127.1.0.9" });
    expect(seen["x-forwarded-for"]).toBe("127.1.0.9");
    const plain = await through({ "x-forwarded-for": "203.0.113.9" });
    expect(plain["x-forwarded-for"]).toBe("127.0.0.1");
  });
});
