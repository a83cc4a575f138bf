import { describe, expect, it } from "vitest";
import { compile, type ExpandOptions, HashHelperError } from "../src/index.ts";

// The lexer and templater must take time linear in the template. Absolute times depend on the
// machine, so each family of adversarial templates is timed at two sizes in this process, and
// the ratio of the times is compared with the ratio of the sizes (16): a linear implementation
// gives about 16, a quadratic one about 256. The bound is their geometric mean, so that the
// machine may be four times noisier either way before the test says the wrong thing.
const SMALL = 4 * 1024;
const GROWTH = 16;
const BOUND = GROWTH * 4;

// Limits off, so that they do not cut the work short; maxNestingDepth stays at its default,
// since without it the parser would recurse once per level and overflow the stack.
const unlimited: ExpandOptions = {
  now: 0,
  limits: {
    maxTemplateLength: Number.POSITIVE_INFINITY,
    maxBlocks: Number.POSITIVE_INFINITY,
    maxExpansionSize: Number.POSITIVE_INFINITY,
  },
};

/**
 * What expand() does with a template it has not seen: compile it, and expand it when it
 * compiles. expand() itself would time its cache on every call after the first. The code of the
 * error, or "ok"; nothing but HashHelperError may be thrown.
 */
function run(template: string, options: ExpandOptions = unlimited): string {
  try {
    compile(template, options).expand(options);
    return "ok";
  } catch (e) {
    if (e instanceof HashHelperError) {
      // Formatting is part of reporting an error: each problem's excerpt must stay cheap too.
      e.format();
      return e.code;
    }
    throw e;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

let serial = 0;
/** The template behind a prefix no other call had: a new string, so nothing of an earlier call is reused. */
const fresh = (template: string) => `${(serial++).toString(36).padStart(6, "0")} ${template}`;

/** Milliseconds a call of `work` takes on a fresh copy of `template`, on average over `times` calls. */
function clock(work: (source: string) => unknown, template: string, times: number): number {
  let total = 0;
  for (let i = 0; i < times; i++) {
    const source = fresh(template);
    const start = performance.now();
    work(source);
    total += performance.now() - start;
  }
  return total / times;
}

/**
 * How many times longer a call on `large` takes than one on `small`: the ratio of the medians
 * of a few samples, the two sizes taking turns so that a slower moment of the machine weighs on
 * both. Each sample gives the small template GROWTH times the calls of the large one.
 */
function timeRatio(small: string, large: string, work: (source: string) => unknown): number {
  work(fresh(small));
  const once = Math.max(clock(work, large, 1), 0.01);
  const reps = Math.min(50, Math.ceil(5 / once));
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let s = 0; s < (once > 100 ? 3 : 7); s++) {
    smallTimes.push(clock(work, small, reps * GROWTH));
    largeTimes.push(clock(work, large, reps));
  }
  return median(largeTimes) / median(smallTimes);
}

/** A template of about `size` characters: `unit` repeated, between a head and a tail. */
const repeat = (unit: string, size: number, head = "", tail = "") =>
  head + unit.repeat(Math.max(1, Math.round((size - head.length - tail.length) / unit.length))) + tail;

interface Family {
  name: string;
  make: (size: number) => string;
  /** The outcome at both sizes: "ok" or an error code. */
  expect: string;
  options?: ExpandOptions;
}

const families: Family[] = [
  {
    name: 'an unterminated string full of \\" escapes',
    make: (n) => repeat('\\"', n, '{hash.append("'),
    expect: "UNTERMINATED_STRING",
  },
  {
    name: "unterminated strings of escapes, one a line",
    make: (n) => repeat('{hash.append("\\"\\"\\"\\\\\n', n),
    expect: "UNTERMINATED_STRING",
  },
  { name: "{{{{…", make: (n) => repeat("{", n), expect: "ok" },
  { name: "<<<<…", make: (n) => repeat("<", n), expect: "ok" },
  { name: "{hash. repeated", make: (n) => repeat("{hash.", n), expect: "UNEXPECTED_CHARACTER" },
  { name: "<hash. repeated", make: (n) => repeat("<hash.", n), expect: "UNEXPECTED_CHARACTER" },
  { name: "{ hash . with whitespace, never a block", make: (n) => repeat("{ \t\n hash \n", n), expect: "ok" },
  {
    name: "hash.append( nested past maxNestingDepth",
    make: (n) => repeat("append(hash.", n, "{hash.", ";}"),
    expect: "LIMIT_EXCEEDED",
    options: { now: 0, limits: { maxTemplateLength: Number.POSITIVE_INFINITY } },
  },
  { name: "NUL characters as text", make: (n) => repeat("\0", n), expect: "ok" },
  { name: "NUL characters in a block", make: (n) => repeat("\0", n, "{hash.", ";}"), expect: "UNEXPECTED_CHARACTER" },
  { name: "U+2028 as text", make: (n) => repeat("\u2028", n), expect: "ok" },
  {
    name: "U+2028 ending strings",
    make: (n) => repeat('"\u2028', n, "{hash.append(", ");}"),
    expect: "UNTERMINATED_STRING",
  },
  { name: "lone surrogates as text", make: (n) => repeat("\ud800\udfff\udc00", n), expect: "ok" },
  {
    name: "lone surrogates in a string",
    make: (n) => repeat("\ud800\udfff\udc00", n, '{hash.append("', '").printDigest();}'),
    expect: "INVALID_ESCAPE",
  },
  { name: "CRLF line soup", make: (n) => repeat("\r\n\r\r\n\n{<", n), expect: "ok" },
  {
    name: "CRLF soup inside a block",
    make: (n) => repeat("\r\n\r\r\n\n", n, "{hash.", ";}"),
    expect: "SYNTAX_ERROR",
  },
  {
    name: "many small valid blocks",
    make: (n) => repeat('a={hash.append("x").toHex().printDigest();}&', n),
    expect: "ok",
  },
  {
    name: "many blocks with errors, one a line",
    make: (n) => repeat('{hash.appnd("x").printDigest();}\n', n),
    expect: "UNKNOWN_METHOD",
  },
  {
    name: "many blocks with errors on one line",
    make: (n) => repeat('{hash.appnd("x").printDigest();}', n),
    expect: "UNKNOWN_METHOD",
  },
  {
    name: "one long line of masked keys and errors",
    make: (n) => repeat('{hash.append("x").encodeHmacSha1("k3y-k3y-k3y").toHx().printDigest();}', n),
    expect: "UNKNOWN_METHOD",
  },
  // Thousands of problems in one block: the error reports the first hundred, and finding their
  // lines and columns is one pass over the source, not one pass a problem.
  {
    name: "many problems in one block, one a line",
    make: (n) => repeat('"\ud800",\n', n, "{hash.append(", '"").printDigest();}'),
    expect: "ARGUMENT_COUNT",
  },
  {
    name: "many problems in one block, CRLF between tokens",
    make: (n) => repeat("{hash.\r\n\r\n.\r\n;}", n),
    expect: "SYNTAX_ERROR",
  },
  {
    name: "many problems on one line",
    make: (n) => repeat('.append("\ud800")', n, "{hash", ".printDigest();}"),
    expect: "INVALID_ESCAPE",
  },
  {
    name: "one long line of keys in unclosed blocks",
    make: (n) => repeat('{hash.encodeHmacSha256("k3y"', n),
    expect: "UNEXPECTED_CHARACTER",
  },
];

describe(`expand takes time linear in the template (×${GROWTH} size, time ratio under ${BOUND})`, () => {
  it("the timing tells a quadratic scan from a linear one", () => {
    // Finding each problem's line by splitting everything before it: the mistake this test is for.
    const quadratic = (source: string) => {
      for (let at = 0; at < source.length; at += 64) source.slice(0, at).split("\n");
    };
    const linear = (source: string) => source.split("\n");
    const [small, large] = [repeat("ab\n", SMALL), repeat("ab\n", SMALL * GROWTH)];
    const ratios = { quadratic: timeRatio(small, large, quadratic), linear: timeRatio(small, large, linear) };
    console.info(`a quadratic scan: ×${ratios.quadratic.toFixed(1)}, a linear one: ×${ratios.linear.toFixed(1)}`);
    expect(ratios.quadratic).toBeGreaterThan(BOUND);
    expect(ratios.linear).toBeLessThan(BOUND);
  });

  it.each(families)("$name", (family) => {
    const small = family.make(SMALL);
    const large = family.make(SMALL * GROWTH);
    expect(run(fresh(small), family.options)).toBe(family.expect);
    expect(run(fresh(large), family.options)).toBe(family.expect);
    const ratio = timeRatio(small, large, (source) => run(source, family.options));
    // Printed so that a slow trend shows in CI logs before it fails.
    console.info(`${family.name}: ×${ratio.toFixed(1)}`);
    expect(ratio).toBeLessThan(BOUND);
  });

  it("hash.append( nested 100,000 deep fails with LIMIT_EXCEEDED as fast as a linear scan allows", () => {
    const options: ExpandOptions = { now: 0, limits: { maxTemplateLength: Number.POSITIVE_INFINITY } };
    const deep = (levels: number) =>
      `{hash.${"append(hash.".repeat(levels)}append("x")${")".repeat(levels)}.printDigest();}`;
    const small = deep(100_000 / GROWTH);
    const large = deep(100_000);
    expect(run(fresh(large), options)).toBe("LIMIT_EXCEEDED");
    const ratio = timeRatio(small, large, (source) => run(source, options));
    console.info(`100,000 deep: ×${ratio.toFixed(1)}`);
    expect(ratio).toBeLessThan(BOUND);
    // Timing the two sizes in turn takes about 5 s on a loaded two-core machine.
  }, 60_000);
});
