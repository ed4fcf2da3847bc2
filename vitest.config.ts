import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,cli,validators,generators,reconcilers,tests}/**/*.test.ts"],
    // End-to-end suites spawn the built CLI; the build runs first in `npm test`.
    testTimeout: 30_000,
    pool: "forks",
  },
});
