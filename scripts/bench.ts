// `npm run bench`: every performance target of the package, measured side by side in one run
// against a baseline timed in the same run, written to docs/benchmarks.md and printed.
// Benchmarks are never timed assertions in tests: this script only reports; it exits non-zero
// when a measurement could not be taken (an output mismatch, a crash), not when a target is missed.
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import type * as HashHelper from "../src/index.ts";
import { BROWSER_BUDGET, browserBuild, nodeImports } from "./bench/browser-build.ts";
import { type Count, countAll, haveCallgrind, mark, notMeasured } from "./bench/callgrind.ts";
import { type Case, type Command, median, type Timing, timeGroup, timeProcesses } from "./bench/harness.ts";
import {
  accessId,
  etaMoz,
  expressionWithId,
  freshId,
  handlebarsMoz,
  handSignature,
  handSignatureScript,
  handWritten,
  handWrittenKeyBytes,
  liquidMoz,
  moz,
  key as mozKey,
  mozWithId,
  nunjucksMoz,
  signatureExpression,
} from "./bench/moz.ts";
import {
  compared,
  duration,
  machine,
  markdown,
  type Row,
  ratio,
  readmeTable,
  sampled,
  summaryLine,
  terminalTable,
} from "./bench/report.ts";
import { unleashedByHand, unleashedRequest, unleashedSecrets } from "./bench/unleashed.ts";

/** The one command that reproduces docs/benchmarks.md. */
export const reproduce = "npm run bench";

const root = fileURLToPath(new URL("..", import.meta.url));
// A fixed instant, so that every expansion signs the same value and outputs can be compared.
const now = Date.UTC(2024, 0, 2, 3, 4, 5);
const started = performance.now();
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/**
 * The environment of every process the bench starts: its own, without NODE_EXTRA_CA_CERTS, which
 * these machines set and a user's does not (it makes every Node process parse the system's CA
 * bundle first, about 30 ms, baselines included), and with a temporary directory of the run's
 * own, where the CLI keeps its code cache (src/shells/cli/start.ts).
 */
function processEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return env;
}

/**
 * Builds the bundles, as `npm run build` does, and copies them with the package's "exports" into
 * a directory of their own: src/ and dist/ may change under a long run (a concurrent build
 * empties dist/ first), and every measurement must see the one build this run made.
 */
function buildSnapshot(): string {
  for (let attempt = 1; ; attempt++) {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "hash-helper-bench-")));
    try {
      execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--bundles-only"], { stdio: "inherit" });
      mkdirSync(join(dir, "dist"));
      // Every bundle and chunk: index.js loads full.js on first use, cli.cjs loads cli-main.cjs.
      for (const file of readdirSync(join(root, "dist"))) {
        if (/\.(c?js)$/.test(file)) copyFileSync(join(root, "dist", file), join(dir, "dist", file));
      }
      const { name, type, exports } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name, type, exports }, null, 2));
      return dir;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt === 3) throw e;
      log("the build or its copy failed (a concurrent build?); building again");
    }
  }
}

log("building dist/ (scripts/build.mjs --bundles-only)");
const pkg = buildSnapshot();
process.on("exit", () => rmSync(pkg, { recursive: true, force: true }));
// The built bundle, what the package ships; its types are those of the source.
const lib = (await import(pathToFileURL(join(pkg, "dist/index.js")).href)) as typeof HashHelper;

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    throw new Error(`${what}: outputs differ\n  got:      ${String(actual)}\n  expected: ${String(expected)}`);
  }
}

const at = (timings: Map<string, Timing>, name: string): Timing => {
  const timing = timings.get(name);
  if (!timing) throw new Error(`no timing for ${name}`);
  return timing;
};

/** RegExp execution flattens its subject in V8: templates built by concatenation are made flat
 * before timing, as a template read from a file or a request would be. */
const flat = (text: string): string => {
  /^/.test(text);
  return text;
};

/** A case whose calls each take an input no call has had before, made untimed before each sample. */
function freshCase(name: string, make: () => string, run: (input: string) => unknown): Case {
  const inputs: string[] = [];
  return {
    name,
    setup(calls) {
      inputs.length = 0;
      for (let i = 0; i < calls; i++) inputs.push(flat(make()));
    },
    run: (i) => run(inputs[i] as string),
  };
}

const unlimited = {
  now,
  limits: {
    maxTemplateLength: Number.POSITIVE_INFINITY,
    maxValueSize: Number.POSITIVE_INFINITY,
    maxBlocks: Number.POSITIVE_INFINITY,
  },
};

