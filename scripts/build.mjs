// Bundles the package. The CLI and library are bundled so that starting them does not pay for
// loading chevrotain's dependency tree module by module (about 250 ms unbundled, 15 ms bundled).
import { execFileSync } from "node:child_process";
import { chmodSync, realpathSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

/**
 * Resolves chevrotain's imports of these files of its own to src/bundle/chevrotain-absent.ts.
 * Paths are compared resolved, symlinks included (pnpm, workspaces), and a build in which one of
 * them was never met fails: a silent miss would ship them again.
 */
function leaveOut(files) {
  const chevrotain = realpathSync(resolve(root, "node_modules/chevrotain/lib/src"));
  const left = new Set(files.map((file) => resolve(chevrotain, file)));
  return {
    name: "leave-out",
    setup(build) {
      const met = new Set();
      build.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir }) => {
        let file = resolve(resolveDir, path);
        try {
          file = realpathSync(file);
        } catch {
          return undefined;
        }
        if (!left.has(file)) return undefined;
        met.add(file);
        return { path: resolve(root, "src/bundle/chevrotain-absent.ts") };
      });
      build.onEnd((result) => {
        const missed = [...left].filter((file) => !met.has(file));
        if (missed.length > 0 && result.errors.length === 0) {
          return { errors: missed.map((file) => ({ text: `leave-out: chevrotain never imported ${file}` })) };
        }
      });
    },
  };
}

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
  // 50 KiB less to ship and to parse at start-up: chevrotain's lodash calls answered natively,
  // and the parts of chevrotain our parser never calls left out (see the two modules).
  alias: {
    "lodash-es": "./src/bundle/lodash-native.ts",
    "@chevrotain/regexp-to-ast": "./src/bundle/chevrotain-absent.ts",
  },
  plugins: [leaveOut(["parse/grammar/checks.js", "parse/grammar/follow.js", "parse/errors_public.js"])],
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
