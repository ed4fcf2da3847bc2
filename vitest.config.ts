import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,cli,validators,generators,reconcilers,tests}/**/*.test.ts"],
    // End-to-end suites spawn the built CLI; the build runs first in `npm test`.
    // Real-daemon and end-to-end tests run many processes on a 2-core CI machine: generous limits,
    // so a slow moment is not a failure (a hang still ends the run).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
