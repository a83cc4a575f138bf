import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once, so that the tests that spawn dist/cli.js never run a stale build.
    globalSetup: ["test/global-setup.ts"],
  },
});
