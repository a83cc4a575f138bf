// The `hash-helper` program. It is bundled as CommonJS (dist/cli.cjs) because Node starts a
// CommonJS program without setting up its ES module loader, about 8 ms sooner, and a script that
// calls the CLI in a loop pays start-up on every call.
import { main, readStdin } from "./cli.ts";

// A reader that goes away (| head) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
});
// exitCode, not process.exit(): exiting at once can cut off output still queued for a pipe.
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin,
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  stdin: process.stdin,
  stdoutStream: process.stdout,
}).then((code) => {
  process.exitCode = code;
});
