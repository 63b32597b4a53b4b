import { configDefaults, defineConfig } from "vitest/config";

/** Every test file of the repository (tests/cicd/test-gates.test.ts puts each in one gate). */
export const TEST_FILES = [
  "practice-app/**/*.test.ts",
  "tests/**/*.test.ts",
  "scripts/**/*.test.ts",
  "src/**/*.test.ts",
  "runbooks/**/*.test.ts",
  "console/**/*.test.ts",
  "load-tests/**/*.test.ts",
];

// Files that measure under load or inject a fault while requests are in flight: they run after
// the rest, one at a time, so another file's CPU does not decide their outcome. Everything else
// runs two files at a time (the machine has 2 cores and most files wait on processes and I/O).
const ALONE = [
  "tests/load/**/*.test.ts",
  "tests/app/drain.test.ts",
  "tests/app/faults.test.ts",
  "tests/app/db-faults.test.ts",
  "tests/app/redis-breaker.test.ts",
  "tests/app/restore-under-load.test.ts",
  "tests/runbooks/zero-downtime.test.ts",
  "tests/runbooks/load-test.test.ts",
  "tests/e2e/load-compare.test.ts",
  // Every page through axe in Chromium: CPU-bound, and beside another heavy file it neared its timeout.
  "tests/site/pages.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    // Tests that spawn servers and scrypt hashes are slow on 2 cores; keep the default timeout sane.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default: a page's script on a busy 2-core machine can take
    // longer to start (tests/e2e failed so). A condition that never comes still fails, later.
    expect: { poll: { timeout: 10_000 } },
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: TEST_FILES,
          exclude: [...configDefaults.exclude, ...ALONE],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
