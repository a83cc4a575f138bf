// The `hash-helper` program. It is bundled as CommonJS (dist/cli.cjs) because Node starts a
// CommonJS program without setting up its ES module loader, about 8 ms sooner, and a script that
// calls the CLI in a loop pays start-up on every call.
import { readFileSync, readlinkSync } from "node:fs";
import { isatty } from "node:tty";
import { IO_ERROR, main, readStdin } from "./cli.ts";

/**
 * Whether fd 1 was closed when the program was started (`>&-`). Node then opens /dev/null in
 * its place, read-write, and writes vanish without an error. A shell's `> /dev/null` opens it
 * write-only. A parent that discards output by opening /dev/null read-write cannot be told apart
 * by fd 1 alone; when it discards standard error the same way too (Node's stdio "ignore", which
 * ignores all three), it meant to, and fd 1 counts as open. Discarding standard output alone that
 * way (Python's stdout=DEVNULL) counts as closed: the error says so on standard error. Linux only:
 * without /proc, standard output is taken to be open.
 */
function stdoutWasClosed(): boolean {
  return discardedReadWrite(1) && !discardedReadWrite(2);
}

/** Whether fd `fd` is /dev/null opened read-write, as Node opens it in place of a closed one. */
function discardedReadWrite(fd: number): boolean {
  try {
    if (readlinkSync(`/proc/self/fd/${fd}`) !== "/dev/null") return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
    // O_ACCMODE is 3 and O_RDWR 2 on every architecture Linux has.
    return flags !== undefined && (Number.parseInt(flags, 8) & 3) === 2;
  } catch {
    return false;
  }
}

// Read before anything else touches the descriptor.
const stdoutClosed = stdoutWasClosed();

// Each write's callback hears of its error, and main() chooses the exit status from it; these
// listeners keep the same error from being thrown as well. For the REPL, which writes to the
// stream itself, the exit status is all that can tell.
let writeFailed = false;
process.stdout.on("error", () => {
  writeFailed = true;
});
// With standard error gone there is nowhere left to say anything. Standard input and error are
// made (process.stdin, process.stderr) only when used: each is a stream Node builds on first
// access, start-up that `hash-helper eval` does not need.
let stderr: NodeJS.WriteStream | undefined;
const errors = () => {
  if (!stderr) {
    stderr = process.stderr;
    stderr.on("error", () => {});
  }
  return stderr;
};

// exitCode, not process.exit(): exiting at once can cut off output still queued for a pipe.
void main(process.argv.slice(2), {
  stdout: {
    write: (text: string) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
      }),
  },
  stderr: { write: (text: string) => errors().write(text) },
  readStdin,
  stdoutClosed,
  stdinIsTTY: isatty(0),
  stderrIsTTY: isatty(2),
  stdoutIsTTY: isatty(1),
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  stdoutStream: process.stdout,
}).then((code) => {
  process.exitCode = writeFailed ? IO_ERROR : code;
});
