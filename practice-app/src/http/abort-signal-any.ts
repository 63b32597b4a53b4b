/**
 * Works around a memory leak in Node's AbortSignal.any (nodejs/node#54614, open in Node 22): the
 * composite signal's bookkeeping (WeakRefs in a process-wide registry) is not released under a
 * saturated event loop. tRPC composes one per request, so under sustained load the heap grew with
 * every request (22,000 WeakRefs retained per 8 s at saturation, found by heap snapshots while
 * running `npm run bench:app`).
 *
 * This version follows its sources with plain listeners instead: the composite and the sources
 * are all per request, so they are collected together. Installed once, by the process entry point;
 * returns a function that puts the native one back.
 */
export function installAbortSignalAnyWorkaround(): () => void {
  const native = AbortSignal.any;
  AbortSignal.any = function any(signals: Iterable<AbortSignal>): AbortSignal {
    const sources = [...signals];
    const controller = new AbortController();
    const aborted = sources.find((signal) => signal.aborted);
    if (aborted) {
      controller.abort(aborted.reason);
      return controller.signal;
    }
    const onAbort = (event: Event) => {
      for (const source of sources) source.removeEventListener("abort", onAbort);
      controller.abort((event.target as AbortSignal).reason);
    };
    for (const source of sources) source.addEventListener("abort", onAbort);
    return controller.signal;
  };
  return () => {
    AbortSignal.any = native;
  };
}
