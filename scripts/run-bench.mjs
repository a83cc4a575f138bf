// `npm run bench`: bundles scripts/bench.ts with esbuild and runs it in plain Node.
//
// Not under tsx: tsx transforms every JavaScript file the process loads, dist/ included, with
// esbuild's keepNames, so that each closure a call of the library makes costs a __name() call
// (Object.defineProperty) it never costs a user: signRequest(), which made a few closures a call,
// measured about half as fast again against its hand-written baseline under tsx as in plain
// Node. The bundle sits in scripts/, as bench.ts does, so that what it finds through
// import.meta.url is where it was.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const outfile = fileURLToPath(new URL("./.bench.mjs", import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL("./bench.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  conditions: ["development"],
  outfile,
  logLevel: "warning",
});
const child = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit" });
process.exitCode = child.status ?? 1;
