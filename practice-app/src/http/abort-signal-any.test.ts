import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installAbortSignalAnyWorkaround } from "./abort-signal-any.ts";

// The replacement must behave like the standard AbortSignal.any, since tRPC relies on it.

let uninstall: () => void;
const native = AbortSignal.any;
beforeAll(() => {
  uninstall = installAbortSignalAnyWorkaround();
});
afterAll(() => uninstall());

describe("AbortSignal.any replacement", () => {
  it("is installed and removable", () => {
    expect(AbortSignal.any).not.toBe(native);
  });

  it("aborts when any source aborts, with that source's reason, once", () => {
    const a = new AbortController();
    const b = new AbortController();
    const any = AbortSignal.any([a.signal, b.signal]);
    let fired = 0;
    any.addEventListener("abort", () => {
      fired += 1;
    });
    expect(any.aborted).toBe(false);
    b.abort(new Error("b went away"));
    a.abort(new Error("a too"));
    expect(any.aborted).toBe(true);
    expect((any.reason as Error).message).toBe("b went away");
    expect(fired).toBe(1);
  });

  it("is aborted at once when a source already is", () => {
    const done = AbortSignal.abort("already");
    const any = AbortSignal.any([new AbortController().signal, done]);
    expect(any.aborted).toBe(true);
    expect(any.reason).toBe("already");
  });

  it("stays open while no source aborts", () => {
    const any = AbortSignal.any([new AbortController().signal, new AbortController().signal]);
    expect(any.aborted).toBe(false);
  });
});
