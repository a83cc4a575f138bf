// The fast-check generators of templates, and the properties they feed, shared by
// test/property.test.ts (a fixed number of runs in every `npm test`) and scripts/fuzz.ts
// (as many runs as asked). Properties assert with node:assert so they run outside vitest too.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import {
  compile,
  defaultLimits,
  type ErrorCode,
  type ExpandOptions,
  evaluate,
  expand,
  HashHelperError,
  type Kind,
  type Limits,
  type Method,
  methods,
  type Param,
  type ProblemReport,
  type RequestTemplate,
  redact,
  type SignedRequest,
  signRequest,
} from "../src/index.ts";
import {
  bytes,
  type Environment,
  type ExampleContext,
  type ModelMethod,
  type ModelRequest,
  Refusal,
  unreserved,
  type Value,
} from "./model/core.ts";
import { signatureExamples, signatureModels } from "./model/signatures.ts";
import { stringExamples, stringModels } from "./model/strings.ts";

const table: readonly Method[] = [...methods.values()];

/** What errors, traces and history show in place of a string literal's text. */
const BULLET = "\u2022";

/** The secrets every generated getSecret() finds: any name has one. */
export const secretOf = (name: string) => `secret(${name})`;

// ---------------------------------------------------------------------------------------------
// Characters and text

/** Pieces that mean something to the lexer, or that break lexers and caret displays. */
export const awkwardPieces: readonly string[] = [
  "{",
  "<",
  "}",
  ">",
  '"',
  "'",
  "\\",
  ";",
  ".",
  "(",
  ")",
  ",",
  "-",
  "$",
  " ",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\0",
  "\u2028",
  "\u2029",
  "\u00a0",
  "\ufeff",
  "\u3000",
  "\ud800",
  "\udfff",
  "\ud83d\ude00",
  "é",
  "“",
  "”",
  "%2f",
  "&",
  "=",
  "?",
  "hash",
  "Hash",
  "hash.",
  "{hash.",
  "<hash.",
  "{ hash .",
  "<\u2028hash\t.",
  ";}",
  ";>",
  "\\u0041",
  "\\u00",
  "\\x",
  "1e3",
  "0x10",
  "240.5",
  "__proto__",
  "constructor",
  "polluted",
];

/** Any UTF-16 code unit, lone surrogates included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...awkwardPieces) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
);

/** Text as it stands between blocks: anything, including braces, quotes, `hash` and openers. */
export const textChunk = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(""));

/** Arbitrary strings: random code units, random code points, and soups of awkward pieces. */
export const anyString = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 64 }),
  textChunk,
);

// A block opener: `{` or `<`, then `hash` and `.` with any whitespace around `hash`
// (src/syntax/tokens.ts; `\s` there and here is the same class, code unit by code unit).
const OPENER = /([{<]\s*hash\s*)\./g;

export function hasOpener(text: string): boolean {
  return new RegExp(OPENER.source).test(text);
}

/**
 * Text with no block opener in it. Removing a `.` cannot create an opener, so one pass is enough.
 * Two such chunks side by side can still make one (`{` + `hash.`); a block in between cannot.
 */
const noOpener = (text: string) => text.replace(OPENER, "$1,");

export const openerFreeText = textChunk.map(noOpener);

const whitespace = fc.oneof(
  { weight: 8, arbitrary: fc.constant("") },
  { weight: 2, arbitrary: fc.constant(" ") },
  { weight: 1, arbitrary: fc.constantFrom("\t", "\n", "\r\n", "  ", "\u00a0", "\u2028", "\ufeff", "\u3000", " \n\t") },
);
const spaces = (n: number) => fc.array(whitespace, { minLength: n, maxLength: n });

// ---------------------------------------------------------------------------------------------
// A reference model of the methods, written from their documentation (README.md,
// docs/methods.md) with node:crypto, Buffer and Date, and nothing of src/

export type { Environment, ModelRequest, Value } from "./model/core.ts";

const digest = (algorithm: string): ModelMethod => ({
  gives: "bytes",
  run: (input) => createHash(algorithm).update(bytes(input)).digest(),
});

const hmac = (algorithm: string): ModelMethod => ({
  gives: "bytes",
  run: (input, [key]) =>
    createHmac(algorithm, bytes(key as Value))
      .update(bytes(input))
      .digest(),
});

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * An instant written with a SimpleDateFormat pattern in UTC: 'quoted' text, '' for a quote, and
 * the fields yyyy MM dd HH mm ss SSS EEE MMM. A year before 0, or an instant past what a Date
 * holds, cannot be written.
 */
function formatInstant(pattern: string, ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 0) throw new Refusal("DATE_OUT_OF_RANGE");
  const two = (n: number) => String(n).padStart(2, "0");
  const fields: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()).padStart(4, "0"),
    MM: two(d.getUTCMonth() + 1),
    dd: two(d.getUTCDate()),
    HH: two(d.getUTCHours()),
    mm: two(d.getUTCMinutes()),
    ss: two(d.getUTCSeconds()),
    SSS: String(d.getUTCMilliseconds()).padStart(3, "0"),
    EEE: DAYS[d.getUTCDay()] as string,
    MMM: MONTHS[d.getUTCMonth()] as string,
  };
  let out = "";
  let read = 0;
  for (const [piece, quotedText] of pattern.matchAll(/''|'((?:[^']|'')*)'|([A-Za-z])\2*|[^'A-Za-z]/gs)) {
    read += piece.length;
    if (piece === "''") out += "'";
    else if (quotedText !== undefined) out += quotedText.replaceAll("''", "'");
    else if (/^[A-Za-z]/.test(piece)) {
      const field = fields[piece];
      assert.ok(field !== undefined, `the model has no field ${piece}: the generator made a pattern it cannot check`);
      out += field;
    } else out += piece;
  }
  assert.equal(read, pattern.length, `the model cannot read the pattern ${JSON.stringify(pattern)}`);
  return out;
}

/** The request, when the part being expanded is one of `parts`, the ones that may read it. */
function requestIn(env: Environment, parts: readonly ModelRequest["part"][]): ModelRequest {
  if (!env.request || !parts.includes(env.request.part)) throw new Refusal("REQUEST_UNAVAILABLE");
  return env.request;
}

/**
 * The path and query of a URL as they stand in it (RFC 3986 §3): after the scheme and authority,
 * up to `?`, and from there up to `#`; the path is '/' when empty.
 */
export function pathAndQueryOf(url: string): { path: string; query: string } {
  let rest = url;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    rest = end < 0 ? "" : rest.slice(end);
  }
  const fragment = rest.indexOf("#");
  if (fragment >= 0) rest = rest.slice(0, fragment);
  const q = rest.indexOf("?");
  return { path: (q < 0 ? rest : rest.slice(0, q)) || "/", query: q < 0 ? "" : rest.slice(q + 1) };
}

const millis = (env: Environment, seconds: Value | number | undefined) =>
  Math.floor(env.nowMs) + ((seconds as number | undefined) ?? 0) * 1000;

