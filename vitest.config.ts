import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once, so that the tests that spawn dist/cli.cjs never run a stale build.
    globalSetup: ["test/global-setup.ts"],
    // For the tests that build the parser with chevrotain's validations on, on Node 20.
    setupFiles: ["scripts/object-group-by.ts"],
  },
});
