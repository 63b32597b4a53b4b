import { describe, expect, it } from "vitest";
import { BoundedWork, WorkQueueFull } from "./bounded-work.ts";

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("BoundedWork", () => {
  it("runs up to `concurrency` jobs, queues up to `maxWaiting`, refuses the rest at once", async () => {
    const work = new BoundedWork({ concurrency: 2, maxWaiting: 1 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const jobs = gates.map((gate, i) =>
      work.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1]);
    expect(work.pending).toEqual({ active: 2, waiting: 1 });
    await expect(work.run(async () => 99)).rejects.toBeInstanceOf(WorkQueueFull);
    gates[0]?.resolve();
    await jobs[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    expect(work.pending).toEqual({ active: 2, waiting: 0 });
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2]);
    expect(work.pending).toEqual({ active: 0, waiting: 0 });
  });

  it("frees the slot when a job fails", async () => {
    const work = new BoundedWork({ concurrency: 1, maxWaiting: 0 });
    await expect(work.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await work.run(async () => "next")).toBe("next");
  });

  it("rejects nonsense limits", () => {
    expect(() => new BoundedWork({ concurrency: 0, maxWaiting: 1 })).toThrow(/concurrency >= 1/);
  });
});
