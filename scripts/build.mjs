// Bundles the package. The CLI and library are bundled so that starting them does not pay for
// loading chevrotain's dependency tree module by module (about 250 ms unbundled, 15 ms bundled).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

// Whitespace and syntax minified, every name kept: a stack trace reads `at unquote`, not
// `at t`. Start-up is mostly V8 parsing the bundle: this one (240 KB) starts as fast as a fully
// minified one (160 KB), where the unminified one (330 KB) took about 4 ms more CPU time. No
// source maps: they would point at sources the package does not ship.
const common = {
  bundle: true,
  format: "esm",
  absWorkingDir: root,
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  // #crypto resolves to our sources under this condition only (package.json "imports"): the
  // bundles inline it, so the shipped package never resolves it.
  conditions: ["development"],
};
/** src/codemirror's imports of the public API (src/index.ts) become imports of the package itself. */
const publicApiAsPackage = {
  name: "public-api-as-package",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.ts$/ }, (args) =>
      args.importer.startsWith(`${root}src/codemirror/`) ? { path: "hash-helper", external: true } : undefined,
    );
  },
};
await Promise.all([
  // On Node, index.js holds what a caller reads before calling anything and loads full.js, the
  // rest, on the first call (src/node.ts); what both need is in a chunk they share.
  build({
    ...common,
    entryPoints: { index: "src/node.ts", full: "src/index.ts" },
    outdir: "dist",
    splitting: true,
    chunkNames: "chunk-[hash]",
    platform: "node",
    target: "node20",
  }),
  // platform "browser" makes esbuild pick the "browser" backend of the #crypto import.
  build({
    ...common,
    entryPoints: ["src/index.ts"],
    outfile: "dist/browser.js",
    platform: "browser",
    target: "es2022",
  }),
  // hash-helper/codemirror. The public API stays an import of "hash-helper", so a page that has
  // the package and the editor holds one copy of it, and the main entry's bundle is the same
  // with or without the extension; the lexer it highlights with (src/syntax/lexer.ts and
  // chevrotain, which the public API does not export) is bundled into it. CodeMirror is the
  // host's: its packages are peer dependencies, and one copy of @codemirror/state is a must.
  build({
    ...common,
    entryPoints: { codemirror: "src/codemirror/index.ts" },
    outdir: "dist",
    platform: "browser",
    target: "es2022",
    external: ["@codemirror/*", "@lezer/*"],
    plugins: [publicApiAsPackage],
  }),
  // CommonJS: see src/shells/cli/cli-bin.ts. cli.cjs is the program's first file, which loads
  // the program, cli-main.cjs, from V8's code cache (src/shells/cli/start.ts); it is built once
  // cli-main.cjs is, with the hash of its content, which names the cache.
  build({
    ...common,
    entryPoints: ["src/shells/cli/cli-bin.ts"],
    outfile: "dist/cli-main.cjs",
    format: "cjs",
    platform: "node",
    target: "node20",
  }).then(() =>
    build({
      ...common,
      entryPoints: ["src/shells/cli/start.ts"],
      outfile: "dist/cli.cjs",
      format: "cjs",
      platform: "node",
      target: "node20",
      banner: { js: "#!/usr/bin/env node" },
      define: {
        CLI_MAIN_HASH: JSON.stringify(
          createHash("sha256")
            .update(readFileSync(`${root}dist/cli-main.cjs`))
            .digest("hex")
            .slice(0, 16),
        ),
      },
    }),
  ),
]);
chmodSync(`${root}dist/cli.cjs`, 0o755);
// The test setup builds the bundles only: declarations take seconds and tsc has its own step.
if (process.argv.includes("--bundles-only")) process.exit(0);
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`], {
  stdio: "inherit",
});