function mozInProcess(section: string): Row[] {
  const options = { now };
  const compiled = lib.compile(moz);
  const ours = compiled.expand(options);
  const nunjucks = nunjucksMoz();
  const liquid = liquidMoz();
  const handlebars = handlebarsMoz();
  const eta = etaMoz();
  assertEqual(ours, handWritten(now), "compile(moz).expand against the hand-written URL");
  assertEqual(handWrittenKeyBytes(now), ours, "the hand-written URL with the key as bytes");
  assertEqual(handlebars(now), ours, "Handlebars against ours");
  assertEqual(eta(now), ours, "Eta against ours");
  assertEqual(lib.expand(moz, options), ours, "expand(moz) against compile(moz).expand");
  assertEqual(nunjucks(now), ours, "Nunjucks against ours");
  assertEqual(liquid(now), ours, "LiquidJS against ours");

  const t = timeGroup([
    { name: "hand", run: () => handWritten(now) },
    { name: "handBytes", run: () => handWrittenKeyBytes(now) },
    { name: "compiled", run: () => compiled.expand(options) },
    { name: "expand", run: () => lib.expand(moz, options) },
    { name: "nunjucks", run: () => nunjucks(now) },
    { name: "liquid", run: () => liquid(now) },
    { name: "handlebars", run: () => handlebars(now) },
    { name: "eta", run: () => eta(now) },
  ]);
  const hand = at(t, "hand");
  const ourTime = at(t, "compiled");
  const rows: Row[] = [
    {
      section,
      what: "hand-written node:crypto (the limit)",
      value: duration(hand.median),
      samples: sampled(hand),
    },
  ];
  rows.push(compared(section, "compile(moz).expand({ now })", ourTime, "hand-written node:crypto", hand, 1.1));
  rows.push({
    ...compared(
      section,
      "the same against a hand that holds the key as bytes too, as a compiled template holds a literal key",
      ourTime,
      "hand-written, the key a Buffer made once",
      at(t, "handBytes"),
    ),
    readme: true,
  });
  rows.push(
    compared(
      section,
      "expand(moz, { now }), same template each call",
      at(t, "expand"),
      "compile(moz).expand",
      ourTime,
      1.3,
    ),
  );
  for (const [name, label] of [
    ["nunjucks", "Nunjucks render, precompiled"],
    ["liquid", "LiquidJS renderSync, parsed once"],
    ["handlebars", "Handlebars render with helpers, compiled once (compiles to JavaScript with new Function)"],
  ] as const) {
    const row = compared(section, label, at(t, name), "ours, compile(moz).expand", ourTime);
    rows.push({ ...row, limit: 1, target: "> 1× (ours faster)", pass: (row.ratio as number) > 1 });
  }
  rows.push({
    ...compared(
      section,
      "Eta render, compiled once: its templates are JavaScript run by new Function, no option for untrusted input or a strict CSP",
      at(t, "eta"),
      "ours, compile(moz).expand",
      ourTime,
    ),
    readme: true,
  });
  return rows;
}

/** A dashboard worker: 4,000 distinct Moz-sized URLs refreshed in turn through expand(). */
function dashboard(section: string): Row[] {
  const options = { now };
  const count = 4000;
  const ids = Array.from({ length: count }, () => freshId());
  const templates = ids.map((id) => flat(mozWithId(id)));
  // An instance of its own, as the top-level expand() has one, so that other sections' templates
  // do not share its cache.
  const helper = lib.createHashHelper();
  const compiled = templates.map((template) => lib.compile(template));
  for (let i = 0; i < count; i++) {
    const want = handWritten(now, ids[i] as string);
    assertEqual(helper.expand(templates[i] as string, options), want, "expand() of a dashboard URL");
    assertEqual((compiled[i] as HashHelper.CompiledTemplate).expand(options), want, "compile().expand of it");
  }
  const kept = helper.cacheUsage().templates.length;
  let a = 0;
  let b = 0;
  let c = 0;
  // expand() is given fresh copies of the texts, as a worker that reads its URLs from a store on
  // every refresh has them: its cache then hashes and compares each text, as it would there.
  const copies: string[] = [];
  const t = timeGroup([
    { name: "hand", run: () => handWritten(now, ids[c++ % count] as string) },
    { name: "compiled", run: () => (compiled[b++ % count] as HashHelper.CompiledTemplate).expand(options) },
    {
      name: "expand",
      setup(calls) {
        copies.length = 0;
        for (let i = 0; i < calls; i++) copies.push(copy(templates[a++ % count] as string));
      },
      run: (i) => helper.expand(copies[i] as string, options),
    },
  ]);
  const expand = at(t, "expand");
  const ours = at(t, "compiled");
  const hand = at(t, "hand");
  const heap = cacheHeap(count);
  return [
    {
      ...compared(
        section,
        `expand() of ${count} distinct Moz templates in turn, each a fresh copy of its text (${kept} of them cached after the first round)`,
        expand,
        "compile().expand of the same",
        ours,
        1.3,
      ),
      ...(kept === count ? {} : { pass: false }),
    },
    compared(section, "the same against the hand-written node:crypto URLs", expand, "hand-written", hand),
    {
      section,
      what: `heap the cache holds for ${count} Moz templates (a process of its own, after collection)`,
      value: `${(heap.bytes / 1e6).toFixed(1)} MB (${(heap.bytes / count / 1000).toFixed(1)} KB a template; estimated ${(heap.estimate / count / 1000).toFixed(1)} KB)`,
      target: "≤ 32 MB",
      pass: heap.bytes <= 32e6,
    },
  ];
}

