import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // What the bundles ship (scripts/build.mjs): chevrotain's lodash calls answered natively.
    alias: [
      { find: /^lodash-es$/, replacement: fileURLToPath(new URL("src/bundle/lodash-native.ts", import.meta.url)) },
    ],
  },
  test: {
    // Inlined so that the alias applies inside chevrotain too, not only to our own imports.
    server: { deps: { inline: [/[\\/]node_modules[\\/](chevrotain|@chevrotain)[\\/]/] } },
    include: ["test/**/*.test.ts"],
    // Builds dist/ once, so that the tests that spawn dist/cli.cjs never run a stale build.
    globalSetup: ["test/global-setup.ts"],
  },
});
