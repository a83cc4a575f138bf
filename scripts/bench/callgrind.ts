// Instruction counts of whole Node processes under valgrind's callgrind, beside the wall times: on
// a shared, noisy machine a wall time swings by tens of percent from run to run, an instruction
// count by far less once what varies from run to run is fixed. Fixed here: the address space
// layout (ASLR off), V8's random numbers and hash seed (`--random-seed`), and the CPU (one, so that
// the order in which valgrind runs the threads depends less on the kernel's scheduler). Not fixed,
// since only V8 flags could fix it and they change what is measured: when a background thread's
// optimised code or garbage collection lands. A bare start repeats to five digits; a process that
// runs hot code moves by tenths of a percent, and now and then by several percent (TurboFan
// compiling more in one run than in another). Hence several runs, their median and their spread.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { machine, tmpdir } from "node:os";
import { join } from "node:path";

export interface CallgrindOptions {
  /** The directory the process runs in. */
  readonly cwd: string;
  /** The environment of the process (the bench's own by default); `NODE_EXTRA_CA_CERTS` is always removed. */
  readonly env?: NodeJS.ProcessEnv;
  /** The CPU the process is pinned to; the first this process may run on by default. */
  readonly cpu?: number;
  /** Whether the script marks its work with `mark` (see `CallgrindRun.between`). */
  readonly marked?: boolean;
}

export interface CallgrindRun {
  /** Instructions executed by the process, all its threads together (callgrind's total `Ir`). */
  readonly instructions: number;
  /**
   * With `marked`, the instructions executed (by all threads) between the first `mark` and the
   * second, the second and the third, and so on; empty otherwise.
   */
  readonly between: readonly number[];
  readonly stdout: string;
  /** Wall time of the run under valgrind, in milliseconds: what the measurement cost, not the process. */
  readonly ms: number;
}

/** A process to count: `node <args>` in `cwd`. */
export interface CountedCommand {
  readonly name: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Count only what runs between the script's first two `mark`s, not the whole process. */
  readonly marked?: boolean;
}

/** A command's counts over its runs: of the whole process, or between its marks with `marked`. */
export interface Count {
  /** The median over the runs: what a report shows. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every run's count, in the order run. */
  readonly runs: readonly number[];
  /** The median wall time of a run under valgrind, in milliseconds. */
  readonly ms: number;
  /** The standard output of the first run. */
  readonly stdout: string;
}

/**
 * The options given to node before the command's own. `--random-seed` fixes V8's random numbers
 * and, through them, the hash seed. `--hash-seed` would not do: it is counted in V8's flag hash,
 * so that V8 rejects the code cache Node embeds for its own modules and compiles them from source
 * (6.5 M more instructions for `node -e ""`, work no user's process does), and rejects the CLI's
 * own code cache, made by the timed runs, then rewrites it for the next timed run to reject;
 * `--random-seed` is left out of that hash on purpose. V8 derives its hash secrets from the seed by a search for primes
 * whose length depends on the seed (6 M to 23 M instructions): seed 6 costs 8.2 M, about the
 * median of random seeds. Nothing else: V8's worker threads stay at Node's default of 4, and no
 * V8 flag such as `--single-threaded` (which also drops that code cache, and moves the work of
 * the background threads onto the main one) changes what is measured.
 */
export const nodeOptions: readonly string[] = ["--random-seed=6"];

/**
 * A statement that marks, in a script run with `marked`, where the work to count starts and ends:
 * `${mark} work; ${mark}`. What runs before (Node's start, the import, the setup) is then not in
 * the count, nor its variation from run to run, as it would be in the difference of two whole
 * processes. The mark is a call into Node that nothing else in a process makes; callgrind writes
 * its counters out and starts again from zero on entering it (`--dump-before`).
 */
export const mark = "process.getegid();";
const markFunction = "node::credentials::GetEGid*";

const valgrindOptions: readonly string[] = [
  "--tool=callgrind",
  "--quiet",
  // V8 tells valgrind of the code it writes (VALGRIND_DISCARD_TRANSLATIONS); checking all code not
  // from a file guards against running a stale translation anyway, at no cost measured here.
  "--smc-check=all-non-file",
];