/** The heap 4,000 cached Moz templates hold, measured in a process of its own with the collector run. */
function cacheHeap(count: number): { bytes: number; estimate: number } {
  const script = `
    const { createHashHelper } = await import(${JSON.stringify(pathToFileURL(join(pkg, "dist/index.js")).href)});
    const moz = ${JSON.stringify(moz)};
    const helper = createHashHelper();
    helper.expand(moz.replaceAll(${JSON.stringify(accessId)}, "mozscape-warmup0000"), { now: 0 });
    const templates = Array.from({ length: ${count} }, (_, i) => moz.replaceAll(${JSON.stringify(accessId)}, "mozscape-" + String(i).padStart(10, "0")));
    const before = helper.cacheUsage().bytes;
    gc(); gc();
    const start = process.memoryUsage().heapUsed;
    for (const t of templates) helper.expand(t, { now: 0 });
    gc(); gc();
    const bytes = process.memoryUsage().heapUsed - start;
    process.stdout.write(JSON.stringify({ bytes, estimate: helper.cacheUsage().bytes - before }));`;
  const child = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    cwd: pkg,
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`the heap of the cache could not be measured: ${child.stderr}`);
  return JSON.parse(child.stdout) as { bytes: number; estimate: number };
}

/** A string of the same text that is not the same string: the hash V8 keeps in a string is not there yet. */
const copy = (text: string): string => Buffer.from(text, "utf8").toString("utf8");

/**
 * signRequest() of an Unleashed-style request, again and again, against a hand-written signing.
 * Each call gets a request of its own, its URL a fresh copy, as a host that builds the request
 * for every call gives it; the hand-written one gets the same.
 */
function requests(section: string): Row[] {
  const options = { now, secrets: unleashedSecrets };
  assertEqual(
    JSON.stringify(lib.signRequest(unleashedRequest, options)),
    JSON.stringify(unleashedByHand(unleashedRequest, unleashedSecrets)),
    "signRequest() of the Unleashed request against the hand-written one",
  );
  const helper = lib.createHashHelper();
  // As a host's code builds it: the URL made for the call, the headers an object literal of the
  // code's own strings.
  const { headers } = unleashedRequest;
  const fresh = (): typeof unleashedRequest => ({
    url: copy(unleashedRequest.url),
    headers: {
      Accept: headers.Accept,
      "Content-Type": headers["Content-Type"],
      "api-auth-id": headers["api-auth-id"],
      "api-auth-signature": headers["api-auth-signature"],
    },
  });
  const requestCase = (name: string, run: (request: typeof unleashedRequest) => unknown): Case => {
    const made: (typeof unleashedRequest)[] = [];
    return {
      name,
      setup(calls) {
        made.length = 0;
        for (let i = 0; i < calls; i++) made.push(fresh());
      },
      run: (i) => run(made[i] as typeof unleashedRequest),
    };
  };
  const t = timeGroup([
    requestCase("hand", (request) => unleashedByHand(request, unleashedSecrets)),
    requestCase("ours", (request) => helper.signRequest(request, options)),
  ]);
  return [
    compared(
      section,
      "signRequest() of an Unleashed-style request (HMAC-SHA256 of its query into a header), a new request object each call, its URL a fresh copy",
      at(t, "ours"),
      "a hand-written function doing the same with node:crypto",
      at(t, "hand"),
      1.5,
    ),
  ];
}

function firstExpansion(section: string): Row[] {
  const options = { now };
  const id = freshId();
  assertEqual(
    lib.expand(mozWithId(id), options),
    handWritten(now, id),
    "a fresh Moz template against the hand-written URL",
  );
  const t = timeGroup([
    freshCase(
      "expand",
      () => mozWithId(freshId()),
      (template) => lib.expand(template, options),
    ),
    freshCase(
      "compile",
      () => mozWithId(freshId()),
      (template) => lib.compile(template),
    ),
    freshCase(
      "parse",
      () => expressionWithId(freshId()),
      (expression) => lib.parse(expression),
    ),
  ]);
  const expand = at(t, "expand");
  const compile = at(t, "compile");
  const parse = at(t, "parse");
  return [
    {
      section,
      what: "first expansion: expand(template, { now }) (lex + parse + check + evaluate)",
      value: duration(expand.median),
      samples: sampled(expand),
    },
    {
      section,
      what: "compile(template) of the Moz template (lex + parse + check)",
      value: duration(compile.median),
      samples: sampled(compile),
      target: "≤ 30.0 µs",
      pass: compile.median <= 0.03,
    },
    {
      section,
      what: "parse(expression) of the Signature expression alone (lex + parse)",
      value: duration(parse.median),
      samples: sampled(parse),
    },
  ];
}

