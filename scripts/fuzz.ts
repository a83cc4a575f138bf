// Runs the properties of test/property.test.ts for as long as asked, with fresh seeds.
//
//   npm run fuzz                               60 seconds over every property
//   npm run fuzz -- --runs 1000000             a million cases
//   npm run fuzz -- --seconds 600 --property grammar,keys
//   npm run fuzz -- --property grammar --seed=-42 --path=17:3:0   replay a counterexample
//
// Progress goes to stderr every few seconds; the summary to stdout. Exit status 1 on a
// counterexample (printed with its seed and path), 2 on a usage error.
import { parseArgs } from "node:util";
import fc from "fast-check";
import {
  anyString,
  evaluatesAsModelled,
  expandsAsModelled,
  expandsOrFails,
  grammarTemplate,
  keyedTemplate,
  keyNeverShown,
  limitsOnlyLimit,
  nestingIsBounded,
  now,
  openerFreeText,
  options,
  plainTextSurvives,
  signsAsModelled,
  textSurvives,
  tightLimits,
  validBlock,
  validExpression,
  validRequest,
  validTemplate,
} from "../test/arbitraries.ts";
import { keyNeverShownAnywhere, mutatedKey } from "../test/masks-arbitraries.ts";

// Same arbitraries and predicates as the test file, so a counterexample found here replays there.
const properties: Record<string, fc.IRawProperty<unknown>> = {
  anyString: fc.property(anyString, options, expandsOrFails),
  grammar: fc.property(grammarTemplate, options, expandsOrFails),
  openerFree: fc.property(openerFreeText, now, plainTextSurvives),
  survives: fc.property(openerFreeText, validBlock, openerFreeText, now, textSurvives),
  valid: fc.property(validTemplate, now, expandsAsModelled),
  expression: fc.property(validExpression, now, evaluatesAsModelled),
  request: fc.property(validRequest, now, signsAsModelled),
  limits: fc.property(validTemplate, tightLimits, now, limitsOnlyLimit),
  nesting: fc.property(fc.nat({ max: 120 }), fc.option(fc.nat({ max: 80 }), { nil: undefined }), nestingIsBounded),
  keys: fc.property(keyedTemplate({ sameLine: false }), keyNeverShown),
  keysSameLine: fc.property(keyedTemplate({ sameLine: true }), keyNeverShown),
  masks: fc.property(mutatedKey, keyNeverShownAnywhere),
};

const notByDefault = new Set<string>();

function usage(message: string, status = 2): never {
  (status === 0 ? process.stdout : process.stderr).write(
    `${message}\nusage: npm run fuzz -- [--runs N] [--seconds S] [--property NAME,…] [--seed=N [--path=P]]\n` +
      `properties: ${Object.keys(properties).join(", ")} (${[...notByDefault].join(", ")} only when named)\n`,
  );
  process.exit(status);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      runs: { type: "string" },
      seconds: { type: "string" },
      property: { type: "string" },
      seed: { type: "string" },
      path: { type: "string" },
      batch: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (e) {
  usage((e as Error).message);
}
if (args.help) usage("Runs the property tests of test/property.test.ts for longer.", 0);

const whole = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be a whole number ≥ ${min}`);
  return n;
};
const maxRuns = whole("runs", args.runs, 1);
const seconds = args.seconds === undefined ? undefined : Number(args.seconds);
if (seconds !== undefined && !(seconds > 0)) usage("--seconds must be a positive number");
const seed = whole("seed", args.seed, Number.MIN_SAFE_INTEGER);
if (seed !== undefined && (seed | 0) !== seed) usage("--seed must be a 32-bit integer, as fast-check prints it");
const batch = whole("batch", args.batch, 1) ?? 500;

const names = args.property
  ? args.property.split(",").map((n) => n.trim())
  : Object.keys(properties).filter((n) => !notByDefault.has(n));
for (const name of names) if (!Object.hasOwn(properties, name)) usage(`unknown property '${name}'`);
if (args.path !== undefined && (names.length !== 1 || seed === undefined)) {
  usage("--path replays one counterexample: give it with --seed and a single --property");
}

// With neither --runs nor --seconds, run for a minute.
const deadline = performance.now() + (seconds ?? (maxRuns === undefined ? 60 : Number.POSITIVE_INFINITY)) * 1000;
const baseSeed = seed ?? (Date.now() ^ (Math.random() * 2 ** 32)) | 0;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();

const done: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
let total = 0;
const started = performance.now();
let lastReport = started;

const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
function summary(): string {
  const rate = Math.round(total / Math.max(0.001, (performance.now() - started) / 1000));
  const each = names.map((n) => `${n} ${done[n]}`).join(", ");
  return `${total} cases in ${elapsed()} s (${rate}/s), base seed ${baseSeed}: ${each}`;
}

function fail(name: string, report: string): never {
  process.stdout.write(`\ncounterexample in property '${name}'\n${report}\n`);
  process.stdout.write(`${summary()}\n`);
  process.exit(1);
}

// The same seed for a whole batch, a new one for the next: batches are independent, and each
// one replays exactly from the seed and path fast-check reports.
for (let round = 0; ; round++) {
  for (const name of names) {
    const remaining = maxRuns === undefined ? batch : Math.min(batch, maxRuns - total);
    if (remaining <= 0 || performance.now() >= deadline) {
      if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeBefore) {
        fail("Object.prototype", "a template added or removed a property of Object.prototype");
      }
      if (({} as Record<string, unknown>).polluted !== undefined) fail("Object.prototype", "({}).polluted is set");
      process.stdout.write(`no counterexample: ${summary()}\n`);
      process.exit(0);
    }
    const runSeed =
      args.path === undefined
        ? (baseSeed + Math.imul(round * names.length + names.indexOf(name) + 1, 0x9e3779b1)) | 0
        : baseSeed;
    const details = fc.check(properties[name] as fc.IRawProperty<unknown>, {
      numRuns: args.path === undefined ? remaining : 1,
      seed: runSeed,
      ...(args.path === undefined ? {} : { path: args.path }),
    }) as fc.RunDetails<unknown>;
    done[name] = (done[name] ?? 0) + details.numRuns;
    total += details.numRuns;
    if (details.failed) {
      fail(
        name,
        `${fc.defaultReportMessage(details)}\n\n${String(details.errorInstance)}\n\nreplay: npm run fuzz -- --property ${name} --seed=${details.seed} --path=${details.counterexamplePath}`,
      );
    }
    if (args.path !== undefined) {
      process.stdout.write(`the case at seed ${baseSeed}, path ${args.path} passes\n`);
      process.exit(0);
    }
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      process.stderr.write(`… ${summary()}\n`);
    }
  }
}