/** The CPUs this process may run on (Linux's `Cpus_allowed_list`), or none when unknown. */
function allowedCpus(): number[] {
  let status: string;
  try {
    status = readFileSync("/proc/self/status", "utf8");
  } catch {
    return [];
  }
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) return [];
  return list.split(",").flatMap((range) => {
    const [from, to = from] = range.split("-").map(Number) as [number, number?];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

const cpus = allowedCpus();

function probe(): string | undefined {
  const valgrind = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  if (valgrind.error || valgrind.status !== 0) return "valgrind not installed";
  const setarch = spawnSync("setarch", [machine(), "-R", "true"], { encoding: "utf8" });
  if (setarch.error || setarch.status !== 0) return "ASLR cannot be turned off (setarch -R failed)";
  return undefined;
}

/** Why instructions cannot be counted on this machine, or undefined when they can. */
export const notMeasured: string | undefined = probe();

/** Whether valgrind's callgrind can count instructions here (valgrind installed, ASLR can be turned off). */
export const haveCallgrind: boolean = notMeasured === undefined;

const canPin = cpus.length > 0 && spawnSync("taskset", ["-c", String(cpus[0]), "true"]).status === 0;

/** The command line and environment of one run, writing its profile to `out`. */
function commandLine(args: readonly string[], options: CallgrindOptions, out: string) {
  if (notMeasured !== undefined) throw new Error(`cannot count instructions: ${notMeasured}`);
  const env = { ...(options.env ?? process.env) };
  delete env.NODE_EXTRA_CA_CERTS;
  const counted = [
    "setarch",
    machine(),
    "-R",
    "valgrind",
    ...valgrindOptions,
    `--callgrind-out-file=${out}`,
    ...(options.marked ? [`--dump-before=${markFunction}`] : []),
    process.execPath,
    ...nodeOptions,
    ...args,
  ];
  const pinned = canPin ? ["taskset", "-c", String(options.cpu ?? cpus[0]), ...counted] : counted;
  return { file: pinned[0] as string, argv: pinned.slice(1), env };
}

function describe(args: readonly string[]): string {
  const shown = `node ${args.join(" ")}`;
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}

/** The `totals:` line of a callgrind profile (the `summary:` line of older valgrinds). */
function totalIr(file: string, shown: string): number {
  const line = /^(?:totals|summary):\s*(\d+)/m.exec(readFileSync(file, "utf8"));
  if (!line) throw new Error(`${shown}: callgrind wrote no total`);
  return Number(line[1]);
}

/**
 * The counts of a run. Each `--dump-before` writes `out.1`, `out.2`, … with what ran since the
 * previous one; `out` holds what ran after the last.
 */
function counts(dir: string, out: string, shown: string, marked: boolean): { instructions: number; between: number[] } {
  const parts = readdirSync(dir).filter((name) => /^callgrind\.out\.\d+$/.test(name)).length;
  const dumps = Array.from({ length: parts }, (_, i) => totalIr(`${out}.${i + 1}`, shown));
  const last = totalIr(out, shown);
  if (marked && parts < 2) throw new Error(`${shown}: the script did not reach its second mark`);
  return { instructions: dumps.reduce((sum, n) => sum + n, last), between: marked ? dumps.slice(1) : [] };
}

function failure(shown: string, status: number | null, signal: string | null, stderr: string): Error {
  return new Error(`${shown} under callgrind exited with ${status ?? signal}: ${stderr.trim()}`);
}

/**
 * Runs `node <args>` (this process's node, `nodeOptions` first) once under callgrind, with ASLR
 * off and pinned to one CPU, and returns its instruction count, its standard output and what the
 * run took. Throws when valgrind is missing or the process fails.
 */
export function callgrind(args: readonly string[], options: CallgrindOptions): CallgrindRun {
  const dir = mkdtempSync(join(tmpdir(), "hash-helper-callgrind-"));
  try {
    const out = join(dir, "callgrind.out");
    const { file, argv, env } = commandLine(args, options, out);
    const shown = describe(args);
    const start = performance.now();
    const child = spawnSync(file, argv, { cwd: options.cwd, env, encoding: "utf8", maxBuffer: 1 << 28 });
    const ms = performance.now() - start;
    if (child.error) throw new Error(`${shown} under callgrind: ${child.error.message}`);
    if (child.status !== 0) throw failure(shown, child.status, child.signal, child.stderr);
    return { ...counts(dir, out, shown, options.marked === true), stdout: child.stdout, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The instruction count of one run of `node <args>` under callgrind; see `callgrind`. */
export function instructions(args: readonly string[], options: CallgrindOptions): number {
  return callgrind(args, options).instructions;
}

function callgrindAsync(args: readonly string[], options: CallgrindOptions): Promise<CallgrindRun> {
  const dir = mkdtempSync(join(tmpdir(), "hash-helper-callgrind-"));
  const out = join(dir, "callgrind.out");
  const shown = describe(args);
  return new Promise<CallgrindRun>((resolve, reject) => {
    const { file, argv, env } = commandLine(args, options, out);
    const start = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", (error) => reject(new Error(`${shown} under callgrind: ${error.message}`)));
    child.on("close", (status, signal) => {
      const ms = performance.now() - start;
      try {
        if (status !== 0) throw failure(shown, status, signal, stderr);
        resolve({ ...counts(dir, out, shown, options.marked === true), stdout, ms });
      } catch (error) {
        reject(error);
      }
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const middle = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[half] as number)
    : Math.round(((sorted[half - 1] as number) + (sorted[half] as number)) / 2);
};

/**
 * Runs `node <args>` once without valgrind, with the same options and environment: what a process
 * leaves on disk for the next (the CLI's V8 code cache) is then there for every counted run, as it
 * is for a user's second run.
 */
function warm(c: CountedCommand): void {
  const env = { ...(c.env ?? process.env) };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawnSync(process.execPath, [...nodeOptions, ...c.args], { cwd: c.cwd, env, encoding: "utf8" });
  if (child.error || child.status !== 0) {
    throw new Error(`${describe(c.args)} failed: ${child.error?.message ?? child.stderr.trim()}`);
  }
}

/**
 * Counts every command `runs` times, the commands interleaved round by round, as many at once as
 * there are CPUs to pin them to (`parallel`), and returns each command's median, spread and cost.
 * Each command runs once uncounted first, without valgrind (see `warm`).
 */
export async function countAll(
  commands: readonly CountedCommand[],
  { runs = 3, parallel = Math.max(1, cpus.length) }: { runs?: number; parallel?: number } = {},
): Promise<Map<string, Count>> {
  if (notMeasured !== undefined) throw new Error(`cannot count instructions: ${notMeasured}`);
  for (const c of commands) warm(c);
  const queue = Array.from({ length: runs }, () => commands.map((_, index) => index)).flat();
  const results = commands.map((): CallgrindRun[] => []);
  const lanes = Array.from({ length: Math.min(parallel, queue.length) }, async (_, lane) => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const c = commands[index] as CountedCommand;
      const cpu = cpus.length > 0 ? cpus[lane % cpus.length] : undefined;
      const options: CallgrindOptions = {
        cwd: c.cwd,
        ...(c.env ? { env: c.env } : {}),
        ...(cpu !== undefined ? { cpu } : {}),
        ...(c.marked ? { marked: true } : {}),
      };
      (results[index] as CallgrindRun[]).push(await callgrindAsync(c.args, options));
    }
  });
  await Promise.all(lanes);
  return new Map(
    commands.map((c, index) => {
      const done = results[index] as CallgrindRun[];
      const each = done.map((run) => (c.marked ? (run.between[0] as number) : run.instructions));
      const count: Count = {
        median: middle(each),
        min: Math.min(...each),
        max: Math.max(...each),
        runs: each,
        ms: middle(done.map((run) => run.ms)),
        stdout: (done[0] as CallgrindRun).stdout,
      };
      return [c.name, count];
    }),
  );
}
