// Timing on a shared, noisy machine: every number is a median over many samples, and what is
// compared is timed in the same process, interleaved round by round, so that a slow moment of the
// machine weighs on both sides of a ratio.
import { spawnSync } from "node:child_process";
import { Bench } from "tinybench";

/** One thing timed in the process. */
export interface Case {
  readonly name: string;
  /** Untimed, before each sample: makes the inputs of the sample's `calls` calls. */
  readonly setup?: (calls: number) => void;
  /** The i-th call of a sample: what is timed. */
  readonly run: (i: number) => unknown;
}

export interface Timing {
  /** The median time of one call (or one process), in milliseconds. */
  readonly median: number;
  readonly samples: number;
  /** Calls a sample times together, so that the timer's cost and resolution do not matter. */
  readonly callsPerSample: number;
  /** Whether a sample is a call in this process or a whole process. */
  readonly unit: "call" | "process";
}

export interface GroupOptions {
  /** Rounds of the whole group; each case's samples from all rounds are pooled. */
  rounds: number;
  /** The time each case gets a round, in milliseconds. */
  roundMs: number;
  /** The time one sample should take, in milliseconds. */
  sampleMs: number;
  /** Samples each case takes a round at least, however slow it is. */
  minSamples: number;
  /** Calls a sample times, the same for every case; by default each case's own, making a sample about `sampleMs`. */
  batch?: number;
}

const defaults: GroupOptions = { rounds: 12, roundMs: 150, sampleMs: 1, minSamples: 5 };

// Where results go, so that no call can be optimised away as unused.
let _sink: unknown;

/**
 * Times the cases of a group with tinybench, in rounds. Each round runs every case for `roundMs`,
 * starting from a different case each round; a first round warms up and is dropped.
 */
export function timeGroup(cases: readonly Case[], options: Partial<GroupOptions> = {}): Map<string, Timing> {
  const { rounds, roundMs, sampleMs, minSamples, batch } = { ...defaults, ...options };
  const batches = cases.map((c) => {
    const calls = callsPerSample(c, sampleMs);
    return batch ?? calls;
  });
  const pooled = cases.map((): number[] => []);
  for (let round = -1; round < rounds; round++) {
    const bench = new Bench({
      time: roundMs,
      iterations: minSamples,
      retainSamples: true,
      warmup: false,
      throws: true,
    });
    for (let k = 0; k < cases.length; k++) {
      const index = (k + Math.max(round, 0)) % cases.length;
      const c = cases[index] as Case;
      const calls = batches[index] as number;
      const sample = () => {
        for (let i = 0; i < calls; i++) _sink = c.run(i);
      };
      const setup = c.setup;
      bench.add(String(index), sample, setup ? { beforeEach: () => setup(calls) } : {});
    }
    for (const task of bench.runSync()) {
      const result = task.result;
      if (result.state === "errored") throw result.error;
      if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
      if (round < 0) continue;
      const index = Number(task.name);
      const calls = batches[index] as number;
      for (const ms of result.latency.samples ?? []) (pooled[index] as number[]).push(ms / calls);
    }
  }
  return new Map(
    cases.map((c, i) => {
      const samples = pooled[i] as number[];
      const timing: Timing = {
        median: median(samples),
        samples: samples.length,
        callsPerSample: batches[i] as number,
        unit: "call",
      };
      return [c.name, timing];
    }),
  );
}

/**
 * How many calls make a sample of about `sampleMs`. The case is called for `warmMs` first, in
 * batches that double up to a sample's length: cold, while V8 is still compiling it, a call of
 * the library takes ten times as long as it will, and would make the batches too small.
 */
function callsPerSample(c: Case, sampleMs: number, warmMs = 100): number {
  let spent = 0;
  for (let calls = 1; ; ) {
    c.setup?.(calls);
    const start = performance.now();
    for (let i = 0; i < calls; i++) _sink = c.run(i);
    const elapsed = performance.now() - start;
    spent += elapsed;
    const long = elapsed >= sampleMs / 4 || calls >= 1 << 20;
    const estimate = Math.max(1, Math.round((calls * sampleMs) / Math.max(elapsed, 1e-6)));
    if (long && spent >= warmMs) return estimate;
    calls = long ? estimate : calls * 2;
  }
}

/** A whole process, timed from spawn to exit. */
export interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The environment; the bench's own by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Times whole processes: each command `runs` times, the commands alternating, after `warmups`
 * runs each that fill the file cache and are dropped. A command that fails stops everything.
 */
export function timeProcesses(commands: readonly Command[], runs = 30, warmups = 3): Map<string, Timing> {
  const times = commands.map((): number[] => []);
  for (let run = -warmups; run < runs; run++) {
    for (let k = 0; k < commands.length; k++) {
      // Alternate which goes first, so that neither always follows the other.
      const index = (k + Math.max(run, 0)) % commands.length;
      const command = commands[index] as Command;
      const start = performance.now();
      const child = spawnSync(process.execPath, command.args, {
        cwd: command.cwd,
        stdio: ["ignore", "pipe", "pipe"],
        ...(command.env ? { env: command.env } : {}),
      });
      const elapsed = performance.now() - start;
      if (child.error) throw child.error;
      if (child.status !== 0) {
        throw new Error(`${command.name} exited with ${child.status}: ${child.stderr.toString().slice(0, 500)}`);
      }
      if (run >= 0) (times[index] as number[]).push(elapsed);
    }
  }
  return new Map(
    commands.map((c, i) => {
      const samples = times[i] as number[];
      const timing: Timing = { median: median(samples), samples: samples.length, callsPerSample: 1, unit: "process" };
      return [c.name, timing];
    }),
  );
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