/** Every method of the table, by name. A test checks that its names are the table's. */
export const model: Readonly<Record<string, ModelMethod>> = {
  ...stringModels,
  ...signatureModels,
  append: { gives: "text", run: (input, [v]) => `${input as string}${String(v)}` },
  appendNewLine: { gives: "text", run: (input) => `${input as string}\n` },
  encodeMd5: digest("md5"),
  encodeSha1: digest("sha1"),
  encodeSha256: digest("sha256"),
  encodeSha512: digest("sha512"),
  encodeHmacSha1: hmac("sha1"),
  encodeHmacSha256: hmac("sha256"),
  encodeHmacMd5: hmac("md5"),
  encodeHmacSha512: hmac("sha512"),
  encodeBase64: { gives: "text", run: (input) => bytes(input).toString("base64") },
  encodeBase64Url: { gives: "text", run: (input) => bytes(input).toString("base64url") },
  encodeURL: {
    gives: "text",
    run: (input) =>
      [...bytes(input)]
        .map((b) => (unreserved(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
        .join(""),
  },
  toHex: { gives: "text", run: (input) => bytes(input).toString("hex") },
  printDigest: { gives: "text", run: (input) => input },
  fromHex: { gives: "bytes", run: (_input, [hex]) => Buffer.from(hex as string, "hex") },
  fromBase64: { gives: "bytes", run: (_input, [text]) => Buffer.from(text as string, "base64") },
  getExpiryTime: { gives: "text", run: (_input, [n], env) => String(Math.floor(env.nowMs / 1000) + (n as number)) },
  getEpochMillis: { gives: "text", run: (_input, [n], env) => String(millis(env, n)) },
  getDate: { gives: "text", names: [0], run: (_input, [p, n], env) => formatInstant(p as string, millis(env, n)) },
  getSecret: {
    gives: "text",
    names: [0],
    run: (_input, [name], env) => {
      const value = env.secret(name as string);
      if (value === undefined) throw new Refusal("MISSING_SECRET");
      return value;
    },
  },
  getRequestMethod: {
    gives: "text",
    readsRequest: true,
    run: (_input, _args, env) => requestIn(env, ["url", "body", "header"]).method,
  },
  getRequestPath: {
    gives: "text",
    readsRequest: true,
    run: (_input, _args, env) => pathAndQueryOf(requestIn(env, ["body", "header"]).url).path,
  },
  getRequestQuery: {
    gives: "text",
    readsRequest: true,
    run: (_input, _args, env) => pathAndQueryOf(requestIn(env, ["body", "header"]).url).query,
  },
  getRequestBody: {
    gives: "bytes",
    readsRequest: true,
    run: (_input, _args, env) => requestIn(env, ["header"]).body as Buffer,
  },
  getRequestHeader: {
    gives: "text",
    names: [0],
    readsRequest: true,
    run: (_input, [name], env) => {
      const value = requestIn(env, ["header"]).header(name as string);
      if (value === undefined) throw new Refusal("MISSING_HEADER");
      return value;
    },
  },
};

function modelOf(name: string): ModelMethod {
  const m = Object.hasOwn(model, name) ? model[name] : undefined;
  if (!m) throw new Error(`the model has no method ${name}(): write one, from its documentation`);
  return m;
}

export type { ExampleContext } from "./model/core.ts";

/**
 * What each method's example in the table gives (its `example`, shown in docs/methods.md), worked
 * out with node:crypto, URL and Date; MISSING_SECRET where it reads a secret there is not.
 */
export function exampleResults(c: ExampleContext): Record<string, string | { code: ErrorCode }> {
  const mac = (algorithm: string, key: string | Buffer, data: string, encoding: "hex" | "base64" | "base64url") =>
    createHmac(algorithm, key).update(data).digest(encoding);
  const hash = (algorithm: string, data: string) => createHash(algorithm).update(data).digest("hex");
  const withSecret = (name: string, use: (value: string) => string) => {
    const value = c.secret(name);
    return value === undefined ? { code: "MISSING_SECRET" as const } : use(value);
  };
  const url = new URL(c.request.url);
  const expiry = String(Math.floor(c.nowMs / 1000) + 240);
  return {
    ...stringExamples(c),
    ...signatureExamples(c),
    append: `mozscape-a1b2c3d4e5${expiry}`,
    appendNewLine: "beforeNewLine\nafterNewLine",
    encodeMd5: hash("md5", "abc"),
    encodeSha1: hash("sha1", "abc"),
    encodeSha256: hash("sha256", "abc"),
    encodeSha512: hash("sha512", "abc"),
    encodeHmacSha1: mac("sha1", "secretKey", "data", "base64"),
    encodeHmacSha256: mac("sha256", "secretKey", "customerCode=ACME", "base64"),
    encodeHmacMd5: mac("md5", Buffer.from([0x00, 0xff]), "{}", "hex"),
    encodeHmacSha512: mac("sha512", "secretKey", "data", "base64"),
    encodeBase64Url: mac("sha256", "secretKey", "data", "base64url"),
    encodeBase64: mac("sha1", "secretKey", "data", "base64"),
    encodeURL: "a%20b%2Fc%3D",
    toHex: hash("md5", "abc"),
    printDigest: hash("md5", "abc"),
    fromHex: Buffer.from("Jefe").toString("hex"),
    fromBase64: Buffer.from("Jefe").toString("hex"),
    getDate: new Date(c.nowMs).toUTCString(),
    getEpochMillis: String(c.nowMs),
    getExpiryTime: expiry,
    getSecret: withSecret("api_key", (key) => mac("sha256", key, "data", "base64")),
    getRequestMethod: c.request.method,
    getRequestPath: url.pathname,
    getRequestQuery: withSecret("api_key", (key) => mac("sha256", key, url.search.slice(1), "base64")),
    getRequestBody: hash("sha256", c.request.body),
    getRequestHeader: `date: ${c.request.date}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Expressions drawn from the method table

export type GenArg =
  | { type: "String"; source: string; value: string }
  | { type: "Integer"; source: string; value: number }
  | { type: "Chain"; chain: GenChain };

export interface GenCall {
  method: Method;
  args: GenArg[];
  ws: string[];
}

export interface GenChain {
  calls: GenCall[];
  /** Whitespace after `hash`. */
  ws: string;
}

const loneSurrogate = /[\ud800-\udfff]/;

/** Pieces of a string literal's value. A lone surrogate has no UTF-8 form, so valid ones hold none. */
const literalUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('"', "'", "\\", "\n", "\r", "\t", "\0", "\u2028", "\u2029", "}", ">", "{", "<", ";"),
  },
  { weight: 1, arbitrary: fc.constantFrom("é", "\ud83d\ude00", "\u00a0", "\ufeff", "“", BULLET) },
  { weight: 1, arbitrary: codeUnit.filter((c) => !loneSurrogate.test(c)) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
);

/** Any piece, lone surrogates too, for literals that need not be valid. */
const anyLiteralUnit = fc.oneof(literalUnit, fc.constantFrom("\ud800", "\udc00", "\ud83d"), codeUnit);

function escapeUnit(c: string, quote: string, die: number): string {
  const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
  const u = `\\u${die % 2 === 1 ? hex.toUpperCase() : hex}`;
  switch (c) {
    case "\\":
      return die < 5 ? "\\\\" : u;
    case "\n":
      return die < 5 ? "\\n" : u;
    case "\r":
      return die < 5 ? "\\r" : u;
    case "\t":
      return die < 3 ? "\t" : die < 6 ? "\\t" : u;
    case '"':
    case "'":
      if (c === quote) return die < 5 ? `\\${c}` : u;
      return die < 3 ? c : die < 6 ? `\\${c}` : u;
    case "\u2028":
    case "\u2029":
      return u;
    default:
      return die < 6 ? c : u;
  }
}

/** A literal of the language holding `value`, each code unit written raw or escaped as `die` says. */
function quoted(value: string, quote: string, die: number): GenArg & { type: "String" } {
  let source = quote;
  // Each code unit is written on its own, so a surrogate pair may be half raw, half escaped.
  for (let i = 0; i < value.length; i++) source += escapeUnit(value[i] as string, quote, (die + 3 * i) % 8);
  return { type: "String", source: source + quote, value };
}

function literal(unit: fc.Arbitrary<string>): fc.Arbitrary<GenArg> {
  const pieces = fc
    .tuple(fc.constantFrom('"', "'"), fc.array(fc.tuple(unit, fc.nat({ max: 7 })), { maxLength: 12 }))
    .map(([quote, units]): GenArg => {
      let source = quote;
      let value = "";
      for (const [piece, die] of units) {
        source += quoted(piece, quote, die).source.slice(1, -1);
        value += piece;
      }
      return { type: "String", source: source + quote, value };
    });
  // Now and then nothing but bullets: what errors and history show in place of a literal's text.
  const bullets = fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('"', "'"), fc.nat())
    .map(([n, quote, die]) => quoted(BULLET.repeat(n), quote, die));
  return fc.oneof({ weight: 24, arbitrary: pieces }, { weight: 1, arbitrary: bullets });
}

/** A valid string literal, written with every escape of the language: \\ \" \' \n \r \t \uXXXX. */
export const stringLiteral = literal(literalUnit);

/** A string literal whose value may hold lone surrogates. */
export const anyStringLiteral = literal(anyLiteralUnit);

function integerLiteral(bound: number): fc.Arbitrary<GenArg> {
  return fc
    .tuple(
      fc.oneof(
        fc.integer({ min: -1000, max: 1000 }),
        fc.maxSafeInteger().map((n) => n % (Math.min(bound, Number.MAX_SAFE_INTEGER) + 1)),
      ),
      fc.nat({ max: 9 }),
    )
    .map(([n, die]): GenArg => {
      const digits = `${die === 0 ? "00" : ""}${Math.abs(n)}`;
      const source = n < 0 ? `-${digits}` : digits;
      return { type: "Integer", source, value: Number(source) };
    });
}

/** The header names generated requests have, and generated getRequestHeader() calls read. */
export const HEADER_NAMES = ["Date", "X-Sig", "Content-Type", "X-Amz-Date"] as const;

/** A header name as a request or a template may spell it: the case of names does not matter. */
export const headerName = fc
  .tuple(fc.constantFrom(...HEADER_NAMES), fc.nat({ max: 2 }))
  .map(([name, die]) => [name, name.toLowerCase(), name.toUpperCase()][die] as string);

/** What getRequestHeader() is given: mostly a name requests have, sometimes any string. */
const headerNameLiteral = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(headerName, fc.constantFrom('"', "'"), fc.nat()).map(([n, q, d]) => quoted(n, q, d)),
  },
  { weight: 1, arbitrary: stringLiteral },
);

/** How deep valid generated expressions nest: small, so values stay far below maxValueSize. */
const MAX_DEPTH = 2;

function argument(param: Param, depth: number, method: Method, palette: readonly Method[]): fc.Arbitrary<GenArg> {
  if (param.validate) return validatedLiteral(param, method);
  if (method.name === "getRequestHeader") return headerNameLiteral;
  if (param.literal) return stringLiteral;
  const options: fc.Arbitrary<GenArg>[] = [];
  for (const kind of param.accepts) {
    if (kind === "integer") {
      options.push(integerLiteral(param.bound ? defaultLimits[param.bound] : Number.MAX_SAFE_INTEGER));
    } else {
      if (kind === "text") options.push(stringLiteral);
      if (depth < MAX_DEPTH || options.length === 0) {
        options.push(chain(kind, depth + 1, palette).map((c): GenArg => ({ type: "Chain", chain: c })));
      }
    }
  }
  return fc.oneof(...options);
}

/** The values of the string literals in a piece of source, such as a method's example. */
export function literalValues(source: string): string[] {
  const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t" };
  return [...source.matchAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g)].map((m) =>
    m[0]
      .slice(1, -1)
      .replace(/\\(u[0-9A-Fa-f]{4}|.)/g, (_, e: string) =>
        e.length === 5 ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : (escapes[e] ?? e),
      ),
  );
}

/**
 * A literal for a parameter whose text is checked (a hex string, a date pattern): the literals of
 * the method's example that pass the check, and random joins of their runs of equal characters.
 */
function validatedLiteral(param: Param, method: Method): fc.Arbitrary<GenArg> {
  const ok = (v: string) => param.validate?.(v) === undefined;
  const examples = literalValues(method.example).filter(ok);
  assert.ok(examples.length > 0, `the example of ${method.name}() has no literal that passes its check`);
  const runs = [...new Set(examples.flatMap((v) => v.match(/(.)\1*/gsu) ?? []))];
  const values = fc.oneof(
    fc.constantFrom(...examples),
    fc
      .array(fc.constantFrom(...runs), { minLength: 1, maxLength: 8 })
      .map((r) => r.join(""))
      .filter(ok),
  );
  return fc.tuple(values, fc.constantFrom('"', "'"), fc.nat()).map(([value, quote, die]) => quoted(value, quote, die));
}

/** Every method of the table: what chains for signed requests are made of. */
export const everyMethod: readonly Method[] = table;

/**
 * The methods that do not read a request. In expand() a request function is an error, so the
 * templates it gets use them more often than not, so that most expand to text.
 */
export const requestFree: readonly Method[] = table.filter((m) => model[m.name]?.readsRequest !== true);

const inputs = (m: Method, kind: Kind, first: boolean) =>
  m.input === "start" ? first : m.input.includes(kind) && !m.final;

/**
 * The methods of a chain that fits where it stands: picks choose among the palette's methods
 * whose input suits the value so far, then conversions bring the value to the kind wanted, then
 * a block ends with a final method (printDigest), unless it is a single value call.
 */
export function planChain(
  picks: readonly number[],
  role: "block" | Kind,
  die: number,
  palette: readonly Method[] = requestFree,
): Method[] {
  const seq: Method[] = [];
  let kind: Kind = "text";
  const pick = <T>(options: readonly T[], n: number): T => {
    assert.ok(options.length > 0, "the method table has no method for this step");
    return options[n % options.length] as T;
  };
  const convert = (to: Kind, n: number) => {
    if (kind === to) return;
    const m = pick(
      palette.filter((x) => x.input !== "start" && !x.final && x.input.includes(kind) && x.output === to),
      n,
    );
    seq.push(m);
    kind = m.output;
  };
  for (const [i, n] of picks.entries()) {
    const m = pick(
      palette.filter((x) => inputs(x, kind, i === 0)),
      n,
    );
    seq.push(m);
    kind = m.output;
  }
  const finals = palette.filter((x) => x.final);
  if (role === "block") {
    const first = seq[0];
    if (seq.length === 1 && first?.input === "start" && die % 2 === 0) return seq;
    const final = pick(finals, die);
    convert(pick(final.input as readonly Kind[], die), die);
    seq.push(final);
    return seq;
  }
  convert(role, die);
  if (seq.length === 0)
    seq.push(
      pick(
        palette.filter((x) => inputs(x, kind, false) && x.output === role),
        die,
      ),
    );
  const final = finals[die % (finals.length * 3)];
  if (final && final.output === role && final.input !== "start" && final.input.includes(kind)) seq.push(final);
  return seq;
}

function chain(role: "block" | Kind, depth: number, palette: readonly Method[]): fc.Arbitrary<GenChain> {
  return fc
    .tuple(fc.array(fc.nat(), { maxLength: role === "block" ? 6 : 3 }), fc.nat(), whitespace)
    .chain(([picks, die, ws]) => {
      const seq = planChain(picks, role, die, palette);
      return fc
        .tuple(
          ...seq.map((m) =>
            fc.tuple(fc.tuple(...m.params.map((p) => argument(p, depth, m, palette))), fc.nat(), spaces(8)),
          ),
        )
        .map((calls) => ({
          ws,
          calls: calls.map(([args, omit, callWs], i) => {
            const method = seq[i] as Method;
            // Trailing optional parameters may be left out.
            let n = method.params.length;
            for (let k = omit % (n + 1); k > 0 && method.params[n - 1]?.optional; k--) n--;
            return { method, args: args.slice(0, n), ws: callWs };
          }),
        }));
    });
}

/** A call as written: where its name starts, and its arguments, nested chains placed too. */
interface PlacedCall {
  method: string;
  at: number;
  args: PlacedArg[];
}

type PlacedArg =
  | { type: "String"; value: string; at: number }
  | { type: "Integer"; value: number; at: number }
  | { type: "Chain"; calls: PlacedCall[] };

/** A chain written out, with where each call and literal stands when the chain starts at `base`. */
function place(c: GenChain, base: number): { source: string; calls: PlacedCall[] } {
  let out = `hash${c.ws}`;
  const calls: PlacedCall[] = [];
  for (const call of c.calls) {
    const w = (i: number) => call.ws[i] ?? "";
    out += `.${w(0)}`;
    const at = base + out.length;
    out += `${call.method.name}${w(1)}(${w(2)}`;
    const args: PlacedArg[] = [];
    for (const [i, a] of call.args.entries()) {
      if (i > 0) out += `${w(3)},${w(4)}`;
      const start = base + out.length;
      if (a.type === "Chain") {
        const inner = place(a.chain, start);
        out += inner.source;
        args.push({ type: "Chain", calls: inner.calls });
      } else {
        out += a.source;
        args.push(
          a.type === "String"
            ? { type: "String", value: a.value, at: start }
            : { type: "Integer", value: a.value, at: start },
        );
      }
    }
    out += `${w(5)})${w(6)}`;
    calls.push({ method: call.method.name, at, args });
  }
  return { source: out, calls };
}

export function renderChain(c: GenChain): string {
  return place(c, 0).source;
}

export interface GenBlock {
  source: string;
  chain: GenChain;
  /** Where the chain (`hash`) starts in the block's source. */
  chainAt: number;
}

const delimiters = fc.constantFrom(["{", "}"] as const, ["<", ">"] as const);

/** A block that parses: `{hash.<chain>;}` or `<hash.<chain>;>`, random whitespace. */
function blockOf(palette: readonly Method[]): fc.Arbitrary<GenBlock> {
  return fc.tuple(delimiters, chain("block", 0, palette), spaces(3)).map(([[open, close], c, [a, b, d]]) => {
    const source = `${open}${a}${renderChain(c)}${b};${d}${close}`;
    // Counterexamples show the source, not the method objects the chain holds.
    return {
      chain: c,
      source,
      chainAt: open.length + (a as string).length,
      [fc.toStringMethod]: () => `validBlock(${fc.stringify(source)})`,
    };
  });
}

/** A block that parses: mostly of the methods that read no request, now and then of any method. */
export const validBlock: fc.Arbitrary<GenBlock> = fc.oneof(
  { weight: 3, arbitrary: blockOf(requestFree) },
  { weight: 1, arbitrary: blockOf(everyMethod) },
);

/** A template of texts and blocks, each block with its offset. */
export interface GenTemplate {
  source: string;
  parts: ({ type: "Text"; text: string; at: number } | { type: "Block"; block: GenBlock; at: number })[];
}

/** The template the texts and blocks make side by side. */
export function templateOf(pieces: readonly (string | GenBlock)[]): GenTemplate {
  let source = "";
  const parts: GenTemplate["parts"] = [];
  for (const piece of pieces) {
    if (typeof piece === "string") parts.push({ type: "Text", text: piece, at: source.length });
    else parts.push({ type: "Block", block: piece, at: source.length });
    source += typeof piece === "string" ? piece : piece.source;
  }
  return { source, parts, [fc.toStringMethod]: () => `template(${fc.stringify(source)})` } as GenTemplate;
}

/** Texts and blocks, alternating, so that no two texts meet to form an opener. */
function alternating(text: fc.Arbitrary<string>, block: fc.Arbitrary<GenBlock>, maxBlocks: number) {
  return fc
    .tuple(text, fc.array(fc.tuple(block, text), { maxLength: maxBlocks }))
    .map(([first, rest]) => templateOf([first, ...rest.flat()]));
}

/** Opener-free text and valid blocks: templates that parse, whose expansion the model predicts. */
export const validTemplate: fc.Arbitrary<GenTemplate> = alternating(openerFreeText, validBlock, 4);

/** An expression alone, as evaluate() takes it: its value is text or bytes, printDigest() optional. */
export interface GenExpression {
  source: string;
  chain: GenChain;
}

export const validExpression: fc.Arbitrary<GenExpression> = fc
  .tuple(fc.constantFrom<Kind>("text", "text", "bytes"), fc.constantFrom(requestFree, requestFree, everyMethod))
  .chain(([kind, palette]) => chain(kind, 0, palette))
  .map((c) => {
    const source = renderChain(c);
    return { chain: c, source, [fc.toStringMethod]: () => `expression(${fc.stringify(source)})` };
  });

/** A request whose URL, body and header values are templates with every method in their blocks. */
export interface GenRequest {
  method: string | undefined;
  url: GenTemplate;
  body: GenTemplate | undefined;
  headers: { name: string; value: GenTemplate }[];
  /** Headers given as an object rather than as pairs (names then unique as written). */
  asObject: boolean;
}

const requestBlock = blockOf(everyMethod);
const urlText = fc
  .array(fc.constantFrom("/", "v1", "items", "?", "&", "=", "#", "a", "%20", "é", " ", "/.."), { maxLength: 6 })
  .map((p) => p.join(""));
const headerText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.string({ unit: fc.constantFrom(..."abc XYZ019-_=:;,/+é\t"), maxLength: 12 }),
  },
  { weight: 1, arbitrary: openerFreeText },
);

export const validRequest: fc.Arbitrary<GenRequest> = fc
  .record({
    method: fc.option(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "get", "M-SEARCH"), { nil: undefined }),
    origin: fc.constantFrom("https://api.example.test", "http://h:8080", "", "/"),
    url: alternating(fc.oneof(urlText, openerFreeText), requestBlock, 3),
    body: fc.option(alternating(openerFreeText, requestBlock, 3), { nil: undefined, freq: 4 }),
    headers: fc.array(fc.tuple(headerName, alternating(headerText, requestBlock, 2)), { maxLength: 4 }),
    asObject: fc.boolean(),
  })
  .map((r): GenRequest => {
    const [first, ...rest] = r.url.parts;
    const head = first?.type === "Text" ? first.text : "";
    const url = templateOf([noOpener(r.origin + head), ...rest.map((p) => (p.type === "Text" ? p.text : p.block))]);
    const unique = r.headers.filter(([name], i) => r.headers.findIndex(([other]) => other === name) === i);
    const headers = (r.asObject ? unique : r.headers).map(([name, value]) => ({ name, value }));
    return { method: r.method, url, body: r.body, headers, asObject: r.asObject };
  })
  .map((r) => ({ ...r, [fc.toStringMethod]: () => `request(${fc.stringify(requestOf(r))})` }));

/** What signRequest() is given for a generated request. */
export function requestOf(r: GenRequest): RequestTemplate {
  const pairs = r.headers.map(({ name, value }) => [name, value.source] as [string, string]);
  return {
    ...(r.method === undefined ? {} : { method: r.method }),
    url: r.url.source,
    ...(r.body === undefined ? {} : { body: r.body.source }),
    headers: r.asObject ? Object.fromEntries(pairs) : pairs,
  };
}

// ---------------------------------------------------------------------------------------------
// What the model predicts for a template, an expression and a signed request

/** A problem the checker must report: its code, and where (an offset, or a range for RESULT_KIND). */
interface ExpectedProblem {
  code: ErrorCode;
  /** The part of a signed request it is in; undefined where any part will do. */
  where?: string | undefined;
  from: number;
  to: number;
  /** May be reported or not (the checker only looks for it in a text that compiles). */
  optional?: boolean;
  /** May be reported more than once (a cycle of headers, once for each read that closes it). */
  repeats?: boolean;
}

/** A failure while expanding: the first, or for the headers of a request, any of those listed. */
interface ExpectedFailure {
  code: ErrorCode;
  where?: string | undefined;
  offset: number;
}

export type Prediction<T = string> = { ok: T } | { problems: ExpectedProblem[] } | { failures: ExpectedFailure[] };

const MASK_ONLY = /^\u2022+$/;

/** The checker's problems with a chain placed in its source: literals that are masks. */
function checkCalls(calls: readonly PlacedCall[], problems: ExpectedProblem[], where: string | undefined): void {
  for (const call of calls) {
    const names = modelOf(call.method).names ?? [];
    for (const [i, a] of call.args.entries()) {
      if (a.type === "Chain") checkCalls(a.calls, problems, where);
      else if (a.type === "String" && !names.includes(i) && MASK_ONLY.test(a.value)) {
        problems.push({ code: "MASKED_LITERAL", where, from: a.at, to: a.at });
      }
    }
  }
}

const kindOf = (calls: readonly PlacedCall[]): Kind => modelOf((calls[calls.length - 1] as PlacedCall).method).gives;

/** The chain's value, or a Refusal with the offset of the call that refused. */
function runCalls(calls: readonly PlacedCall[], env: Environment): Value {
  let value: Value = "";
  for (const call of calls) {
    const m = modelOf(call.method);
    const args = call.args.map((a) => (a.type === "Chain" ? runCalls(a.calls, env) : a.value));
    try {
      value = m.run(value, args, env);
    } catch (e) {
      if (e instanceof Refusal) e.offset = call.at;
      throw e;
    }
    assert.equal(
      typeof value === "string" ? "text" : "bytes",
      m.gives,
      `the model of ${call.method}() gave the wrong kind`,
    );
  }
  return value;
}

function refusalAt(e: unknown, where: string | undefined): ExpectedFailure {
  if (!(e instanceof Refusal)) throw e;
  return { code: e.code, where, offset: e.offset };
}

interface PlacedBlock {
  at: number;
  end: number;
  calls: PlacedCall[];
}

const placedBlocks = (t: GenTemplate): PlacedBlock[] =>
  t.parts.flatMap((p) =>
    p.type === "Block"
      ? [{ at: p.at, end: p.at + p.block.source.length, calls: place(p.block.chain, p.at + p.block.chainAt).calls }]
      : [],
  );

/** What the checker finds in a template: masks for literals, and blocks whose value is bytes. */
function templateProblems(t: GenTemplate, where?: string): ExpectedProblem[] {
  const problems: ExpectedProblem[] = [];
  for (const block of placedBlocks(t)) {
    checkCalls(block.calls, problems, where);
    // A block's text is its output: bytes have none (`{hash.fromHex("4a");}` is not `74`).
    if (kindOf(block.calls) === "bytes") problems.push({ code: "RESULT_KIND", where, from: block.at, to: block.end });
  }
  return problems;
}

/** The template's expansion, or the first failure on the way, once it is known to compile. */
function runTemplate(t: GenTemplate, env: Environment, where?: string): Prediction {
  let out = "";
  for (const part of t.parts) {
    if (part.type === "Text") {
      out += part.text;
      continue;
    }
    try {
      out += runCalls(place(part.block.chain, part.at + part.block.chainAt).calls, env) as string;
    } catch (e) {
      return { failures: [refusalAt(e, where)] };
    }
  }
  return { ok: out };
}

/** What expand() gives for a generated template: text, the checker's problems, or a failure. */
export function predictTemplate(t: GenTemplate, env: Environment): Prediction {
  const problems = templateProblems(t);
  return problems.length > 0 ? { problems } : runTemplate(t, env);
}

/** What evaluate() gives for a generated expression: it must give text, not bytes. */
export function predictExpression(e: GenExpression, env: Environment): Prediction {
  const { calls } = place(e.chain, 0);
  const problems: ExpectedProblem[] = [];
  checkCalls(calls, problems, undefined);
  if (kindOf(calls) === "bytes") problems.push({ code: "RESULT_KIND", from: 0, to: e.source.length });
  if (problems.length > 0) return { problems };
  try {
    return { ok: runCalls(calls, env) as string };
  } catch (err) {
    return { failures: [refusalAt(err, undefined)] };
  }
}

/** Every getRequestHeader("name") of a template, nested ones included, with where its name starts. */
function headerReads(t: GenTemplate): { name: string; at: number }[] {
  const reads: { name: string; at: number }[] = [];
  const walk = (calls: readonly PlacedCall[]) => {
    for (const call of calls) {
      const [first] = call.args;
      if (call.method === "getRequestHeader" && first?.type === "String")
        reads.push({ name: first.value, at: call.at });
      for (const a of call.args) if (a.type === "Chain") walk(a.calls);
    }
  };
  for (const block of placedBlocks(t)) walk(block.calls);
  return reads;
}

/** Whether following `next` from some node comes back to a node on the way. */
function hasCycle(count: number, next: (i: number) => readonly number[]): boolean {
  const state = new Array<"new" | "open" | "done">(count).fill("new");
  const visit = (i: number): boolean => {
    if (state[i] === "open") return true;
    if (state[i] === "done") return false;
    state[i] = "open";
    const found = next(i).some(visit);
    state[i] = "done";
    return found;
  };
  return Array.from({ length: count }, (_, i) => i).some(visit);
}

/** RFC 9110 §5.5: a header value cannot hold CR, LF or NUL. */
const UNSENDABLE = /[\r\n\0]/;

/**
 * What signRequest() gives (docs/methods.md, README "Signing whole requests"): every part on one
 * clock, the URL first, then the body, then each header after the headers it reads; a request
 * function read from a part expanded before what it reads is REQUEST_UNAVAILABLE.
 */
export function predictRequest(r: GenRequest, nowMs: number): Prediction<SignedRequest> {
  const problems: ExpectedProblem[] = [];
  const headerWhere = (name: string) => `header ${name}`;
  problems.push(...templateProblems(r.url, "URL"));
  if (r.body) problems.push(...templateProblems(r.body, "body"));
  const byName = (name: string) =>
    r.headers.flatMap((h, j) => (h.name.toLowerCase() === name.toLowerCase() ? [j] : []));
  const reads = r.headers.map((h) => headerReads(h.value));
  const compiles = r.headers.map((h) => {
    const own = templateProblems(h.value, headerWhere(h.name));
    problems.push(...own);
    return own.length === 0;
  });
  for (const [i, h] of r.headers.entries()) {
    const where = headerWhere(h.name);
    // Reads are only known in a text that compiles, and only such text is checked.
    const optional = !compiles[i];
    for (const read of reads[i] ?? []) {
      if (byName(read.name).length === 0)
        problems.push({ code: "MISSING_HEADER", where, from: read.at, to: read.at, optional });
    }
    const text = h.value.parts.find((p) => p.type === "Text" && UNSENDABLE.test(p.text));
    if (text?.type === "Text") {
      const at = text.at + text.text.search(UNSENDABLE);
      problems.push({ code: "INVALID_HEADER_VALUE", where, from: at, to: at, optional });
    }
  }
  const deps = (i: number) => (reads[i] ?? []).flatMap((read) => byName(read.name));
  const cycle = { code: "HEADER_CYCLE", from: 0, to: Number.POSITIVE_INFINITY, repeats: true } as const;
  if (hasCycle(r.headers.length, (i) => (compiles[i] ? deps(i) : []))) problems.push(cycle);
  else if (hasCycle(r.headers.length, deps)) problems.push({ ...cycle, optional: true });
  if (problems.some((p) => !p.optional)) return { problems };

  const method = r.method ?? "GET";
  const noHeaders = () => undefined;
  const env = (request: ModelRequest): Environment => ({ nowMs, secret: secretOf, request });
  const url = runTemplate(r.url, env({ part: "url", method, url: "", header: noHeaders }), "URL");
  if (!("ok" in url)) return url;
  const body = r.body && runTemplate(r.body, env({ part: "body", method, url: url.ok, header: noHeaders }), "body");
  if (body && !("ok" in body)) return body;

  const bodyBytes = Buffer.from(body?.ok ?? "", "utf8");
  const values = new Map<number, Prediction | "blocked">();
  const headerOutcome = (i: number): Prediction | "blocked" => {
    const known = values.get(i);
    if (known) return known;
    const h = r.headers[i] as GenRequest["headers"][number];
    // The headers it reads are expanded before it: if one of them fails, it never runs.
    const result: Prediction | "blocked" = deps(i).some((j) => {
      const o = headerOutcome(j);
      return o === "blocked" || !("ok" in o);
    })
      ? "blocked"
      : headerValue(h, env({ part: "header", method, url: url.ok, body: bodyBytes, header: joined }));
    values.set(i, result);
    return result;
  };
  const joined = (name: string) => {
    const found = byName(name).map((j) => (headerOutcome(j) as { ok: string }).ok);
    return found.length > 0 ? found.join(", ") : undefined;
  };
  const headerValue = (h: GenRequest["headers"][number], e: Environment): Prediction => {
    const where = headerWhere(h.name);
    const value = runTemplate(h.value, e, where);
    if (!("ok" in value) || !UNSENDABLE.test(value.ok)) return value;
    // At the first block whose own text a header cannot hold.
    const culprit = placedBlocks(h.value).find((b) => UNSENDABLE.test(runCalls(b.calls, e) as string));
    return { failures: [{ code: "INVALID_HEADER_VALUE", where, offset: culprit?.at ?? 0 }] };
  };

  const outcomes = r.headers.map((_, i) => headerOutcome(i));
  // The headers are expanded in some order their reads allow: the first to fail may be any of them.
  const failures = outcomes.flatMap((o) => (o !== "blocked" && "failures" in o ? o.failures : []));
  if (failures.length > 0) return { failures };
  const pairs = r.headers.map((h, i) => [h.name, (outcomes[i] as { ok: string }).ok] as [string, string]);
  return { ok: { method, url: url.ok, headers: r.asObject ? Object.fromEntries(pairs) : pairs, body: body?.ok } };
}

/** What a call gives, or its HashHelperError; anything else it throws fails the property. */
function attempt<T>(run: () => T): { ok: T } | { error: HashHelperError } {
  try {
    return { ok: run() };
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    checkError(e);
    return { error: e };
  }
}

const describeProblems = (e: HashHelperError) =>
  e.problems.map((p) => `${p.where ? `${p.where}: ` : ""}${p.code} at ${p.span.offset}`).join("; ");

/** That what a run gave is what the model predicts: the same text, or the same problems where predicted. */
export function assertPredicted<T>(prediction: Prediction<T>, got: { ok: T } | { error: HashHelperError }): void {
  if ("ok" in prediction) {
    if ("error" in got)
      assert.fail(`the model predicts ${fc.stringify(prediction.ok)}, but it failed: ${describeProblems(got.error)}`);
    assert.deepStrictEqual(got.ok, prediction.ok);
    return;
  }
  if ("ok" in got) assert.fail(`the model predicts ${fc.stringify(prediction)}, but it gave ${fc.stringify(got.ok)}`);
  const shown = describeProblems(got.error);
  if ("failures" in prediction) {
    assert.equal(got.error.problems.length, 1, `one failure stops an expansion, but it reports ${shown}`);
    const [p] = got.error.problems as [ProblemReport];
    const match = prediction.failures.some(
      (f) => f.code === p.code && f.where === p.where && f.offset === p.span.offset,
    );
    assert.ok(match, `the model predicts a failure of ${fc.stringify(prediction.failures)}, but it reports ${shown}`);
    return;
  }
  const used = new Set<ExpectedProblem>();
  for (const p of got.error.problems) {
    const expected = prediction.problems.find(
      (x) =>
        x.code === p.code &&
        (x.where === undefined || x.where === p.where) &&
        x.from <= p.span.offset &&
        p.span.offset <= x.to &&
        (x.repeats || !used.has(x)),
    );
    assert.ok(
      expected,
      `${p.code} at ${p.span.offset} is not among the problems the model predicts: ${fc.stringify(prediction.problems)}; reported: ${shown}`,
    );
    used.add(expected);
  }
  for (const x of prediction.problems) {
    assert.ok(x.optional || used.has(x), `the model predicts ${fc.stringify(x)}, which is missing from ${shown}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Broken templates

const junkNames = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "polluted",
  "encodeHmacSha265",
  "printdigest",
  "PrintDigest",
  "append_",
  "$",
  "_",
];

/** A near miss of a method name: a typo, a case slip, or a name every object has. */
export function nearMiss(name: string, die: number): string {
  const i = Math.floor(die / 16) % Math.max(1, name.length);
  const c = name[i] ?? "x";
  switch (die % 8) {
    case 0:
      return name.slice(0, i) + name.slice(i + 1) || "x";
    case 1:
      return name.slice(0, i) + c + name.slice(i);
    case 2:
      return name.slice(0, i) + (name[i + 1] ?? "") + c + name.slice(i + 2);
    case 3:
      return name.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + name.slice(i + 1);
    case 4:
      return name.toLowerCase();
    case 5:
      return `${name}${die % 10}`;
    case 6:
      return `${name}s`;
    default:
      return junkNames[Math.floor(die / 8) % junkNames.length] as string;
  }
}

const names = fc.oneof(
  fc.constantFrom(...table.map((m) => m.name)),
  fc.tuple(fc.constantFrom(...table.map((m) => m.name)), fc.nat()).map(([n, d]) => nearMiss(n, d)),
  fc.constantFrom(...junkNames),
);

/** A block from a soup of the language's tokens: mostly wrong, sometimes right. */
export const tokenSoupBlock = fc
  .tuple(
    delimiters,
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(".", "(", ")", ",", ";", "hash", "hash.", " ") },
        { weight: 3, arbitrary: names },
        { weight: 2, arbitrary: anyStringLiteral.map((s) => (s.type === "String" ? s.source : "")) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("1", "-60", "240.5", "1e20", "0x10", "99999999999999999999", '"', "'"),
        },
        { weight: 1, arbitrary: whitespace },
        { weight: 1, arbitrary: fc.constantFrom(...awkwardPieces) },
      ),
      { maxLength: 16 },
    ),
    fc.boolean(),
  )
  .map(([[open, close], tokens, closed]) => `${open}hash.${tokens.join("")}${closed ? `;${close}` : ""}`);

export type Mutation = { op: number; at: number; insert: string; die: number };

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.nat({ max: 9 }),
  at: fc.nat(),
  insert: fc.constantFrom(...awkwardPieces),
  die: fc.nat(),
});

