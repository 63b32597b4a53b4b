import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "practice-app/**/*.test.ts",
      "tests/**/*.test.ts",
      "scripts/**/*.test.ts",
      "src/**/*.test.ts",
      "runbooks/**/*.test.ts",
      "console/**/*.test.ts",
      "load-tests/**/*.test.ts",
    ],
    globalSetup: ["tests/support/global-setup.ts"],
    // Tests that spawn servers and scrypt hashes are slow on 2 cores; keep the default timeout sane.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
