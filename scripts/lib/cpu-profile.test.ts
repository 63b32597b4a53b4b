import { describe, expect, it } from "vitest";
import { breakdown, type CpuProfile, groupOf } from "./cpu-profile.ts";

const ROOT = "/repo";
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });

describe("a CPU profile's breakdown", () => {
  it("groups functions by where their code lives", () => {
    expect(groupOf(frame("x", "file:///repo/node_modules/@trpc/server/dist/index.mjs"), ROOT)).toBe(
      "package: @trpc/server",
    );
    expect(groupOf(frame("x", "file:///repo/node_modules/pg/lib/client.js"), ROOT)).toBe("package: pg");
    expect(groupOf(frame("x", "file:///repo/practice-app/src/db/pool.ts"), ROOT)).toBe("app: db");
    expect(groupOf(frame("x", "file:///repo/practice-app/src/app.ts"), ROOT)).toBe("app: app");
    expect(groupOf(frame("x", "node:_http_server"), ROOT)).toBe("Node: HTTP");
    expect(groupOf(frame("x", "node:internal/modules/esm/loader"), ROOT)).toBe("loading modules (start-up)");
    expect(groupOf(frame("stringify", ""), ROOT)).toBe("JSON (native)");
    expect(groupOf(frame("writev", ""), ROOT)).toBe("Node: socket reads and writes (native)");
    expect(groupOf(frame("(garbage collector)", ""), ROOT)).toBe("garbage collection");
  });

  it("charges each sample's time to the function on top of the stack, idle apart", () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 3, 4] },
        { id: 2, callFrame: frame("(idle)", "") },
        { id: 3, callFrame: frame("handle", "file:///repo/practice-app/src/http/server.ts") },
        { id: 4, callFrame: frame("query", "file:///repo/node_modules/pg/lib/client.js") },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 3, 3, 4, 3, 2],
      timeDeltas: [5_000, 1_000, 1_000, 2_000, 1_000, 5_000],
    };
    const result = breakdown(profile, ROOT);
    expect(result.idleMs).toBe(10);
    expect(result.busyMs).toBe(5);
    expect(result.groups).toEqual([
      { name: "app: http", ms: 3, share: 0.6 },
      { name: "package: pg", ms: 2, share: 0.4 },
    ]);
    expect(result.topFunctions[0]).toEqual({ name: "handle (server.ts:10)", ms: 3, share: 0.6 });
  });
});