function nth(source: string, pattern: RegExp, at: number): RegExpExecArray | undefined {
  const found = [...source.matchAll(pattern)];
  return found.length === 0 ? undefined : found[at % found.length];
}

/** Drop, insert, duplicate or swap a character; lose a `;` or a parenthesis; misspell a method. */
export function mutate(source: string, m: Mutation): string {
  const i = m.at % (source.length + 1);
  const cut = (from: number, length: number, put = "") => source.slice(0, from) + put + source.slice(from + length);
  switch (m.op) {
    case 0:
      return cut(i, 1);
    case 1:
      return cut(i, 0, m.insert);
    case 2:
      return cut(i, 0, source[i] ?? "");
    case 3:
      return cut(i, 2, (source[i + 1] ?? "") + (source[i] ?? ""));
    case 4: {
      const semi = nth(source, /;/g, m.at);
      return semi ? cut(semi.index, 1) : source;
    }
    case 5: {
      const name = nth(source, /\.(\s*)([A-Za-z_$][\w$]*)/g, m.at);
      if (!name) return source;
      const start = name.index + 1 + (name[1] as string).length;
      // Another real method (a kind or argument mistake), or a near miss (an unknown method).
      const other = m.die % 3 === 0 ? table[Math.floor(m.die / 3) % table.length]?.name : undefined;
      return cut(start, (name[2] as string).length, other ?? nearMiss(name[2] as string, m.die));
    }
    case 6: {
      const paren = nth(source, /[()]/g, m.at);
      return paren ? cut(paren.index, 1) : source;
    }
    case 7:
      return cut(i, 0, m.die % 2 === 0 ? "(" : ")");
    case 8:
      return source.slice(0, i);
    case 10: {
      // A parenthesis that no number runs into once it is gone (see keyedTemplate).
      const paren = nth(source, /(?<![\w.])[()]/g, m.at);
      return paren ? cut(paren.index, 1) : source;
    }
    default: {
      const quote = nth(source, /["']/g, m.at);
      return quote ? cut(quote.index, 1) : source;
    }
  }
}

export const mutations = fc.array(mutation, { maxLength: 3 });
const applyAll = (source: string, ms: readonly Mutation[]) => ms.reduce(mutate, source);

const part = fc.oneof(
  { weight: 3, arbitrary: textChunk },
  { weight: 3, arbitrary: validBlock.map((b) => b.source) },
  { weight: 2, arbitrary: tokenSoupBlock },
);

/** Grammar-shaped templates: text, valid blocks and token soups, then a few random mutations. */
export const grammarTemplate = fc
  .tuple(fc.array(part, { maxLength: 6 }), mutations)
  .map(([parts, ms]) => applyAll(parts.join(""), ms));

// ---------------------------------------------------------------------------------------------
// Options

// ECMA-262 §21.4.1.22: a Date holds 8.64e15 ms either side of the epoch; year 0 starts here.
const DATE_LIMIT = 8.64e15;
const YEAR_ZERO = Date.parse("0000-01-01T00:00:00.000Z");

/** An instant close to `edge`: within a few thousand seconds, or within maxExpirySeconds and more. */
const near = (edge: number) =>
  fc
    .oneof(fc.integer({ min: -4_000_000, max: 4_000_000 }), fc.integer({ min: -4e11, max: 4e11 }))
    .map((d) => Math.max(-DATE_LIMIT, Math.min(DATE_LIMIT, edge + d)));

/**
 * Fixed instants, as epoch milliseconds or a Date, before and after 1970, and near the ends of
 * what getDate() can write: year 0, and the last instant a Date holds, either side.
 */
export const now = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -(2 ** 41), max: 2 ** 42 }) },
  { weight: 4, arbitrary: fc.date({ noInvalidDate: true, min: new Date(-(2 ** 41)), max: new Date(2 ** 42) }) },
  { weight: 1, arbitrary: fc.constantFrom(YEAR_ZERO, DATE_LIMIT, -DATE_LIMIT).chain(near) },
);

