import { registerHooks } from "node:module";

// Preloaded into a spawned app (`node --import`) by tests/app/error-tracking.test.ts:
// - prints SENTRY_SDK_LOADED on stderr when anything resolves @sentry/*, so a test can tell whether
//   the SDK was imported at all;
// - on SIGUSR2 throws an error nobody catches, carrying data the error tracker must not receive.

let told = false;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!told && specifier.startsWith("@sentry/")) {
      told = true;
      process.stderr.write("SENTRY_SDK_LOADED\n");
    }
    return nextResolve(specifier, context);
  },
});

process.on("SIGUSR2", () => {
  setImmediate(() => {
    throw new Error(
      "unhandled probe: learner pat.doe@example.org, password=hunter2-probe, db postgres://ssp:db-pass-probe@db:5432/ssp",
    );
  });
});