/**
 * What the first use in a process costs: the first compile() (when the rest of the package and
 * its parser are loaded and built) and the first expansion of a 1 MiB value, each in fresh
 * processes, timed inside them.
 */
function firstUse(section: string): Row[] {
  const tmp = mkdtempSync(join(tmpdir(), "hash-helper-bench-first-"));
  const env = processEnv(tmp);
  const entry = JSON.stringify(pathToFileURL(join(pkg, "dist/index.js")).href);
  const scripts = {
    compile: `const t0 = performance.now(); const m = await import(${entry}); const t1 = performance.now();
      m.compile(${JSON.stringify(moz)}); const t2 = performance.now();
      m.compile(${JSON.stringify(mozWithId("mozscape-second0000"))}); const t3 = performance.now();
      process.stdout.write(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`,
    mib: `const m = await import(${entry});
      const data = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".repeat(16384);
      const template = 'u={hash.append("' + data + '").printDigest();}';
      const limits = { maxTemplateLength: Infinity, maxValueSize: Infinity, maxBlocks: Infinity };
      const t0 = performance.now(); const out = m.expand(template, { now: 0, limits }); const t1 = performance.now();
      m.expand(template.replace("u=", "v="), { now: 0, limits }); const t2 = performance.now();
      if (out.length !== data.length + 2) throw new Error("the 1 MiB value did not come out whole");
      process.stdout.write(JSON.stringify([t1 - t0, t2 - t1]));`,
  };
  const runs = { compile: [] as number[][], mib: [] as number[][] };
  try {
    for (let i = 0; i < 15; i++) {
      for (const name of ["compile", "mib"] as const) {
        const child = spawnSync(process.execPath, ["--input-type=module", "-e", scripts[name]], {
          cwd: pkg,
          env,
          encoding: "utf8",
        });
        if (child.status !== 0) throw new Error(`the first-use script ${name} failed: ${child.stderr}`);
        runs[name].push(JSON.parse(child.stdout) as number[]);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const med = (values: number[][], k: number) => median(values.map((v) => v[k] as number));
  const n = `${runs.compile.length} processes`;
  return [
    { section, what: "import('hash-helper'), timed in the process", value: duration(med(runs.compile, 0)), samples: n },
    {
      section,
      what: "the first compile() of a Moz template in a process (loads dist/full.js, builds the lexer and parser)",
      value: duration(med(runs.compile, 1)),
      samples: n,
      against: `the second, a template never seen: ${duration(med(runs.compile, 2))}`,
      readme: true,
    },
    {
      section,
      what: "the first expand() of a 1 MiB value in a process",
      value: duration(med(runs.mib, 0)),
      samples: n,
      against: `the second, another template: ${duration(med(runs.mib, 1))}`,
      readme: true,
    },
  ];
}

/** Rows of a scaling family: each size's cost against the smallest one's, extrapolated linearly. */
function scaling(
  section: string,
  unit: string,
  sizes: readonly { size: number; label: string; make: () => string; target?: boolean }[],
  check: (size: number, output: string) => void,
): Row[] {
  for (const { size, make } of sizes) check(size, lib.expand(make(), unlimited));
  // Every size timed the same way, one call a sample, so that the collector's pauses fall on
  // each side alike (a batch of small calls and a single large one did not).
  const t = timeGroup(
    sizes.map(({ label, make }) => freshCase(label, make, (template) => lib.expand(template, unlimited))),
    { minSamples: 10, batch: 1 },
  );
  const smallest = sizes[0] as (typeof sizes)[number];
  const base = at(t, smallest.label);
  return sizes.map(({ size, label, target }) => {
    const timing = at(t, label);
    const times = size / smallest.size;
    const perUnit = duration(timing.median / size);
    if (times === 1) {
      return {
        section,
        what: label,
        value: `${duration(timing.median)} (${perUnit} per ${unit})`,
        samples: sampled(timing),
      };
    }
    const r = timing.median / (times * base.median);
    return {
      section,
      what: label,
      value: `${duration(timing.median)} (${perUnit} per ${unit})`,
      samples: sampled(timing),
      against: `${times} × ${smallest.label}: ${duration(times * base.median)}`,
      ratio: r,
      ...(target ? { limit: 1.2, target: "≤ 1.20× (linear)", pass: r <= 1.2 } : {}),
    };
  });
}

async function blockScaling(section: string): Promise<Row[]> {
  const make = (blocks: number) => () => {
    let template = `u=${freshId()}`;
    for (let b = 0; b < blocks; b++) template += `&Signature={${expressionWithId(freshId())};}`;
    return template;
  };
  const counted = await scalingCounts(
    `const make = (blocks) => { let t = "u=" + id(); for (let b = 0; b < blocks; b++) t += "&Signature={" + ${JSON.stringify(signatureExpression)}.replaceAll(${JSON.stringify(accessId)}, id()) + ";}"; return t; };`,
    "make(1)",
    "make(1000)",
  );
  return withCount(
    counted,
    "1000 blocks",
    scaling(
      section,
      "block",
      [1, 10, 100, 1000].map((n) => ({
        size: n,
        label: `${n} block${n === 1 ? "" : "s"}`,
        make: make(n),
        target: n === 1000,
      })),
      (blocks, output) => {
        if (output.includes("{hash") || output.split("&Signature=").length !== blocks + 1) {
          throw new Error(`a template of ${blocks} blocks did not expand every block`);
        }
      },
    ),
  );
}

/** The row labelled `label` with the instruction counts beside it. */
function withCount(counted: string, label: string, rows: Row[]): Row[] {
  return rows.map((row) => (row.what === label ? { ...row, instructions: counted } : row));
}

/**
 * Instructions of the large size against 1,000 (or 1,024) times the smallest, counted by callgrind
 * between two marks in a process that has warmed up on other templates of both sizes first, as
 * the timed rows have (scripts/bench/callgrind.ts).
 */
async function scalingCounts(define: string, small: string, large: string): Promise<string> {
  if (!haveCallgrind) return notMeasured ?? "";
  const times = large.includes("1000") ? 1000 : 1024;
  const entry = JSON.stringify(pathToFileURL(join(pkg, "dist/index.js")).href);
  const limits = "{ maxTemplateLength: Infinity, maxValueSize: Infinity, maxBlocks: Infinity }";
  const script = (work: string) => [
    "--input-type=module",
    "-e",
    `const m = await import(${entry}); let n = 0; const id = () => "mozscape-" + String(n++).padStart(10, "0");
    ${define}
    const limits = ${limits}; let out = 0;
    for (let i = 0; i < 100; i++) out += m.expand(${small}, { now: 0, limits }).length;
    for (let i = 0; i < 2; i++) out += m.expand(${large}, { now: 0, limits }).length;
    const smalls = Array.from({ length: ${times} }, () => ${small}); const big = ${large};
    ${mark}${work}${mark}
    process.stdout.write(String(out));`,
  ];
  const tmp = mkdtempSync(join(tmpdir(), "hash-helper-bench-count-"));
  try {
    const env = processEnv(tmp);
    const counts = await countAll(
      [
        {
          name: "small",
          args: script("for (const t of smalls) out += m.expand(t, { now: 0, limits }).length;"),
          cwd: pkg,
          env,
          marked: true,
        },
        {
          name: "large",
          args: script("out += m.expand(big, { now: 0, limits }).length;"),
          cwd: pkg,
          env,
          marked: true,
        },
      ],
      { runs: 3 },
    );
    const smallCount = counts.get("small") as Count;
    const largeCount = counts.get("large") as Count;
    return `${counted(largeCount)} vs ${times} × the smallest: ${counted(smallCount)} (${ratio(largeCount.median / smallCount.median)})`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A count as shown: its median in millions, and how far its runs spread. */
function counted(count: Count): string {
  const spread = ((count.max - count.min) / count.median) * 100;
  return `${millions(count.median)} (±${(spread / 2).toFixed(spread < 0.2 ? 3 : 1)}%)`;
}

async function byteScaling(section: string): Promise<Row[]> {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  const counted = await scalingCounts(
    `const alphabet = ${JSON.stringify(alphabet)}; const make = (bytes) => "u=" + id() + '&d={hash.append("' + alphabet.repeat(Math.ceil(bytes / 64)).slice(0, bytes) + '").printDigest();}';`,
    "make(1024)",
    "make(1048576)",
  );
  const payload = (bytes: number) => flat(alphabet.repeat(Math.ceil(bytes / alphabet.length)).slice(0, bytes));
  const make = (bytes: number) => {
    const data = payload(bytes);
    return () => `u=${freshId()}&d={hash.append("${data}").printDigest();}`;
  };
  const kib = 1024;
  return withCount(
    counted,
    "append 1 MiB",
    scaling(
      section,
      "byte",
      [
        { size: kib, label: "append 1 KiB", make: make(kib) },
        { size: 64 * kib, label: "append 64 KiB", make: make(64 * kib) },
        { size: kib * kib, label: "append 1 MiB", make: make(kib * kib), target: true },
      ],
      (bytes, output) => {
        if (!output.endsWith(payload(bytes))) throw new Error(`append of ${bytes} bytes did not come out whole`);
      },
    ),
  );
}

async function processes(section: string): Promise<Row[]> {
  const tmp = mkdtempSync(join(tmpdir(), "hash-helper-bench-tmp-"));
  const env = processEnv(tmp);
  const node = (...args: string[]) => {
    const child = spawnSync(process.execPath, args, { cwd: pkg, encoding: "utf8", env });
    if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${child.stderr}`);
    return child.stdout;
  };
  try {
    // The package resolves to its own built bundle through the self-reference of its "exports".
    assertEqual(
      node("--input-type=module", "-e", "process.stdout.write(import.meta.resolve('hash-helper'))"),
      pathToFileURL(join(pkg, "dist/index.js")).href,
      "import('hash-helper') from the package's root",
    );
    const seconds = String(now / 1000);
    const cli = [join(pkg, "dist/cli.cjs"), "eval", "--now", seconds, signatureExpression];
    const script = handSignatureScript(now);
    assertEqual(node(...cli), `${handSignature(now)}\n`, "hash-helper eval against node:crypto");
    assertEqual(node("-e", script), `${handSignature(now)}\n`, "the node -e baseline");

    // The floor of any import by name: a package of one line, in a project's node_modules.
    const floor = join(tmp, "project");
    mkdirSync(join(floor, "node_modules", "one-line"), { recursive: true });
    writeFileSync(join(floor, "package.json"), '{"name":"project","type":"module"}');
    writeFileSync(
      join(floor, "node_modules", "one-line", "package.json"),
      '{"name":"one-line","type":"module","exports":"./index.js"}',
    );
    writeFileSync(join(floor, "node_modules", "one-line", "index.js"), "export const one = 1;\n");
    // The floor of a CLI on chevrotain (scripts/bench/chevrotain-cli.ts), started as ours is: the
    // CLI's own dist/cli.cjs beside it runs it from a code cache in a directory of its own.
    const parserOnly = join(tmp, "chevrotain-cli");
    mkdirSync(parserOnly);
    copyFileSync(join(pkg, "dist/cli.cjs"), join(parserOnly, "cli.cjs"));
    await build({
      entryPoints: [fileURLToPath(new URL("./bench/chevrotain-cli.ts", import.meta.url))],
      outfile: join(parserOnly, "cli-main.cjs"),
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: "none",
      logLevel: "warning",
      define: { MOZ_ACCESS_ID: JSON.stringify(accessId), MOZ_KEY: JSON.stringify(mozKey) },
    });
    const parserEnv = processEnv(mkdtempSync(join(tmp, "chevrotain-cli-tmp-")));
    const parserCli = [join(parserOnly, "cli.cjs"), "eval", "--now", seconds, signatureExpression];
    const parserRun = spawnSync(process.execPath, parserCli, { cwd: pkg, encoding: "utf8", env: parserEnv });
    assertEqual(parserRun.stdout, `${handSignature(now)}\n`, "the chevrotain-only CLI against node:crypto");

    const commands: Command[] = [
      { name: "bare", args: ["-e", ""], cwd: pkg, env },
      { name: "chevrotain-cli", args: parserCli, cwd: pkg, env: parserEnv },
      { name: "floor", args: ["-e", "import('one-line')"], cwd: floor, env },
      { name: "import", args: ["-e", "import('hash-helper')"], cwd: pkg, env },
      { name: "crypto", args: ["-e", script], cwd: pkg, env },
      { name: "cli", args: cli, cwd: pkg, env },
    ];
    // The CLI's first run after an install, before it has a code cache: every run in a
    // temporary directory of its own, timed against the same baseline in the same rounds.
    let fresh = 0;
    const firstRun: Command = {
      name: "cli-first",
      args: cli,
      cwd: pkg,
      get env() {
        return processEnv(mkdtempSync(join(tmp, `first-${fresh++}-`)));
      },
    };
    const t = timeProcesses([...commands, firstRun], 40, 3);
    const counts = haveCallgrind ? await countAll(commands, { runs: 3 }) : undefined;
    // The instructions of a command against a baseline's, or why they were not counted.
    const instructions = (name: string, baseName: string): string => {
      const x = counts?.get(name);
      const b = counts?.get(baseName);
      return x && b ? `${counted(x)} vs ${counted(b)} (${ratio(x.median / b.median)})` : (notMeasured ?? "");
    };
    const row = (what: string, name: string, base: string, baseName: string, limit?: number): Row => ({
      ...compared(section, what, at(t, name), base, at(t, baseName), limit),
      instructions: instructions(name, baseName),
    });
    const bare = at(t, "bare");
    const bareCount = counts?.get("bare");
    return [
      row(`node -e "import('hash-helper')"`, "import", `node -e ""`, "bare", 1.3),
      {
        ...row(
          `node -e "import('one-line')": a package of one line, imported by name (the floor of any import)`,
          "floor",
          `node -e ""`,
          "bare",
        ),
        readme: true,
      },
      row("hash-helper eval '<Moz Signature expression>'", "cli", "node -e with node:crypto", "crypto", 1.5),
      row(
        "a CLI of chevrotain alone, started as ours (our lexer and parser built and run on the expression, the signature by node:crypto): the floor of a CLI on this parser",
        "chevrotain-cli",
        "node -e with node:crypto",
        "crypto",
      ),
      row(
        "hash-helper eval '<Moz Signature expression>', against that floor",
        "cli",
        "the chevrotain-only CLI",
        "chevrotain-cli",
      ),
      compared(
        section,
        "the same, the first run after an install (no code cache yet: it is written then)",
        at(t, "cli-first"),
        "node -e with node:crypto",
        at(t, "crypto"),
      ),
      {
        section,
        what: `node -e "" itself`,
        value: duration(bare.median),
        samples: sampled(bare),
        ...(bareCount ? { instructions: counted(bareCount) } : {}),
      },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** An instruction count in millions, as callgrind counted it. */
const millions = (n: number): string => `${(n / 1e6).toFixed(1)} M`;

async function browserBundle(section: string): Promise<Row[]> {
  const bundle = await browserBuild(pkg);
  const imports = nodeImports(bundle.text);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    {
      section,
      what: 'esbuild --bundle --minify --platform=browser --format=esm of `export * from "hash-helper"`, gzip -9',
      value: `${kib(bundle.gzipped)} gzipped (${kib(bundle.minified)} minified)`,
      target: `≤ ${BROWSER_BUDGET / 1024} KiB gzipped`,
      pass: bundle.gzipped <= BROWSER_BUDGET,
    },
    {
      section,
      what: "node: imports in the browser bundle",
      value: imports.length ? imports.join(", ") : "none",
      target: "none",
      pass: imports.length === 0,
    },
  ];
}

const sections: [string, (section: string) => Row[] | Promise<Row[]>][] = [
  ["Browser bundle", browserBundle],
  ["Whole processes (wall time from spawn to exit, NODE_EXTRA_CA_CERTS unset)", processes],
  ["First use in a fresh process (timed inside it)", firstUse],
  ["The Moz signature, in process", mozInProcess],
  ["A dashboard worker: thousands of distinct URLs through expand()", dashboard],
  ["A signed request, again and again", requests],
  ["Templates never seen before, so that no cache can help", firstExpansion],
  ["Scaling with the number of blocks: expand() of a fresh template of n Moz Signature blocks", blockScaling],
  ['Scaling with the size of a value: expand() of a fresh `{hash.append("…").printDigest();}`', byteScaling],
];

// `npm run bench -- --only <word>`: the sections whose title holds the word, printed and not
// written to the docs: for working on one target. The docs are only written by a whole run.
const { values: flags } = parseArgs({ options: { only: { type: "string" } } });
const only = flags.only?.toLowerCase();
const rows: Row[] = [];
for (const [name, run] of sections) {
  if (only !== undefined && !name.toLowerCase().includes(only)) continue;
  log(`${name}…`);
  const sectionStart = performance.now();
  try {
    rows.push(...(await run(name)));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${name}: ${message}`);
    rows.push({ section: name, what: name, value: "", error: message.split("\n")[0] ?? message });
  }
  log(`${name}: ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
}

const method = [
  "The bench itself runs in plain Node: `scripts/run-bench.mjs` bundles scripts/bench.ts with esbuild and runs the bundle. Under tsx, every JavaScript file the process loads, dist/ included, is transformed again with esbuild's keepNames, which adds a call to every closure the library makes and inflated every in-process ratio, signRequest()'s most, which makes closures on every call.",
  "The run first builds the bundles (`scripts/build.mjs --bundles-only`) and copies every file of `dist/` (`index.js` and the `full.js` and chunk it loads on first use, `browser.js`, `cli.cjs` and the `cli-main.cjs` it runs) and the package's `exports` to a temporary directory, so that a concurrent build cannot change what is measured mid-run; `import('hash-helper')` resolves there through the package's self-reference, as from the repository root.",
  "**Processes run with `NODE_EXTRA_CA_CERTS` unset.** These machines set it, and it makes every Node process parse the system's whole CA bundle first (about 30 ms and 416 M instructions), baselines included; a user's machine does not have it. They also run with a temporary directory of the run's own (`TMPDIR`), where the CLI keeps its V8 code cache: the warm-up runs write it, as a user's first run does, and the row 'the first run after an install' times runs that each start without one.",
  "Processes are spawned 40 times each after 3 dropped warm-up runs, the commands alternating; the value is the median wall time from spawn to exit. Beside it, instructions counted by valgrind's callgrind (`scripts/bench/callgrind.ts`: ASLR off, `--random-seed` fixed, one CPU per run), the median of 3 runs each; they repeat to about five digits where wall times swing by tens of percent.",
  "In-process timings use tinybench on that `dist/index.js`, with `now` fixed. A sample times a batch of calls lasting about 1 ms (the scaling rows: one call a sample, for every size alike); each group of measurements runs in 12 rounds after a dropped warm-up round, each measurement taking about 150 ms (and at least 5 samples, 10 for the scaling rows) a round, each round starting with a different measurement, and the samples of all rounds are pooled. The value shown is the median time of one call.",
  "Every ratio is against a baseline timed in the same group, interleaved with it: value ÷ baseline. For the scaling rows it is the time of the size against the smallest size's time multiplied by the size ratio, so 1.00× is exactly linear and below 1 means fixed costs are amortised; their instruction counts are those of a process that expands the templates less the same process that only makes them.",
  "Before timing, the outputs are checked once to be identical: ours, the hand-written node:crypto URL (expires = floor(now / 1000) + 240, the signature base64 HMAC-SHA1 of `id\\nexpires` percent-encoded per RFC 3986, testing for `!'()*` before replacing them), Nunjucks, LiquidJS and Handlebars (custom hmacSha1, base64 and urlencode filters or helpers on node:crypto), Eta (a JavaScript template calling node:crypto), every dashboard URL against its hand-written one, `signRequest()` of the Unleashed-style request against its hand-written signing, and `hash-helper eval` against its `node -e` baseline.",
  "The dashboard rows cycle through 4,000 Moz templates, each with its own access ID, on an instance of their own (`createHashHelper()`, with the default cache), after one untimed round; the heap row is measured in a process of its own run with `--expose-gc`: heap used after collection, before and after expanding the 4,000.",
  "Templates never seen before differ in their access ID (in the text and in the signed literal), and each block of a scaling template has its own; they are made, untimed, before each sample. The scaling rows expand with limits raised: `{ maxTemplateLength: Infinity, maxValueSize: Infinity, maxBlocks: Infinity }`.",
  "The floors of the start-up rows: `import('one-line')` is what importing any package by name costs (Node's ES module loader), and the CLI of chevrotain alone (`scripts/bench/chevrotain-cli.ts`, bundled and started exactly as `hash-helper eval` is, from dist/cli.cjs and a code cache of its own) is what any CLI whose parser is chevrotain pays: its lexer and parser built and run on the expression, the signature computed with node:crypto. A target below its floor cannot be met while chevrotain is the parser; the row against the floor is what is ours.",
  "The first-use rows run 15 fresh processes each and time inside them with `performance.now()`: the import, the first and second `compile()`, the first and second `expand()` of a 1 MiB value.",
  "The machine is shared and noisy: compare ratios rather than absolute times, and rerun before trusting a difference of a few percent.",
];

const seconds = (performance.now() - started) / 1000;
if (only !== undefined) {
  process.stdout.write(`\n${terminalTable(rows)}\n\n${summaryLine(rows)}\n(--only: docs/benchmarks.md not written)\n`);
  process.exit(rows.some((r) => r.error) ? 1 : 0);
}
writeFileSync(join(root, "docs/benchmarks.md"), markdown(rows, machine(), reproduce, method, seconds));
// The README's table, between its markers, from the same run.
const readmePath = join(root, "README.md");
const readme = readFileSync(readmePath, "utf8");
const [open, close] = ["<!-- bench:start -->", "<!-- bench:end -->"];
const from = readme.indexOf(open);
const to = readme.indexOf(close);
if (from < 0 || to < from) throw new Error(`README.md has no ${open} … ${close} markers for the table`);
writeFileSync(
  readmePath,
  `${readme.slice(0, from + open.length)}\n${readmeTable(rows, machine())}\n${readme.slice(to)}`,
);
const m = machine();
process.stdout.write(
  `\n${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, ${m.date}\n\n${terminalTable(rows)}\n\n${summaryLine(
    rows,
  )}\nWritten to docs/benchmarks.md in ${seconds.toFixed(0)} s. Reproduce with: ${reproduce}\n`,
);
if (rows.some((r) => r.error)) process.exitCode = 1;
