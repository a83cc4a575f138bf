// Bundles the package. The CLI and library are bundled so that starting them does not pay for
// loading chevrotain's dependency tree module by module (about 250 ms unbundled, 15 ms bundled).
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

// Minified: start-up time is mostly V8 parsing the bundle, and a minified one parses faster.
// Error names are set explicitly (HashHelperError), so they survive; source maps sit beside.
const common = {
  bundle: true,
  format: "esm",
  absWorkingDir: root,
  logLevel: "warning",
  legalComments: "none",
  minify: true,
  sourcemap: "linked",
};
await Promise.all([
  build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js", platform: "node", target: "node20" }),
  // platform "browser" makes esbuild pick the "browser" condition of the #crypto import.
  build({
    ...common,
    entryPoints: ["src/index.ts"],
    outfile: "dist/browser.js",
    platform: "browser",
    target: "es2022",
  }),
  // CommonJS: see src/cli-bin.ts.
  build({
    ...common,
    entryPoints: ["src/cli-bin.ts"],
    outfile: "dist/cli.cjs",
    format: "cjs",
    platform: "node",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  }),
]);
chmodSync(`${root}dist/cli.cjs`, 0o755);
// The test setup builds the bundles only: declarations take seconds and tsc has its own step.
if (process.argv.includes("--bundles-only")) process.exit(0);
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`], {
  stdio: "inherit",
});
