import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Builds dist/ before any test runs: the CLI tests spawn the bundled dist/cli.cjs. */
export default function setup(): void {
  // For a run of tests that spawn nothing, beside another run that is building.
  if (process.env.HASH_HELPER_SKIP_BUILD) return;
  execFileSync(process.execPath, ["scripts/build.mjs", "--bundles-only"], { cwd: root, stdio: "inherit" });
}