const secretsOption = fc.constantFrom<ExpandOptions>(
  {},
  { secrets: secretOf },
  { secrets: new Map([["api_key", "k"]]) },
  { secrets: { api_key: "k", polluted: "yes" } },
  { secrets: JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c"}') },
);

export const options: fc.Arbitrary<ExpandOptions> = fc.tuple(now, secretsOption).map(([n, s]) => ({ now: n, ...s }));

// ---------------------------------------------------------------------------------------------
// Properties

type Outcome = { ok: string } | { code: string; problems: unknown };

/** What a call gives: a string, or a HashHelperError. Anything else fails the property. */
export function outcome(run: () => unknown): Outcome {
  try {
    const out = run();
    assert.equal(typeof out, "string", "expand gave something other than a string");
    return { ok: out as string };
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    checkError(e);
    return { code: e.code, problems: JSON.parse(JSON.stringify(e.problems)) };
  }
}

/** What every HashHelperError must hold, wherever it comes from. */
export function checkError(e: HashHelperError, source?: string): void {
  assert.ok(e instanceof Error);
  assert.ok(e.problems.length > 0);
  assert.equal(e.code, e.problems[0]?.code);
  let last = -1;
  for (const p of e.problems) {
    // In source order; a signed request's parts (two may have one name) each have their own.
    if (p.where === undefined) assert.ok(p.span.offset >= last, "problems are not in source order");
    last = p.span.offset;
    if (source !== undefined) assert.ok(p.span.offset <= source.length, "a problem lies past the end of the source");
    assert.ok(p.span.line >= 1 && p.span.column >= 1);
    assert.ok(p.excerpt.caretColumn >= 0 && p.excerpt.caretLength >= 1);
    assert.ok(p.excerpt.caretColumn <= p.excerpt.text.length, "the caret is past the excerpt");
    assert.ok(!/[\r\n]/.test(p.excerpt.text), "an excerpt spans lines");
  }
  assert.equal(typeof e.format(), "string");
}

/** For a template that compiles, text and blocks tile it and every text part is its own slice. */
export function checkTiling(source: string): void {
  let parts: ReturnType<typeof compile>["ast"]["parts"];
  try {
    parts = compile(source).ast.parts;
  } catch (e) {
    if (e instanceof HashHelperError) return;
    throw e;
  }
  let at = 0;
  for (const p of parts) {
    assert.equal(p.span.offset, at, "the template's parts leave a gap or overlap");
    if (p.type === "Text") assert.equal(p.value, source.slice(at, at + p.span.length));
    at += p.span.length;
  }
  assert.equal(at, source.length);
}

/** expand gives a string or throws HashHelperError, and compile(t).expand(o) agrees with it. */
export function expandsOrFails(source: string, opts: ExpandOptions): void {
  const direct = outcome(() => expand(source, opts));
  const compiled = outcome(() => compile(source).expand(opts));
  assert.deepEqual(compiled, direct, "compile(t).expand(o) and expand(t, o) disagree");
  checkTiling(source);
}

const millisOf = (n: Date | number) => (n instanceof Date ? n.getTime() : n);

export const environment = (n: Date | number): Environment => ({ nowMs: millisOf(n), secret: secretOf });

/**
 * A valid template expands to what the model predicts (text, or the error it predicts), the same
 * each time for a fixed now, and compile(t).expand() the same as expand(t).
 */
export function expandsAsModelled(t: GenTemplate, n: Date | number): void {
  const opts = { now: n, secrets: secretOf };
  assertPredicted(
    predictTemplate(t, environment(n)),
    attempt(() => expand(t.source, opts)),
  );
  const direct = outcome(() => expand(t.source, opts));
  assert.deepEqual(
    outcome(() => expand(t.source, opts)),
    direct,
    "expand is not deterministic for a fixed now",
  );
  const compiled = outcome(() => {
    const c = compile(t.source);
    const first = c.expand(opts);
    assert.equal(c.expand(opts), first, "a compiled template expands differently the second time");
    return first;
  });
  assert.deepEqual(compiled, direct, "compile(t).expand(o) and expand(t, o) disagree");
}

/** An expression alone gives what the model predicts: text, or RESULT_KIND when it gives bytes. */
export function evaluatesAsModelled(e: GenExpression, n: Date | number): void {
  assertPredicted(
    predictExpression(e, environment(n)),
    attempt(() => evaluate(e.source, { now: n, secrets: secretOf })),
  );
}

/** A generated request signs as the model predicts, every part on one clock. */
export function signsAsModelled(r: GenRequest, n: Date | number): void {
  const got = attempt(() => signRequest(requestOf(r), { now: n, secrets: secretOf }));
  assertPredicted(predictRequest(r, millisOf(n)), got as { ok: SignedRequest } | { error: HashHelperError });
}

/** Text without a block opener comes back as it is. */
export function plainTextSurvives(text: string, n: Date | number): void {
  assert.ok(!hasOpener(text), "the generator let an opener through");
  assert.equal(expand(text, { now: n }), text);
}

/** Text around a valid block survives: the output starts with the text before and ends with the text after. */
export function textSurvives(before: string, block: GenBlock, after: string, n: Date | number): void {
  const t = templateOf([before, block, after]);
  const got = attempt(() => expand(t.source, { now: n, secrets: secretOf }));
  assertPredicted(predictTemplate(t, environment(n)), got);
  if ("ok" in got) {
    assert.ok(got.ok.startsWith(before), "the text before the block changed");
    assert.ok(got.ok.endsWith(after), "the text after the block changed");
  }
}

/** The methods a generated template calls, nested calls included. */
export function methodsOf(t: GenTemplate): Set<string> {
  const found = new Set<string>();
  const walk = (calls: readonly PlacedCall[]) => {
    for (const call of calls) {
      found.add(call.method);
      for (const a of call.args) if (a.type === "Chain") walk(a.calls);
    }
  };
  for (const block of placedBlocks(t)) walk(block.calls);
  return found;
}

// Keys: a distinctive alphabet, so a key cannot occur by chance in the rest of a template,
// a message or a hint.
export const secretKey = fc.string({ unit: fc.constantFrom(..."QZXJKVWqzxjkvw"), minLength: 12, maxLength: 24 });

const secretMethods = table.filter((m) => m.params.some((p) => p.secret));

export interface KeyedTemplate {
  source: string;
  secret: string;
}

/** Mutations that keep every quote and block delimiter: lose a `;` or a parenthesis, misspell a method. */
const tameMutations = fc.array(
  mutation.map((m) => ({ ...m, op: [4, 5, 7, 10][m.op % 4] as number })),
  { maxLength: 3 },
);

/**
 * A block that passes a key to a method with a secret parameter, as a string literal or in a
 * nested `hash.append("…")`, with text, blocks and token soups before and after it, and random
 * mutations everywhere but in the keyed call itself and its block's `{hash.` (without which
 * there is no block, and the key is text that expand() returns as it is).
 *
 * `sameLine: false` keeps the parts around the keyed block on lines of their own, and the
 * mutations before the keyed call keep every quote and delimiter. With `sameLine: true` anything
 * goes: a missing quote or a stray closer before the key on its line turns the key into plain
 * text or the middle of a string for the lexer, which is why src/secrets/masks.ts also masks key
 * arguments found in text outside blocks. The test suite runs the `sameLine: true` variant.
 */
export function keyedTemplate({ sameLine }: { sameLine: boolean }): fc.Arbitrary<KeyedTemplate> {
  return fc
    .record({
      secret: secretKey,
      before: fc.array(part, { maxLength: 3 }),
      after: fc.array(part, { maxLength: 3 }),
      delimiter: delimiters,
      head: fc.array(fc.nat(), { maxLength: 3 }),
      die: fc.nat(),
      method: fc.constantFrom(...secretMethods),
      quote: fc.constantFrom('"', "'"),
      nested: fc.boolean(),
      beforeMutations: mutations,
      afterMutations: mutations,
      headMutations: sameLine ? mutations : tameMutations,
      tailMutations: mutations,
    })
    .map((r) => {
      const [open, close] = [r.delimiter[0], r.delimiter[1]];
      const head = planChain(r.head, "text", r.die)
        .map((m) => `${m.name}(${m.params.map((p) => (p.accepts.includes("text") ? '"x"' : "60")).join(", ")}).`)
        .join("");
      const literal = `${r.quote}${r.secret}${r.quote}`;
      const key = r.nested ? `hash.append(${literal})` : literal;
      const args = r.method.params.map((p) => (p.secret ? key : '"x"')).join(", ");
      const block =
        `${open}hash.${applyAll(head, r.headMutations)}` +
        `${r.method.name}(${args})` +
        applyAll(`.toHex().printDigest();${close}`, r.tailMutations);
      const line = sameLine ? "" : "\n";
      const before = applyAll(r.before.join(""), r.beforeMutations);
      const after = applyAll(r.after.join(""), r.afterMutations);
      return { secret: r.secret, source: before + line + block + line + after };
    });
}

/** No error, however it is shown or logged, and no redacted template holds the key. */
export function keyNeverShown({ source, secret }: KeyedTemplate): void {
  // The key must occur exactly once, in its call; a mutation elsewhere cannot add it.
  assert.equal(source.split(secret).length, 2);
  assert.ok(!redact(source).includes(secret), "redact() shows the key");
  try {
    expand(source, { now: 0 });
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    const shown = [
      e.message,
      String(e.stack),
      e.format(),
      e.format({ color: true }),
      JSON.stringify(e),
      inspect(e, { depth: Number.POSITIVE_INFINITY }),
      String(e),
    ];
    for (const s of shown) assert.ok(!s.includes(secret), `an error shows the key:\n${s}`);
  }
}

/** Limits tighter than the defaults, each of them at times, maxExpansionSize too. */
export const tightLimits: fc.Arbitrary<Partial<Limits>> = fc.record(
  {
    maxTemplateLength: fc.nat({ max: 400 }),
    maxBlocks: fc.nat({ max: 4 }),
    maxCallsPerChain: fc.nat({ max: 6 }),
    maxNestingDepth: fc.nat({ max: 2 }),
    maxValueSize: fc.nat({ max: 200 }),
    maxExpansionSize: fc.nat({ max: 2000 }),
    maxExpirySeconds: fc.nat({ max: 1000 }),
  },
  { requiredKeys: [] },
);

/**
 * Tighter limits only ever add LIMIT_EXCEEDED: a valid template gives what the model predicts,
 * or an error whose other problems are ones the model predicts.
 */
export function limitsOnlyLimit(t: GenTemplate, limits: Partial<Limits>, n: Date | number): void {
  const prediction = predictTemplate(t, environment(n));
  const got = attempt(() => expand(t.source, { now: n, secrets: secretOf, limits }));
  if ("error" in got && got.error.problems.some((p) => p.code === "LIMIT_EXCEEDED")) {
    checkError(got.error, t.source);
    const predicted = new Set<string>(
      "problems" in prediction
        ? prediction.problems.map((p) => p.code)
        : "failures" in prediction
          ? prediction.failures.map((f) => f.code)
          : [],
    );
    for (const p of got.error.problems) {
      assert.ok(p.code === "LIMIT_EXCEEDED" || predicted.has(p.code), `${p.code}: ${p.message}`);
    }
    return;
  }
  assertPredicted(prediction, got);
}

/** A chain nested `depth` deep fails with LIMIT_EXCEEDED past maxNestingDepth, never a RangeError. */
export function nestingIsBounded(depth: number, maxNestingDepth: number | undefined): void {
  const source = `{hash.${"append(hash.".repeat(depth)}append("x")${")".repeat(depth)}.printDigest();}`;
  const limit = maxNestingDepth ?? defaultLimits.maxNestingDepth;
  const limits = maxNestingDepth === undefined ? {} : { maxNestingDepth };
  if (depth <= limit) {
    assert.equal(expand(source, { limits }), "x");
    return;
  }
  assert.throws(
    () => expand(source, { limits }),
    (e) => e instanceof HashHelperError && e.code === "LIMIT_EXCEEDED",
  );
}
