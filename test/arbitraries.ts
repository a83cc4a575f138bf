// The fast-check generators of templates, and the properties they feed, shared by
// test/property.test.ts (a fixed number of runs in every `npm test`) and scripts/fuzz.ts
// (as many runs as asked). Properties assert with node:assert so they run outside vitest too.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { exampleRandom } from "../scripts/examples.ts";
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
  type ArgKind,
  bytes,
  type Environment,
  type ExampleContext,
  type ModelMethod,
  type ModelRequest,
  type ModelUrl,
  percentEncoded,
  Refusal,
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

const millis = (env: Environment, seconds: Value | number | undefined) =>
  Math.floor(env.nowMs) + ((seconds as number | undefined) ?? 0) * 1000;

/** The request being signed, or REQUEST_UNAVAILABLE where there is none (expand, evaluate). */
function theRequest(env: Environment): ModelRequest {
  if (!env.request) throw new Refusal("REQUEST_UNAVAILABLE");
  return env.request;
}

/**
 * A URL's components (RFC 3986 §3): a scheme (§3.1: a letter, then letters, digits, '+', '-', '.'),
 * then '//' and the authority up to '/' or '?', the path up to '?', the query up to '#'.
 */
export function urlParts(url: string): ModelUrl {
  const fragment = url.indexOf("#");
  const href = fragment < 0 ? url : url.slice(0, fragment);
  let rest = href;
  let scheme = "";
  const s = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (s) {
    scheme = (s[1] as string).toLowerCase();
    rest = rest.slice(s[0].length);
  }
  let host = "";
  // Without a scheme a request's URL is a path (as urlLayout reads it), '//' or not.
  if (scheme && rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?]/);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    host = authority.slice(authority.lastIndexOf("@") + 1);
    rest = rest.slice(2 + authority.length);
  }
  const q = rest.indexOf("?");
  return { href, scheme, host, path: (q < 0 ? rest : rest.slice(0, q)) || "/", query: q < 0 ? "" : rest.slice(q + 1) };
}

/** A header value as canonical headers sign it: spaces and tabs trimmed at both ends, each run of them one space. */
const canonicalValue = (v: string) => v.replace(/^[ \t]+|[ \t]+$/g, "").replace(/[ \t]+/g, " ");

/** The sorted, lowercase names and canonical values a list of headers (or every header) reads. */
function canonicalHeaders(env: Environment, list: Value | number | undefined): [string, string][] {
  const request = theRequest(env);
  let found: [string, string[]][];
  if (list === undefined) found = request.everyHeader();
  else {
    const names = [...new Set((list as string).split(";").map((n) => n.toLowerCase()))];
    found = names.map((name) => {
      const values = request.header(name);
      if (values === undefined) throw new Refusal("MISSING_HEADER");
      return [name, values];
    });
  }
  const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return found
    .map(([name, values]): [string, string] => [name, values.map(canonicalValue).join(",")])
    .sort(([a], [b]) => byteOrder(a, b));
}

const request = (read: (r: ModelRequest) => Value): ModelMethod => ({
  gives: "text",
  start: true,
  readsRequest: true,
  run: (_input, _args, env) => read(theRequest(env)),
});

/** RFC 9562 §5.4: version 4 in the high nibble of byte 6, the variant 10 in the top bits of byte 8. */
function uuidOf(random: Uint8Array): string {
  const b = Buffer.from(random);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
}

const namesOf = (env: Environment) => {
  assert.ok(env.names, "the model of let and get needs the expansion's named values");
  return env.names;
};
const drawOf = (env: Environment) => {
  assert.ok(env.draw, "the model of getNonce and getUuid needs the expansion's random draws");
  return env.draw;
};

/** A whole number as append and let take it: its decimal text. */
const asValue = (v: Value | number): Value => (typeof v === "number" ? String(v) : v);

/** Every method of the table, by name. A test checks that its names are the table's. */
export const model: Readonly<Record<string, ModelMethod>> = {
  ...stringModels,
  ...signatureModels,
  append: {
    gives: "text",
    // text + text (or a number, as decimal text) is text; bytes on either side, bytes.
    kindOf: (input, [v]) =>
      input === "bytes" || v === "bytes" ? "bytes" : input === undefined || v === undefined ? undefined : "text",
    run: (input, [v]) => {
      const value = asValue(v as Value | number);
      return typeof input === "string" && typeof value === "string"
        ? `${input}${value}`
        : Buffer.concat([bytes(input), bytes(value)]);
    },
  },
  appendNewLine: {
    gives: "text",
    // A line feed: to bytes, the byte 0x0a.
    kindOf: (input) => input,
    run: (input) => (typeof input === "string" ? `${input}\n` : Buffer.concat([bytes(input), Buffer.from([0x0a])])),
  },
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
    run: (input) => percentEncoded(input),
  },
  toHex: { gives: "text", run: (input) => bytes(input).toString("hex") },
  printDigest: { gives: "text", run: (input) => input },
  fromHex: { gives: "bytes", start: true, run: (_input, [hex]) => Buffer.from(hex as string, "hex") },
  fromBase64: { gives: "bytes", start: true, run: (_input, [text]) => Buffer.from(text as string, "base64") },
  getExpiryTime: {
    gives: "text",
    start: true,
    run: (_input, [n], env) => String(Math.floor(env.nowMs / 1000) + (n as number)),
  },
  getEpochMillis: { gives: "text", start: true, run: (_input, [n], env) => String(millis(env, n)) },
  getDate: {
    gives: "text",
    start: true,
    names: [0],
    run: (_input, [p, n], env) => formatInstant(p as string, millis(env, n)),
  },
  getSecret: {
    gives: "text",
    start: true,
    names: [0],
    run: (_input, [name], env) => {
      const value = env.secret(name as string);
      if (value === undefined) throw new Refusal("MISSING_SECRET");
      return value;
    },
  },
  let: {
    gives: "text",
    start: true,
    names: [0],
    kindOf: (_input, [, v]) => (v === undefined ? undefined : v === "bytes" ? "bytes" : "text"),
    run: (_input, [name, v], env) => {
      const value = asValue(v as Value | number);
      namesOf(env).set(name as string, value);
      return value;
    },
  },
  // Its kind is the kind of the value named: see kindsOf.
  get: {
    gives: "text",
    start: true,
    names: [0],
    run: (_input, [name], env) => {
      const value = namesOf(env).get(name as string);
      // The checker finds a read of a name no block defines, and in a template one that comes before its definition.
      if (value === undefined) throw new Refusal("UNDEFINED_NAME");
      return value;
    },
  },
  getNonce: {
    gives: "text",
    start: true,
    run: (_input, [n], env) => {
      const length = (n as number | undefined) ?? 16;
      if (!Number.isInteger(length) || length < 1 || length > 1024) throw new Refusal("INVALID_ARGUMENT");
      return Buffer.from(drawOf(env)(`nonce:${length}`, length)).toString("hex");
    },
  },
  getUuid: { gives: "text", start: true, run: (_input, _args, env) => uuidOf(drawOf(env)("uuid", 16)) },
  getRequestMethod: request((r) => r.method),
  getRequestUrl: request((r) => r.url().href),
  getRequestScheme: request((r) => r.url().scheme),
  getRequestHost: request((r) => r.url().host),
  getRequestPath: request((r) => r.url().path),
  getRequestQuery: request((r) => r.url().query),
  getRequestBody: { ...request((r) => r.body()), gives: "bytes" },
  getRequestForm: request((r) => r.form()),
  getRequestHeader: {
    ...request(() => ""),
    names: [0],
    run: (_input, [name], env) => {
      const values = theRequest(env).header(name as string);
      if (values === undefined) throw new Refusal("MISSING_HEADER");
      return values.join(", ");
    },
  },
  getCanonicalHeaders: {
    ...request(() => ""),
    names: [0],
    run: (_input, [list], env) =>
      canonicalHeaders(env, list)
        .map(([name, value]) => `${name}:${value}\n`)
        .join(""),
  },
  getSignedHeaders: {
    ...request(() => ""),
    names: [0],
    run: (_input, [list], env) =>
      canonicalHeaders(env, list)
        .map(([name]) => name)
        .join(";"),
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
  const day = new Date(c.nowMs).toISOString().slice(0, 10).replaceAll("-", "");
  // The example's one draw: each example draws once, from the bytes the examples' random source gives.
  const draw = (n: number) => {
    const bytes = new Uint8Array(n);
    (c.random ?? exampleRandom)(bytes);
    return bytes;
  };
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
    let: `${day}/us-east-1/s3/aws4_request`,
    get: `${day}/${day}`,
    getNonce: Buffer.from(draw(16)).toString("hex"),
    getUuid: uuidOf(draw(16)),
    getRequestUrl: `GET ${c.request.url.replace(/#.*$/s, "")}`,
    getRequestScheme: `${url.protocol.slice(0, -1)}://${url.host}`,
    getRequestHost: `host:${url.host}`,
    // No Content-Type: the form is empty, and the canonical query of "page=2&size=10&" drops the empty pair.
    // The query's pairs (the example's body is no form), decoded, RFC 3986-encoded again, sorted.
    getRequestForm: [...url.searchParams]
      .map(([k, v]) => [percentEncoded(k), percentEncoded(v)])
      .sort(([a = "", x = ""], [b = "", y = ""]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&"),
    // Sorted names, trimmed values; Host is the URL's, since the example request has none.
    getCanonicalHeaders: hash("sha256", `date:${c.request.date}\nhost:${url.host}\n`),
    getSignedHeaders: "date;host",
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
export const HEADER_NAMES = ["Date", "X-Sig", "Content-Type", "X-Amz-Date", "Host"] as const;

/**
 * Headers generated requests write as text only, with values of their own: what getRequestForm()
 * and the Host of getRequestHeader() read, so a read of them never closes a cycle.
 */
const TEXT_ONLY_HEADERS: Readonly<Record<string, readonly string[]>> = {
  "content-type": [
    "application/x-www-form-urlencoded",
    "Application/X-WWW-Form-URLEncoded; charset=utf-8",
    " \tapplication/x-www-form-urlencoded ;q=1",
    "application/json",
    "text/plain; a=application/x-www-form-urlencoded",
    "",
  ],
  host: ["api.example.test", "Example.Test:8443", " h \t x ", ""],
};

const caseOf = (name: string, die: number) => [name, name.toLowerCase(), name.toUpperCase()][die % 3] as string;

/** A header name as a request or a template may spell it: the case of names does not matter. */
export const headerName = fc
  .tuple(fc.constantFrom(...HEADER_NAMES), fc.nat({ max: 2 }))
  .map(([name, die]) => caseOf(name, die));

/** A literal of a value drawn from `value`, quoted and escaped at random. */
const literalOf = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.constantFrom('"', "'"), fc.nat()).map(([v, q, d]): GenArg => quoted(v, q, d));

/** A header that no generated request has. */
const MISSING_HEADER_NAME = "X-Missing";

/** What a chain may be made of where it stands in a template or in a part of a signed request. */
export interface ChainContext {
  palette: readonly Method[];
  /** The headers getRequestHeader() and the canonical-headers lists name (Host aside, always readable). */
  headers: readonly string[];
  /** Whether getCanonicalHeaders() and getSignedHeaders() may leave their list out: a read of every header. */
  every: boolean;
}

const templateContext = (palette: readonly Method[]): ChainContext => ({ palette, headers: HEADER_NAMES, every: true });

const knownHeader = (ctx: ChainContext) =>
  fc.tuple(fc.constantFrom(...ctx.headers, "Host"), fc.nat()).map(([n, d]) => caseOf(n, d));

/** What getRequestHeader() is given: mostly a name the part may read, now and then one the request lacks. */
function headerNameLiteral(ctx: ChainContext): fc.Arbitrary<GenArg> {
  return fc.oneof(
    { weight: 12, arbitrary: literalOf(knownHeader(ctx)) },
    { weight: 1, arbitrary: literalOf(fc.constant(MISSING_HEADER_NAME)) },
    { weight: 1, arbitrary: stringLiteral },
  );
}

/** A `;`-separated list of header names, as the canonical-headers functions take it. */
function headerListLiteral(ctx: ChainContext): fc.Arbitrary<GenArg> {
  const name = fc.oneof(
    { weight: 16, arbitrary: knownHeader(ctx) },
    { weight: 1, arbitrary: fc.constant(MISSING_HEADER_NAME) },
  );
  return literalOf(fc.array(name, { minLength: 1, maxLength: 3 }).map((names) => names.join(";")));
}

/**
 * Named values: a few names of text and a few of bytes, so that the blocks of a template share
 * them and the kind of every read of a name is the kind of its definition; now and then a text
 * that is no name (INVALID_ARGUMENT).
 */
const NAMES: Readonly<Record<Kind, readonly string[]>> = {
  text: ["t", "t.1", "_T-2", `n${"0".repeat(63)}`],
  bytes: ["b", "B_2.x"],
};
const NOT_NAMES = ["", "1x", "a b", `x${"y".repeat(64)}`, "é", "a/b", "-a"];

const kindOfName = (name: string): Kind | undefined =>
  NAMES.text.includes(name) ? "text" : NAMES.bytes.includes(name) ? "bytes" : undefined;

const nameLiteral = (kind: Kind) =>
  literalOf(
    fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...NAMES[kind]) },
      { weight: 1, arbitrary: fc.constantFrom(...NOT_NAMES) },
    ),
  );

/** What getNonce() is given: mostly a length it draws, now and then one it refuses. */
const nonceLength: fc.Arbitrary<GenArg> = fc
  .oneof(
    { weight: 6, arbitrary: fc.constantFrom(1, 4, 8, 16, 32) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1024, 1025, 100_000) },
  )
  .map((n): GenArg => ({ type: "Integer", source: String(n), value: n }));

/** How deep valid generated expressions nest: small, so values stay far below maxValueSize. */
const MAX_DEPTH = 2;

/** The methods whose argument may be bytes that only a nested chain can give. */
const NESTS_BYTES = new Set(["append", "let"]);

function argument(param: Param, index: number, depth: number, step: Step, ctx: ChainContext): fc.Arbitrary<GenArg> {
  const name = step.method.name;
  if ((name === "let" || name === "get") && index === 0) return nameLiteral(step.named ?? "text");
  if (name === "getNonce") return nonceLength;
  if (name === "getRequestHeader") return headerNameLiteral(ctx);
  if (name === "getCanonicalHeaders" || name === "getSignedHeaders") return headerListLiteral(ctx);
  if (param.validate) return validatedLiteral(param, step.method);
  if (param.literal) return stringLiteral;
  const options: fc.Arbitrary<GenArg>[] = [];
  for (const kind of step.args?.[index] ?? param.accepts) {
    if (kind === "integer") {
      options.push(integerLiteral(param.bound ? defaultLimits[param.bound] : Number.MAX_SAFE_INTEGER));
    } else {
      if (kind === "text") options.push(stringLiteral);
      if (depth < MAX_DEPTH || options.length === 0) {
        // Past MAX_DEPTH a value of bytes is made of calls that nest no bytes in turn.
        const inner =
          depth < MAX_DEPTH ? ctx : { ...ctx, palette: ctx.palette.filter((m) => !NESTS_BYTES.has(m.name)) };
        options.push(chain(kind, depth + 1, inner).map((c): GenArg => ({ type: "Chain", chain: c })));
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

const tableMethod = (name: string): Method => {
  const m = methods.get(name);
  assert.ok(m, `the table has no ${name}()`);
  return m;
};

const inputs = (m: Method, kind: Kind, first: boolean) =>
  m.input === "start" ? first : m.input.includes(kind) && !m.final;

/** A digest, MAC or signature: always bytes, and not a start method. `append` right after one is misplaced. */
const digestLike = (m: Method) => m.input !== "start" && m.output === "bytes";

/**
 * Public-key signatures, whose keys generated chains never hold (INVALID_KEY): one time in ten
 * they stay among the options, so that most generated templates still expand.
 */
const SIGNATURES = new Set(Object.keys(signatureModels));
function rarely(options: readonly Method[], n: number): readonly Method[] {
  const others = options.filter((x) => !SIGNATURES.has(x.name));
  return Math.floor(n / 65536) % 10 === 0 || others.length === 0 ? options : others;
}

/**
 * A call the planner chose, with the kind it gives there, the kinds its arguments are drawn from
 * where that decides the kind (append, let), and the kind of the name it defines or reads.
 */
export interface Step {
  method: Method;
  gives: Kind;
  args?: (readonly ArgKind[] | undefined)[];
  named?: Kind;
}

/**
 * The methods of a chain that fits where it stands: picks choose among the palette's methods
 * whose input suits the value so far, then conversions bring the value to the kind wanted, then
 * a block ends with a final method (printDigest), unless it is a single value call. `lead`, when
 * given, is the first call.
 */
export function planChain(
  picks: readonly number[],
  role: "block" | Kind,
  die: number,
  palette: readonly Method[] = requestFree,
  lead?: Method,
): Step[] {
  const seq: Step[] = [];
  let kind: Kind = "text";
  const pick = <T>(options: readonly T[], n: number): T => {
    assert.ok(options.length > 0, "the method table has no method for this step");
    return options[n % options.length] as T;
  };
  // What `m` gives on the value so far, and which kinds its arguments take for that; `to`, where
  // given, is the kind it must give.
  const stepOf = (m: Method, n: number, to?: Kind): Step => {
    const v = Math.floor(n / 64);
    if (m.name === "append") {
      const bytesArg = to === undefined ? v % 4 === 0 : to === "bytes" && kind === "text";
      const arg: ArgKind[] = bytesArg ? ["bytes"] : v % 3 === 1 ? ["integer"] : ["text"];
      return { method: m, gives: kind === "bytes" || bytesArg ? "bytes" : "text", args: [arg] };
    }
    if (m.name === "let" || m.name === "get") {
      const named: Kind = to ?? (v % 3 === 0 ? "bytes" : "text");
      const arg: ArgKind[] = named === "bytes" ? ["bytes"] : v % 2 === 0 ? ["integer", "text"] : ["text"];
      return { method: m, gives: named, named, ...(m.name === "let" ? { args: [undefined, arg] } : {}) };
    }
    return { method: m, gives: givesOn(m) };
  };
  // appendNewLine gives the kind it is given.
  const givesOn = (m: Method) =>
    m.kindOf?.(
      kind,
      m.params.map((p) => p.accepts[0]),
    ) ?? m.output;
  const canGive = (m: Method, to: Kind) =>
    m.name === "append" ? to === "bytes" || kind === "text" : m.name === "let" || m.name === "get" || givesOn(m) === to;
  const push = (s: Step) => {
    seq.push(s);
    kind = s.gives;
  };
  const convert = (to: Kind, n: number) => {
    if (kind === to) return;
    const m = pick(
      rarely(
        palette.filter((x) => x.input !== "start" && !x.final && x.input.includes(kind) && canGive(x, to)),
        n,
      ),
      n,
    );
    push(stepOf(m, n, to));
  };
  for (const [i, n] of (lead && picks.length === 0 ? [0] : picks).entries()) {
    const prev = seq[seq.length - 1]?.method;
    let options = palette.filter((x) => inputs(x, kind, i === 0));
    // append right after a digest is MISPLACED_METHOD: generated now and then, not one time in ten.
    if (prev && digestLike(prev) && Math.floor(n / 4096) % 4 !== 0)
      options = options.filter((x) => x.name !== "append" && x.name !== "appendNewLine");
    push(stepOf(i === 0 && lead ? lead : pick(rarely(options, n), n), n));
  }
  const finals = palette.filter((x) => x.final);
  if (role === "block") {
    const first = seq[0];
    if (seq.length === 1 && first?.method.input === "start" && die % 2 === 0) return seq;
    const final = pick(finals, die);
    convert(pick(final.input as readonly Kind[], die), die);
    push({ method: final, gives: final.output });
    return seq;
  }
  convert(role, die);
  if (seq.length === 0) {
    push(
      stepOf(
        pick(
          palette.filter((x) => inputs(x, kind, false) && canGive(x, role)),
          die,
        ),
        die,
        role,
      ),
    );
  }
  const final = finals[die % (finals.length * 3)];
  if (final && final.output === role && final.input !== "start" && final.input.includes(kind))
    push({ method: final, gives: final.output });
  return seq;
}

/** The methods of the list functions whose list may be left out only where a read of every header may stand. */
const LIST_READERS = new Set(["getCanonicalHeaders", "getSignedHeaders"]);

/**
 * A chain for where it stands: a block, a nested value of a kind, or a block of a URL, whose text
 * is then URL-encoded so that it never adds a component ('/', '?', '&', '#') to the URL.
 */
function chain(role: "block" | "url" | Kind, depth: number, ctx: ChainContext, lead?: Method): fc.Arbitrary<GenChain> {
  return fc
    .tuple(fc.array(fc.nat(), { maxLength: role === "block" || role === "url" ? 6 : 3 }), fc.nat(), whitespace)
    .chain(([picks, die, ws]) => {
      let seq = planChain(picks, role === "url" ? "text" : role, die, ctx.palette, lead);
      if (role === "url") {
        const [encode, print] = [tableMethod("encodeURL"), tableMethod("printDigest")];
        seq = [
          ...seq.filter((x) => !x.method.final),
          { method: encode, gives: "text" },
          { method: print, gives: "text" },
        ];
      }
      return fc
        .tuple(
          ...seq.map((s) =>
            fc.tuple(fc.tuple(...s.method.params.map((p, i) => argument(p, i, depth, s, ctx))), fc.nat(), spaces(8)),
          ),
        )
        .map((calls) => ({
          ws,
          calls: calls.map(([args, omit, callWs], i) => {
            const method = (seq[i] as Step).method;
            // Trailing optional parameters may be left out.
            let n = method.params.length;
            const keep = !ctx.every && LIST_READERS.has(method.name);
            for (let k = omit % (n + 1); k > 0 && method.params[n - 1]?.optional && !keep; k--) n--;
            return { method, args: args.slice(0, n), ws: callWs };
          }),
        }));
    });
}

/** A call as written: where its name starts and where it ends, and its arguments, nested chains placed too. */
interface PlacedCall {
  method: string;
  at: number;
  /** Just after its ')'. */
  end: number;
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
    out += `${w(5)})`;
    const end = base + out.length;
    out += w(6);
    calls.push({ method: call.method.name, at, end, args });
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

/** A block of a chain: `{hash.<chain>;}` or `<hash.<chain>;>`, with whitespace around. */
function blockFrom(c: GenChain, [open, close]: readonly [string, string], [a, b, d]: readonly string[]): GenBlock {
  const source = `${open}${a}${renderChain(c)}${b};${d}${close}`;
  // Counterexamples show the source, not the method objects the chain holds.
  return {
    chain: c,
    source,
    chainAt: open.length + (a as string).length,
    [fc.toStringMethod]: () => `validBlock(${fc.stringify(source)})`,
  } as GenBlock;
}

/** A block that parses: `{hash.<chain>;}` or `<hash.<chain>;>`, random whitespace. */
function blockOf(ctx: ChainContext, role: "block" | "url" = "block", lead?: fc.Arbitrary<Method | undefined>) {
  return fc
    .tuple(delimiters, lead ?? fc.constant(undefined), spaces(3))
    .chain(([delims, first, ws]) => chain(role, 0, ctx, first).map((c) => blockFrom(c, delims, ws)));
}

/** A block that parses: mostly of the methods that read no request, now and then of any method. */
export const validBlock: fc.Arbitrary<GenBlock> = fc.oneof(
  { weight: 3, arbitrary: blockOf(templateContext(requestFree)) },
  { weight: 1, arbitrary: blockOf(templateContext(everyMethod)) },
);

/** A template of texts and blocks, each block with its offset. */
export interface GenTemplate {
  source: string;
  parts: ({ type: "Text"; text: string; at: number } | { type: "Block"; block: GenBlock; at: number })[];
}

/** The template the texts and blocks make side by side (texts side by side are one text). */
export function templateOf(pieces: readonly (string | GenBlock)[]): GenTemplate {
  let source = "";
  const parts: GenTemplate["parts"] = [];
  for (const piece of pieces) {
    const last = parts[parts.length - 1];
    if (typeof piece === "string" && last?.type === "Text") last.text += piece;
    else if (typeof piece === "string") parts.push({ type: "Text", text: piece, at: source.length });
    else parts.push({ type: "Block", block: piece, at: source.length });
    source += typeof piece === "string" ? piece : piece.source;
  }
  return { source, parts, [fc.toStringMethod]: () => `template(${fc.stringify(source)})` } as GenTemplate;
}

const piecesOf = (t: GenTemplate): (string | GenBlock)[] => t.parts.map((p) => (p.type === "Text" ? p.text : p.block));

/** Texts and blocks, alternating, so that no two texts meet to form an opener. */
function alternating(text: fc.Arbitrary<string>, block: fc.Arbitrary<GenBlock>, maxBlocks: number) {
  return fc
    .tuple(text, fc.array(fc.tuple(block, text), { maxLength: maxBlocks }))
    .map(([first, rest]) => templateOf([first, ...rest.flat()]));
}

/** The names the blocks read (hash.get) of those generated reads draw from, that none of them defines. */
function undefinedNames(blocks: readonly (readonly PlacedCall[])[]): string[] {
  const read = new Set<string>();
  const defined = new Set<string>();
  const walk = (calls: readonly PlacedCall[]) => {
    for (const call of calls) {
      const [first] = call.args;
      if (first?.type === "String" && call.method === "get") read.add(first.value);
      if (first?.type === "String" && call.method === "let") defined.add(first.value);
      for (const a of call.args) if (a.type === "Chain") walk(a.calls);
    }
  };
  for (const calls of blocks) walk(calls);
  return [...read].filter((n) => !defined.has(n) && kindOfName(n) !== undefined).sort();
}

/** The methods a definition's value is made of: none that reads a name or the request, so it reads nothing. */
const readsNothing = requestFree.filter((m) => m.name !== "let" && m.name !== "get");

/**
 * A block that defines `name` from a value of the name's kind that reads nothing; its output
 * is text (bytes as hex), and URL-encoded where it stands in a URL.
 */
function definerBlock(name: string, url: boolean, value?: GenChain): fc.Arbitrary<GenBlock> {
  const kind = kindOfName(name) as Kind;
  return fc
    .tuple(
      value ? fc.constant(value) : chain(kind, 1, templateContext(readsNothing)),
      literalOf(fc.constant(name)),
      fc.nat(),
      delimiters,
      spaces(3),
    )
    .map(([v, nameArg, die, delims, ws]) => {
      const calls = [callOf(tableMethod("let"), [nameArg, { type: "Chain", chain: v }])];
      if (url) calls.push(callOf(tableMethod("encodeURL")));
      else if (kind === "bytes") calls.push(callOf(tableMethod("toHex")));
      if (calls.length > 1 || die % 2 === 1) calls.push(callOf(tableMethod("printDigest")));
      return blockFrom({ ws: "", calls }, delims, ws);
    });
}

const callOf = (method: Method, args: GenArg[] = []): GenCall => ({ method, args, ws: [] });

/** `hash.get("name")`. */
const getOf = (name: string): GenChain => ({ ws: "", calls: [callOf(tableMethod("get"), [quoted(name, '"', 0)])] });

/** Each definition inserted or not (one time in eight not), and where; one time in eight, twice (DUPLICATE_NAME). */
const insertion = fc.tuple(fc.nat({ max: 7 }), fc.nat(), fc.nat());

/**
 * The template with a block that defines each name it reads and does not define, mostly,
 * anywhere among its parts; now and then two blocks that define names from each other
 * (READ_CYCLE), or one whose name is read in its own value (UNDEFINED_NAME).
 */
function withDefinitions(t: GenTemplate): fc.Arbitrary<GenTemplate> {
  const missing = undefinedNames(placedBlocks(t).map((b) => b.calls));
  const [a, b] = [NAMES.text[1] as string, NAMES.text[2] as string];
  return fc
    .tuple(
      fc.tuple(...missing.map((name) => fc.tuple(insertion, definerBlock(name, false)))),
      fc.nat({ max: 39 }),
      definerBlock(a, false, getOf(b)),
      definerBlock(b, false, getOf(a)),
      definerBlock(a, false, getOf(a)),
      fc.nat(),
      fc.nat(),
    )
    .map(([defs, special, ab, ba, aa, at1, at2]) => {
      const pieces = piecesOf(t);
      const insert = (block: GenBlock, at: number) => pieces.splice(at % (pieces.length + 1), 0, block);
      for (const [[skip, at, again], block] of defs) {
        if (skip !== 0) insert(block, at);
        if (skip === 7) insert(block, again);
      }
      if (special === 0) {
        insert(ab, at1);
        insert(ba, at2);
      }
      if (special === 1) insert(aa, at1);
      return templateOf(pieces);
    });
}

/**
 * Opener-free text and valid blocks: templates that parse, whose expansion the model predicts;
 * most names they read are defined by a block of theirs.
 */
export const validTemplate: fc.Arbitrary<GenTemplate> = alternating(openerFreeText, validBlock, 4).chain(
  withDefinitions,
);

/** An expression alone, as evaluate() takes it: its value is text or bytes, printDigest() optional. */
export interface GenExpression {
  source: string;
  chain: GenChain;
}

export const validExpression: fc.Arbitrary<GenExpression> = fc
  .tuple(fc.constantFrom<Kind>("text", "text", "bytes"), fc.constantFrom(requestFree, requestFree, everyMethod))
  .chain(([kind, palette]) => chain(kind, 0, templateContext(palette)))
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

const URL_READS = new Set(["getRequestUrl", "getRequestScheme", "getRequestHost", "getRequestPath", "getRequestQuery"]);
const BODY_READS = new Set(["getRequestBody", "getRequestForm"]);

const joined = (pieces: fc.Arbitrary<string>, maxLength: number) =>
  fc.array(pieces, { maxLength }).map((p) => p.join(""));
const pathText = joined(fc.constantFrom("/", "v1", "items", "a", "%20", "é", " ", "/..", "/./", "//", "~x", "+"), 4);
const paramText = joined(fc.constantFrom("1", "x", "%2F", "+", "=", "é", " "), 3);
const headerText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.string({ unit: fc.constantFrom(..."abc XYZ019-_=:;,/+é\t"), maxLength: 12 }),
  },
  { weight: 1, arbitrary: openerFreeText },
);
const bodyText = fc.oneof(openerFreeText, joined(fc.constantFrom("a=1", "&", "b=x+y", "+", "%2B", "c", "=", " "), 6));

/** Where a block of the URL stands: its path, the parameter that signs the URL (reads it), or another parameter. */
type UrlRole = "path" | "signer" | "param";

/**
 * The shape of a request before its blocks: its parts and the order their reads follow. Each
 * part may read the parts below it in `ranks`, so that no read closes a cycle; the text-only
 * headers, the URL's scheme and host (text) and a missing body read nothing, and may be read
 * anywhere. In the URL, a block of the path may read the query (without the parameters that
 * read it), the signer's may read all of the URL but its own parameter, another parameter's the
 * path. One part may read every header; now and then (`chaos`) every part may read anything,
 * and the model predicts the cycles that follow.
 */
const requestShape = fc.record({
  method: fc.option(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "get", "M-SEARCH"), { nil: undefined }),
  origin: fc.constantFrom(
    "https://api.example.test",
    "http://h:8080",
    "HTTPS://User:pw@Api.Example.Test:443",
    "http://[::1]:8080",
    "",
    "/",
  ),
  path: fc.array(
    fc.option(
      fc.oneof(
        { weight: 8, arbitrary: pathText },
        // Now and then any text ('?', '#', '&' and ':' too), without a brace that could open a block.
        { weight: 1, arbitrary: openerFreeText.map((t) => t.replace(/[{<]/g, "(")) },
      ),
      { nil: undefined, freq: 3 },
    ),
    { maxLength: 4 },
  ),
  query: fc.option(
    fc.array(
      fc.record({
        name: fc.constantFrom("a", "page", "X-Amz-Signature", "", "b%20c", "q"),
        eq: fc.boolean(),
        value: fc.array(fc.option(paramText, { nil: undefined, freq: 2 }), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    { nil: undefined },
  ),
  signer: fc.nat(),
  lead: fc.constantFrom("getRequestQuery", "getRequestUrl", "getRequestPath", undefined),
  fragment: fc.option(joined(fc.constantFrom("#", "?", "&", "x", "=", "/"), 4), { nil: undefined, freq: 4 }),
  body: fc.boolean(),
  headers: fc.array(headerName, { maxLength: 4 }),
  ranks: fc.array(fc.nat({ max: 5 }), { minLength: 6, maxLength: 6 }),
  every: fc.nat(),
  chaos: fc.nat({ max: 19 }).map((n) => n === 0),
  asObject: fc.boolean(),
});

type RequestShape = typeof requestShape extends fc.Arbitrary<infer T> ? T : never;

/** The request of a shape, its blocks drawn for where they stand. */
function requestFromShape(s: RequestShape): fc.Arbitrary<GenRequest> {
  const names = s.asObject ? s.headers.filter((n, i) => s.headers.indexOf(n) === i) : s.headers;
  // Parts: 0 the URL, 1 the body, 2 + i the headers.
  const rank = (p: number) => (s.ranks[p] ?? 0) * 8 + p;
  const below = (q: number, p: number) => rank(q) < rank(p);
  const textOnly = (name: string) => Object.hasOwn(TEXT_ONLY_HEADERS, name.toLowerCase());
  const everyAt = s.every % (names.length + 4);
  const context = (p: number, role?: UrlRole): ChainContext => {
    if (s.chaos) return { palette: everyMethod, headers: HEADER_NAMES, every: everyAt === p };
    const headers = names.filter(
      (name) =>
        textOnly(name) ||
        names.every((other, j) => other.toLowerCase() !== name.toLowerCase() || (!textOnly(other) && below(2 + j, p))),
    );
    const palette = everyMethod.filter((m) => {
      if (m.name === "getRequestScheme" || m.name === "getRequestHost") return true;
      if (URL_READS.has(m.name)) {
        if (p !== 0) return below(0, p);
        if (role === "signer") return true;
        return m.name === (role === "path" ? "getRequestQuery" : "getRequestPath");
      }
      if (BODY_READS.has(m.name)) return !s.body || (p !== 1 && below(1, p));
      return true;
    });
    return { palette, headers, every: everyAt === p };
  };
  const urlBlock = (role: UrlRole) =>
    blockOf(
      context(0, role),
      "url",
      role === "signer" ? fc.constant(s.lead ? tableMethod(s.lead) : undefined) : undefined,
    );
  const pieces: (string | fc.Arbitrary<GenBlock>)[] = [s.origin];
  for (const p of s.path) pieces.push(p ?? urlBlock("path"));
  const signer = s.query ? s.signer % (s.query.length + 1) : -1;
  s.query?.forEach((param, i) => {
    pieces.push(i === 0 ? "?" : "&", param.name, param.eq ? "=" : "");
    for (const v of param.value) pieces.push(v ?? urlBlock(i === signer ? "signer" : "param"));
    if (i === signer) pieces.push(urlBlock("signer"));
  });
  if (s.fragment !== undefined) pieces.push(`#${s.fragment}`);
  const url = fc
    .tuple(...pieces.map((p) => (typeof p === "string" ? fc.constant(p) : p)))
    .map((ps) => templateOf(ps.filter((p) => p !== "")));
  const body = s.body ? alternating(bodyText, blockOf(context(1)), 3) : fc.constant(undefined);
  const headers = fc.tuple(
    ...names.map((name, i) =>
      textOnly(name)
        ? fc.constantFrom(...(TEXT_ONLY_HEADERS[name.toLowerCase()] as string[])).map((v) => templateOf([v]))
        : alternating(headerText, blockOf(context(2 + i)), 2),
    ),
  );
  return fc.tuple(url, body, headers).map(([u, b, hs]) => ({
    method: s.method,
    url: u,
    body: b,
    headers: hs.map((value, i) => ({ name: names[i] as string, value })),
    asObject: s.asObject,
  }));
}

/**
 * The request with a block that defines each name its parts read and do not define, mostly: in
 * the body, in a header that has blocks, or at the end of the URL, from a value that reads nothing.
 */
function withRequestDefinitions(r: GenRequest): fc.Arbitrary<GenRequest> {
  const parts = [r.url, ...(r.body ? [r.body] : []), ...r.headers.map((h) => h.value)];
  const missing = undefinedNames(parts.flatMap((t) => placedBlocks(t).map((b) => b.calls)));
  if (missing.length === 0) return fc.constant(r);
  const open = r.headers.flatMap((h, i) => (h.value.parts.some((p) => p.type === "Block") ? [i] : []));
  return fc
    .tuple(...missing.map((name) => fc.tuple(insertion, fc.nat(), definerBlock(name, false), definerBlock(name, true))))
    .map((defs) => {
      let url = piecesOf(r.url);
      const body = r.body && piecesOf(r.body);
      const headers = r.headers.map((h) => piecesOf(h.value));
      for (const [[skip, at], where, block, urlSafe] of defs) {
        if (skip === 0) continue;
        const targets = [...(body ? ["body"] : []), ...open.map((i) => i), "url"];
        const target = targets[where % targets.length];
        if (target === "url") url = [...url, urlSafe];
        else {
          const list = (target === "body" ? body : headers[target as number]) as (string | GenBlock)[];
          list.splice(at % (list.length + 1), 0, block);
        }
      }
      return {
        ...r,
        url: templateOf(url),
        body: body && templateOf(body),
        headers: r.headers.map((h, i) => ({ name: h.name, value: templateOf(headers[i] as (string | GenBlock)[]) })),
      };
    });
}

export const validRequest: fc.Arbitrary<GenRequest> = requestShape
  .chain(requestFromShape)
  .chain(withRequestDefinitions)
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
  /** Another code that will do: a cycle of headers read by name may be either. */
  orCode?: ErrorCode;
  /** The part of a signed request it is in; undefined where any part will do. */
  where?: string | undefined;
  from: number;
  to: number;
  /** Places that will do instead of from…to: the second of two definitions is whichever is compiled second. */
  anyOf?: { where: string | undefined; offset: number }[];
  /** May be reported or not (the checker only looks for it in a text that compiles). */
  optional?: boolean;
  /** May be reported more than once (a cycle, once for each read that closes it). */
  repeats?: boolean;
}

/** A failure while expanding: the first, or where the order is the engine's to choose, any of those listed. */
interface ExpectedFailure {
  code: ErrorCode;
  where?: string | undefined;
  offset: number;
}

export type Prediction<T = string> = { ok: T } | { problems: ExpectedProblem[] } | { failures: ExpectedFailure[] };

const MASK_ONLY = /^\u2022+$/;

/** A name of hash.let and hash.get (docs/methods.md): a letter or '_', then up to 63 letters, digits, '_', '-' or '.'. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

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

/** A digest, MAC or signature: a method that always gives bytes and starts no chain. */
const digestLikeModel = (name: string) => {
  const m = modelOf(name);
  return m.gives === "bytes" && !m.start && !m.kindOf;
};

/** `append` or `appendNewLine` directly after a digest, MAC or signature in the same chain: MISPLACED_METHOD at its name. */
function misplaced(calls: readonly PlacedCall[], problems: ExpectedProblem[], where: string | undefined): void {
  calls.forEach((call, i) => {
    for (const a of call.args) if (a.type === "Chain") misplaced(a.calls, problems, where);
    const prev = calls[i - 1];
    if ((call.method === "append" || call.method === "appendNewLine") && prev && digestLikeModel(prev.method))
      problems.push({ code: "MISPLACED_METHOD", where, from: call.at, to: call.at });
  });
}

const literalArg = (call: PlacedCall, i = 0) => {
  const a = call.args[i];
  return a?.type === "String" ? a : undefined;
};

/** Every call of a chain, nested ones included, in the order their names stand in the source. */
function allCalls(calls: readonly PlacedCall[]): PlacedCall[] {
  const out: PlacedCall[] = [];
  const walk = (cs: readonly PlacedCall[]) => {
    for (const c of cs) {
      out.push(c);
      for (const a of c.args) if (a.type === "Chain") walk(a.calls);
    }
  };
  walk(calls);
  return out.sort((a, b) => a.at - b.at);
}

/** The kind of a chain's value (undefined: it reads a name whose kind is not known). */
function chainKind(calls: readonly PlacedCall[], kinds: ReadonlyMap<string, Kind | undefined>): Kind | undefined {
  let kind: Kind | undefined = "text";
  for (const call of calls) {
    if (call.method === "get") {
      const name = literalArg(call);
      kind = name ? kinds.get(name.value) : undefined;
      continue;
    }
    const m = modelOf(call.method);
    const args = call.args.map((a) =>
      a.type === "Chain" ? chainKind(a.calls, kinds) : a.type === "Integer" ? ("integer" as const) : ("text" as const),
    );
    kind = m.kindOf ? m.kindOf(kind, args) : m.gives;
  }
  return kind;
}

/** A block as the model sees it: its calls placed in the source, and where it stands. */
interface Unit {
  at: number;
  end: number;
  calls: PlacedCall[];
  /** Its index among the parts of its template. */
  slot: number;
  /** The part of a signed request it is in, as problems name it. */
  where: string | undefined;
  part: number;
}

interface PlacedBlock {
  at: number;
  end: number;
  calls: PlacedCall[];
  slot: number;
}

const placedBlocks = (t: GenTemplate): PlacedBlock[] =>
  t.parts.flatMap((p, slot) =>
    p.type === "Block"
      ? [
          {
            at: p.at,
            end: p.at + p.block.source.length,
            calls: place(p.block.chain, p.at + p.block.chainAt).calls,
            slot,
          },
        ]
      : [],
  );

/** The named values of a set of blocks: whom each reads, the kind of each name, and the blocks whose names have problems. */
interface NameScope {
  deps: number[][];
  kinds: Map<string, Kind | undefined>;
  unsure: Set<number>;
}

/**
 * The checker's problems with named values (docs/methods.md: let, get): a name that is no name,
 * a read of a name no block defines or of one its own block defines only after it, a name
 * defined twice; and for each block, the blocks whose definitions it reads.
 */
function nameScope(
  units: readonly Unit[],
  problems: ExpectedProblem[],
  early: "compile" | "run" = "compile",
): NameScope {
  const defs = new Map<string, { unit: number; call: PlacedCall; at: number }[]>();
  const reads: { unit: number; call: PlacedCall; name: string; at: number }[] = [];
  const unsure = new Set<number>();
  units.forEach((u, unit) => {
    for (const call of allCalls(u.calls)) {
      const name = literalArg(call);
      if (!name || (call.method !== "let" && call.method !== "get")) continue;
      if (!NAME.test(name.value)) {
        problems.push({ code: "INVALID_ARGUMENT", where: u.where, from: name.at, to: name.at });
        unsure.add(unit);
      }
      const use = { unit, call, name: name.value, at: name.at };
      if (call.method === "get") reads.push(use);
      else defs.set(name.value, [...(defs.get(name.value) ?? []), use]);
    }
  });
  const where = (unit: number) => units[unit]?.where;
  for (const [name, list] of defs) {
    if (list.length < 2) continue;
    // The second of two definitions in the order blocks are compiled, which follows their reads.
    const anyOf = list.map((d) => ({ where: where(d.unit), offset: d.at }));
    for (let k = 1; k < list.length; k++)
      problems.push({ code: "DUPLICATE_NAME", from: 0, to: 0, anyOf, optional: !NAME.test(name) });
    for (const d of list) unsure.add(d.unit);
    for (const r of reads) if (r.name === name) unsure.add(r.unit);
  }
  const deps = units.map((): number[] => []);
  for (const r of reads) {
    const list = defs.get(r.name);
    const valid = NAME.test(r.name);
    if (!list) {
      problems.push({ code: "UNDEFINED_NAME", where: where(r.unit), from: r.at, to: r.at, optional: !valid });
      unsure.add(r.unit);
      continue;
    }
    const first = list[0] as (typeof list)[number];
    if (list.some((d) => d.unit === r.unit)) {
      // Within a block, a read comes after the let call that defines the name has ended.
      if (list.some((d) => d.unit === r.unit && d.call.end <= r.call.at)) continue;
      // An expression alone is one chain: the read finds no value when it runs.
      if (early === "run" && list.length === 1 && valid) continue;
      problems.push({
        code: "UNDEFINED_NAME",
        where: where(r.unit),
        from: r.call.at,
        to: r.call.at,
        optional: list.length > 1 || !valid,
      });
      unsure.add(r.unit);
      continue;
    }
    deps[r.unit]?.push(first.unit);
  }
  const kinds = new Map<string, Kind | undefined>();
  for (let round = 0; round <= defs.size; round++) {
    let changed = false;
    for (const [name, [first]] of defs) {
      const value = first?.call.args[1];
      const kind =
        value === undefined
          ? undefined
          : value.type === "Chain"
            ? chainKind(value.calls, kinds)
            : value.type === "Integer"
              ? "text"
              : "text";
      if (!kinds.has(name) || kinds.get(name) !== kind) {
        kinds.set(name, kind);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { deps, kinds, unsure };
}

/** The units that can reach themselves through `next`. */
function inCycles(count: number, next: (i: number) => Iterable<number>): Set<number> {
  const found = new Set<number>();
  for (let start = 0; start < count; start++) {
    const seen = new Set<number>();
    const stack = [...next(start)];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i === start) {
        found.add(start);
        break;
      }
      if (seen.has(i)) continue;
      seen.add(i);
      stack.push(...next(i));
    }
  }
  return found;
}

/** The checker's problems with one block, once its names are known: masks, misplaced calls, a value of bytes. */
function unitProblems(
  u: Unit,
  unit: number,
  scope: NameScope,
  problems: ExpectedProblem[],
  whole: { at: number; end: number } = u,
): void {
  checkCalls(u.calls, problems, u.where);
  misplaced(u.calls, problems, u.where);
  // A block's text is its output: bytes have none (`{hash.fromHex("4a");}` is not `74`).
  const kind = chainKind(u.calls, scope.kinds);
  if (kind !== "text")
    problems.push({
      code: "RESULT_KIND",
      where: u.where,
      from: whole.at,
      to: whole.end,
      optional: kind === undefined || scope.unsure.has(unit),
    });
}

/** The k-th draw of an expansion: bytes that differ from one draw to the next and along the draw. */
function fillDraw(bytes: Uint8Array, k: number): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = (k * 0x45 + i * 0x1d + 0x11) & 0xff;
}

/** A random source for options.random that counts its draws: the k-th fills its bytes as fillDraw(k) does. */
export function countingRandom(): (bytes: Uint8Array) => void {
  let k = 0;
  return (bytes) => fillDraw(bytes, k++);
}

/** The options a modelled expansion runs with: a fresh counting random source each time. */
export const modelOptions = (n: Date | number): ExpandOptions => ({
  now: n,
  secrets: secretOf,
  random: countingRandom(),
});

/**
 * The model's random draws: each key (a length of getNonce, the UUID) drawn once, the keys in
 * `order` (those not in it are added as they are first drawn), the k-th as countingRandom's k-th.
 */
function drawer(order: string[]): (key: string, length: number) => Uint8Array {
  const drawn = new Map<string, Uint8Array>();
  return (key, length) => {
    let value = drawn.get(key);
    if (!value) {
      if (!order.includes(key)) order.push(key);
      value = new Uint8Array(length);
      fillDraw(value, order.indexOf(key));
      drawn.set(key, value);
    }
    return value;
  };
}

const freshEnvironment = (env: Environment, order: string[]): Environment => ({
  nowMs: env.nowMs,
  secret: env.secret,
  names: new Map(),
  draw: drawer(order),
});

/** The chain's value, or a Refusal with the offset of the call that refused. */
function runCalls(calls: readonly PlacedCall[], env: Environment): Value {
  let value: Value = "";
  for (const call of calls) {
    const m = modelOf(call.method);
    const args = call.args.map((a) => (a.type === "Chain" ? runCalls(a.calls, env) : a.value));
    const kindIn: Kind = typeof value === "string" ? "text" : "bytes";
    try {
      value = m.run(value, args, env);
    } catch (e) {
      if (e instanceof Refusal) e.offset = call.at;
      throw e;
    }
    const argKinds = args.map((a) => (typeof a === "number" ? "integer" : typeof a === "string" ? "text" : "bytes"));
    const gives = typeof value === "string" ? "text" : "bytes";
    if (call.method !== "get")
      assert.equal(
        gives,
        m.kindOf ? m.kindOf(kindIn, argKinds) : m.gives,
        `the model of ${call.method}() gave the wrong kind`,
      );
  }
  return value;
}

function refusalAt(e: unknown, where: string | undefined): ExpectedFailure {
  if (!(e instanceof Refusal)) throw e;
  return { code: e.code, where, offset: e.offset };
}

/**
 * Runs units in an order where each runs after those it depends on, and otherwise in their own
 * order: each in turn, once the units it reads (in the order it reads them) have run,
 * each as `run` runs it, its output kept in `outputs`; the failures of units whose
 * dependencies all ran.
 */
function runInOrder(
  count: number,
  deps: (i: number) => Iterable<number>,
  run: (i: number) => string,
  outputs: (string | undefined)[] = [],
): { outputs: (string | undefined)[]; failures: ExpectedFailure[]; ok: boolean[] } {
  const state: ("ok" | "failed" | "blocked" | undefined)[] = new Array(count).fill(undefined);
  const failures: ExpectedFailure[] = [];
  const visit = (i: number): boolean => {
    const known = state[i];
    if (known) return known === "ok";
    state[i] = "blocked";
    let depsOk = true;
    for (const d of deps(i)) if (!visit(d)) depsOk = false;
    if (!depsOk) return false;
    try {
      outputs[i] = run(i);
      state[i] = "ok";
      return true;
    } catch (e) {
      if (!(e instanceof RunFailure)) throw e;
      failures.push(e.failure);
      state[i] = "failed";
      return false;
    }
  };
  for (let i = 0; i < count; i++) visit(i);
  return { outputs, failures, ok: state.map((s) => s === "ok") };
}

/** A unit's refusal, carried out of runInOrder's run(). */
class RunFailure extends Error {
  constructor(readonly failure: ExpectedFailure) {
    super(failure.code);
  }
}

function runUnit(u: Unit, env: Environment): string {
  try {
    return runCalls(u.calls, env) as string;
  } catch (e) {
    throw new RunFailure(refusalAt(e, u.where));
  }
}

const templateUnits = (t: GenTemplate, where?: string, part = 0): Unit[] =>
  placedBlocks(t).map((b) => ({ ...b, where, part }));

/** What a set of blocks of one template or expression gives: its problems, or each output, or the failures. */
function predictUnits(
  units: readonly Unit[],
  env: Environment,
  order: string[],
  early: "compile" | "run" = "compile",
): { problems: ExpectedProblem[] } | { failures: ExpectedFailure[] } | { outputs: string[] } {
  const problems: ExpectedProblem[] = [];
  const scope = nameScope(units, problems, early);
  const cyclic = inCycles(units.length, (i) => scope.deps[i] ?? []);
  if (cyclic.size > 0) {
    // Blocks that read each other's names: no order runs each after what it reads.
    problems.push({ code: "READ_CYCLE", from: 0, to: Number.POSITIVE_INFINITY, repeats: true });
    for (const i of cyclic) scope.unsure.add(i);
  }
  units.forEach((u, i) => {
    unitProblems(u, i, scope, problems);
  });
  if (problems.some((p) => !p.optional)) return { problems };
  const run = freshEnvironment(env, order);
  const { outputs, failures } = runInOrder(
    units.length,
    (i) => scope.deps[i] ?? [],
    (i) => runUnit(units[i] as Unit, run),
  );
  // The first failure in the order they run in stops the expansion.
  if (failures.length > 0) return { failures: failures.slice(0, 1) };
  return { outputs: outputs as string[] };
}

/** What expand() gives for a generated template: text, the checker's problems, or a failure. */
export function predictTemplate(t: GenTemplate, env: Environment, order: string[] = []): Prediction {
  const units = templateUnits(t);
  const result = predictUnits(units, env, order);
  if (!("outputs" in result)) return result;
  const bySlot = new Map(units.map((u, i) => [u.slot, result.outputs[i] as string]));
  return { ok: t.parts.map((p, slot) => (p.type === "Text" ? p.text : bySlot.get(slot))).join("") };
}

/** What evaluate() gives for a generated expression: it must give text, not bytes. */
export function predictExpression(e: GenExpression, env: Environment, order: string[] = []): Prediction {
  const unit: Unit = {
    at: 0,
    end: e.source.length,
    calls: place(e.chain, 0).calls,
    slot: 0,
    where: undefined,
    part: 0,
  };
  const result = predictUnits([unit], env, order, "run");
  return "outputs" in result ? { ok: result.outputs[0] as string } : result;
}

/** RFC 9110 §5.5: a header value cannot hold CR, LF or NUL. */
const UNSENDABLE = /[\r\n\0]/;

/** Where a piece of a URL template stands, as the text outside its blocks divides it (RFC 3986 §3). */
interface UrlPlace {
  component: "scheme" | "authority" | "path" | "query" | "fragment";
  /** In the query, which parameter ('&'-separated). */
  param: number;
}

interface UrlLayout {
  slices: { text?: string; slot?: number; place: UrlPlace }[];
  places: Map<number, UrlPlace>;
  params: number;
  hasQuery: boolean;
}

/**
 * A URL template cut where its text divides it: a scheme (a letter, then letters, digits, '+',
 * '-', '.', then ':'), '//' and the authority up to '/', '?' or '#', the path up to '?' or '#',
 * the query's '&'-separated parameters up to '#', the fragment. A block before a scheme is written
 * is in the path.
 */
function urlLayout(t: GenTemplate): UrlLayout {
  const slices: UrlLayout["slices"] = [];
  const places = new Map<number, UrlPlace>();
  let component: UrlPlace["component"] | "start" = "start";
  let param = 0;
  let params = 0;
  let pending = "";
  const here = (): UrlPlace => ({ component: component === "start" ? "path" : component, param });
  const put = (text: string) => {
    if (text) slices.push({ text, place: here() });
  };
  t.parts.forEach((p, slot) => {
    if (p.type === "Block") {
      if (component === "start") {
        component = "path";
        put(pending);
        pending = "";
      }
      slices.push({ slot, place: here() });
      places.set(slot, here());
      return;
    }
    let run = "";
    const text = p.text;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (component === "start") {
        if (c === ":" && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(pending)) {
          component = "scheme";
          put(`${pending}:`);
          pending = "";
          if (text.startsWith("//", i + 1)) {
            component = "authority";
            run = "//";
            i += 2;
          } else component = "path";
          continue;
        }
        if (/[A-Za-z0-9+.-]/.test(c)) {
          pending += c;
          continue;
        }
        component = "path";
        run = pending;
        pending = "";
      }
      if (component === "authority" && "/?#".includes(c)) {
        put(run);
        run = "";
        component = "path";
      }
      if (component === "path" && (c === "?" || c === "#")) {
        put(run);
        run = "";
        if (c === "?") {
          component = "query";
          params = 1;
        } else component = "fragment";
        continue;
      }
      if (component === "query" && (c === "&" || c === "#")) {
        put(run);
        run = "";
        if (c === "&") {
          param++;
          params++;
        } else component = "fragment";
        continue;
      }
      run += c;
    }
    put(run);
  });
  if (pending) {
    component = "path";
    put(pending);
  }
  return { slices, places, params, hasQuery: params > 0 };
}

/** What a block reads of the request being signed, from the documentation of each request function. */
type RequestRead =
  | { what: "headers"; names: string[]; call: PlacedCall }
  | { what: "every" | "body" | "form" | "scheme" | "host" | "path" | "query" | "url"; call: PlacedCall };

function requestReads(calls: readonly PlacedCall[]): RequestRead[] {
  const reads: RequestRead[] = [];
  const simple: Record<string, RequestRead["what"]> = {
    getRequestBody: "body",
    getRequestForm: "form",
    getRequestScheme: "scheme",
    getRequestHost: "host",
    getRequestPath: "path",
    getRequestQuery: "query",
    getRequestUrl: "url",
  };
  for (const call of allCalls(calls)) {
    const arg = literalArg(call)?.value;
    const what = simple[call.method];
    if (what) reads.push({ what, call } as RequestRead);
    else if (call.method === "getRequestHeader") reads.push({ what: "headers", names: [arg ?? ""], call });
    else if (LIST_READERS.has(call.method))
      reads.push(arg === undefined ? { what: "every", call } : { what: "headers", names: arg.split(";"), call });
  }
  return reads;
}

/**
 * What signRequest() gives (docs/methods.md, README "Signing whole requests"): every block of
 * every part is run after the blocks whose values it reads: a named value, a header by name
 * (every header of that name), the body, a component of the URL (the blocks that stand in it).
 * A read of every header takes all but the reader's own header and the headers that read the
 * reader; in the URL, a read of its query or of the whole URL takes it without the reader's own
 * parameter and the parameters that read the reader. A read that no order can satisfy is a cycle.
 */
export function predictRequest(r: GenRequest, nowMs: number, order: string[] = []): Prediction<SignedRequest> {
  interface Part {
    where: string;
    t: GenTemplate;
    header?: number;
  }
  const parts: Part[] = [
    { where: "URL", t: r.url },
    ...(r.body ? [{ where: "body", t: r.body }] : []),
    ...r.headers.map((h, i) => ({ where: `header ${h.name}`, t: h.value, header: i })),
  ];
  const bodyPart = r.body ? 1 : -1;
  const layout = urlLayout(r.url);
  const units: (Unit & { place?: UrlPlace | undefined })[] = parts.flatMap((p, part) =>
    templateUnits(p.t, p.where, part).map((u) => (part === 0 ? { ...u, place: layout.places.get(u.slot) } : u)),
  );
  const unitsOf = (part: number) => units.flatMap((u, i) => (u.part === part ? [i] : []));
  const partOfHeader = (j: number) => parts.findIndex((p) => p.header === j);
  const headersNamed = (name: string) =>
    r.headers.flatMap((h, j) => (h.name.toLowerCase() === name.toLowerCase() ? [j] : []));
  const inUrl = (component: UrlPlace["component"]) =>
    units.flatMap((u, i) => (u.part === 0 && u.place?.component === component ? [i] : []));
  const allUrlUnits = () => units.flatMap((u, i) => (u.part === 0 ? [i] : []));
  const paramUnits = (param: number) =>
    units.flatMap((u, i) => (u.part === 0 && u.place?.component === "query" && u.place.param === param ? [i] : []));
  const hasHost = r.headers.some((h) => h.name.toLowerCase() === "host");

  // Problems of each part on its own, then of names across parts, then of reads.
  const problems: ExpectedProblem[] = [];
  const scope = nameScope(units, problems);
  units.forEach((u, i) => {
    unitProblems(u, i, scope, problems);
  });
  const partProblems = (where: string) => problems.filter((p) => p.where === where && !p.optional).length;
  // Reads are only known in a text that compiles, and only such text is checked.
  const compiles = parts.map((p) => partProblems(p.where) === 0);
  parts.forEach((p, part) => {
    if (p.header === undefined) return;
    const text = p.t.parts.find((x) => x.type === "Text" && UNSENDABLE.test(x.text));
    if (text?.type === "Text") {
      const at = text.at + text.text.search(UNSENDABLE);
      problems.push({ code: "INVALID_HEADER_VALUE", where: p.where, from: at, to: at, optional: !compiles[part] });
    }
  });

  const definite = units.map((_, i) => new Set(scope.deps[i]));
  const conditional = units.map(() => new Set<number>());
  const selfRead = new Set<number>();
  /** For a read of every header, or of the URL's query from the URL itself: the headers, or parameters, it may take. */
  const everyHeaderOf = new Map<number, number[]>();
  const paramsOf = new Map<number, number[]>();
  const wants: { unit: number; kind: "headers" | "params"; groups: { key: number; units: number[] }[] }[] = [];
  units.forEach((u, i) => {
    const add = (targets: Iterable<number>) => {
      for (const t of targets) definite[i]?.add(t);
    };
    const ownComponent = u.part === 0 ? u.place?.component : undefined;
    const otherParams = () =>
      Array.from({ length: layout.params }, (_, k) => k)
        .filter((k) => !(ownComponent === "query" && u.place?.param === k))
        .map((k) => ({ key: k, units: paramUnits(k) }));
    for (const read of requestReads(u.calls)) {
      switch (read.what) {
        case "headers": {
          let missing = false;
          for (const name of new Set(read.names.map((n) => n.toLowerCase()))) {
            const found = headersNamed(name);
            if (found.length > 0) for (const j of found) add(unitsOf(partOfHeader(j)));
            else if (name === "host") add(u.part === 0 ? inUrl("authority") : allUrlUnits());
            else missing = true;
          }
          // Once for each header of the list the request lacks.
          if (missing) {
            problems.push({
              code: "MISSING_HEADER",
              where: u.where,
              from: read.call.at,
              to: read.call.end,
              optional: !compiles[u.part],
              repeats: true,
            });
          }
          break;
        }
        case "every":
          wants.push({
            unit: i,
            kind: "headers",
            groups: r.headers.flatMap((_, j) =>
              parts[u.part]?.header === j ? [] : [{ key: j, units: unitsOf(partOfHeader(j)) }],
            ),
          });
          if (!hasHost) add(u.part === 0 ? inUrl("authority") : allUrlUnits());
          break;
        case "body":
          add(unitsOf(bodyPart));
          break;
        case "form":
          add(unitsOf(bodyPart));
          for (const j of headersNamed("content-type")) add(unitsOf(partOfHeader(j)));
          break;
        case "scheme":
        case "host":
        case "path": {
          const component = read.what === "host" ? "authority" : read.what;
          if (ownComponent === component) selfRead.add(i);
          // From another part, the expanded URL as a whole: a block may have written a delimiter.
          else add(u.part === 0 ? inUrl(component) : allUrlUnits());
          break;
        }
        case "query":
          if (u.part === 0) wants.push({ unit: i, kind: "params", groups: otherParams() });
          else add(allUrlUnits());
          break;
        case "url":
          if (u.part !== 0) add(allUrlUnits());
          else if (ownComponent === "scheme" || ownComponent === "authority" || ownComponent === "path")
            selfRead.add(i);
          else {
            for (const c of ["scheme", "authority", "path"] as const) add(inUrl(c));
            wants.push({ unit: i, kind: "params", groups: otherParams() });
          }
          break;
      }
    }
  });
  // A read of everything takes what does not read the reader (through reads of their own).
  const readers = (target: number): Set<number> => {
    const found = new Set<number>();
    const stack = [target];
    while (stack.length > 0) {
      const t = stack.pop() as number;
      units.forEach((_, i) => {
        if (!found.has(i) && definite[i]?.has(t)) {
          found.add(i);
          stack.push(i);
        }
      });
    }
    return found;
  };
  for (const want of wants) {
    const reading = readers(want.unit);
    const taken = want.groups.filter((g) => !g.units.some((v) => reading.has(v)));
    for (const g of taken) for (const v of g.units) conditional[want.unit]?.add(v);
    const keys = taken.map((g) => g.key);
    (want.kind === "headers" ? everyHeaderOf : paramsOf).set(want.unit, keys);
  }
  const deps = (i: number) => [...(definite[i] ?? []), ...(conditional[i] ?? [])];
  const cyclic = inCycles(units.length, deps);
  for (const i of selfRead) cyclic.add(i);
  if (cyclic.size > 0) {
    // Required where the checker sees all of it: every block of the cycle in a part that compiles.
    const seen = [...cyclic].every((i) => compiles[units[i]?.part ?? 0]);
    problems.push({
      code: "READ_CYCLE",
      orCode: "HEADER_CYCLE",
      from: 0,
      to: Number.POSITIVE_INFINITY,
      repeats: true,
      optional: !seen,
    });
  }
  if (problems.some((p) => !p.optional)) return { problems };

  const method = r.method ?? "GET";
  const env = freshEnvironment({ nowMs, secret: secretOf, names: new Map(), draw: () => new Uint8Array() }, order);
  // Filled as the blocks run: what the blocks after them read.
  const outputs: (string | undefined)[] = [];
  const unitAt = new Map(units.map((u, i) => [`${u.part}:${u.slot}`, i]));
  const textOf = (part: number) =>
    (parts[part] as Part).t.parts
      .map((p, slot) => (p.type === "Text" ? p.text : (outputs[unitAt.get(`${part}:${slot}`) as number] ?? "")))
      .join("");
  const headerValue = (j: number) => textOf(partOfHeader(j));
  const finalUrl = () => textOf(0);
  const bodyText = () => (bodyPart < 0 ? "" : textOf(bodyPart));
  /** The URL as a block of it sees it: without its own parameter, and without those that read it. */
  const seenUrl = (i: number): string => {
    const u = units[i] as (typeof units)[number];
    if (u.part !== 0) return finalUrl();
    const own = u.place?.component === "query" ? u.place.param : -1;
    const taken = new Set(
      paramsOf.get(i) ?? Array.from({ length: layout.params }, (_, k) => k).filter((k) => k !== own),
    );
    let head = "";
    const params: string[] = new Array(layout.params).fill("");
    for (const s of layout.slices) {
      const value = s.text ?? outputs[unitAt.get(`0:${s.slot}`) as number] ?? "";
      if (s.place.component === "query") params[s.place.param] += value;
      else if (s.place.component !== "fragment") head += value;
    }
    const kept = params.filter((_, k) => taken.has(k));
    return layout.hasQuery && kept.length > 0 ? `${head}?${kept.join("&")}` : head;
  };
  const hostOfUrl = () => urlParts(finalUrl()).host;
  const view = (i: number): ModelRequest => ({
    method,
    url: () => urlParts(seenUrl(i)),
    body: () => Buffer.from(bodyText(), "utf8"),
    form: () => {
      const [first] = headersNamed("content-type");
      const media =
        first === undefined ? "" : (headerValue(first).split(";")[0] as string).replace(/^[ \t]+|[ \t]+$/g, "");
      return media.toLowerCase() === "application/x-www-form-urlencoded" ? bodyText().replaceAll("+", "%20") : "";
    },
    header: (name) => {
      const found = headersNamed(name);
      if (found.length > 0) return found.map(headerValue);
      return name.toLowerCase() === "host" ? [hostOfUrl()] : undefined;
    },
    everyHeader: () => {
      const byName = new Map<string, string[]>();
      for (const j of everyHeaderOf.get(i) ?? []) {
        const name = (r.headers[j] as GenRequest["headers"][number]).name.toLowerCase();
        byName.set(name, [...(byName.get(name) ?? []), headerValue(j)]);
      }
      if (!hasHost) byName.set("host", [hostOfUrl()]);
      return [...byName];
    },
  });
  const ran = runInOrder(units.length, deps, (i) => runUnit(units[i] as Unit, { ...env, request: view(i) }), outputs);
  // The parts are run in some order their reads allow: the first to fail may be any of them, and a
  // header is refused as soon as it is whole.
  const failures = [...ran.failures];
  r.headers.forEach((h, j) => {
    const own = unitsOf(partOfHeader(j));
    if (!own.every((i) => ran.ok[i]) || !UNSENDABLE.test(headerValue(j))) return;
    // At the first block whose own text a header cannot hold.
    const culprit = own.find((i) => UNSENDABLE.test(outputs[i] ?? ""));
    failures.push({ code: "INVALID_HEADER_VALUE", where: `header ${h.name}`, offset: units[culprit ?? -1]?.at ?? 0 });
  });
  if (failures.length > 0) return { failures };
  const pairs = r.headers.map((h, j) => [h.name, headerValue(j)] as [string, string]);
  return {
    ok: {
      method,
      url: finalUrl(),
      headers: r.asObject ? Object.fromEntries(pairs) : pairs,
      body: r.body ? bodyText() : undefined,
    },
  };
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
  const at = (x: ExpectedProblem, p: ProblemReport) =>
    x.anyOf
      ? x.anyOf.some((a) => (a.where === undefined || a.where === p.where) && a.offset === p.span.offset)
      : (x.where === undefined || x.where === p.where) && x.from <= p.span.offset && p.span.offset <= x.to;
  for (const p of got.error.problems) {
    const fits = (x: ExpectedProblem) => (x.code === p.code || x.orCode === p.code) && at(x, p);
    // One not yet matched first, then one that may be reported again.
    const expected =
      prediction.problems.find((x) => fits(x) && !used.has(x)) ?? prediction.problems.find((x) => fits(x) && x.repeats);
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

/**
 * That a run gave what the model predicts with its random draws in some order: the order the
 * model runs them in first, then any other. The parts of a signed request run in an order their
 * reads allow, which is the engine's to choose; each draw is still made once.
 */
function assertPredictedInSomeOrder<T>(
  predict: (order: string[]) => Prediction<T>,
  got: { ok: T } | { error: HashHelperError },
): void {
  const order: string[] = [];
  const first = predict(order);
  try {
    assertPredicted(first, got);
  } catch (e) {
    if (order.length < 2 || order.length > 5) throw e;
    for (const other of permutations(order).slice(1)) {
      try {
        assertPredicted(predict(other), got);
        return;
      } catch {}
    }
    throw e;
  }
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
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

/** A random source that gives the same bytes every time, so that two expansions of a template agree. */
const sameRandom = (bytes: Uint8Array) => fillDraw(bytes, 0);

export const options: fc.Arbitrary<ExpandOptions> = fc
  .tuple(now, secretsOption)
  .map(([n, s]) => ({ now: n, random: sameRandom, ...s }));

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

export const environment = (n: Date | number): Environment => ({
  nowMs: millisOf(n),
  secret: secretOf,
  names: new Map(),
  draw: drawer([]),
});

/**
 * A valid template expands to what the model predicts (text, or the error it predicts), the same
 * each time for a fixed now and random source, and compile(t).expand() the same as expand(t).
 */
export function expandsAsModelled(t: GenTemplate, n: Date | number): void {
  assertPredicted(
    predictTemplate(t, environment(n)),
    attempt(() => expand(t.source, modelOptions(n))),
  );
  const direct = outcome(() => expand(t.source, modelOptions(n)));
  assert.deepEqual(
    outcome(() => expand(t.source, modelOptions(n))),
    direct,
    "expand is not deterministic for a fixed now and random source",
  );
  const compiled = outcome(() => {
    const c = compile(t.source);
    const first = c.expand(modelOptions(n));
    assert.equal(c.expand(modelOptions(n)), first, "a compiled template expands differently the second time");
    return first;
  });
  assert.deepEqual(compiled, direct, "compile(t).expand(o) and expand(t, o) disagree");
}

/** An expression alone gives what the model predicts: text, or RESULT_KIND when it gives bytes. */
export function evaluatesAsModelled(e: GenExpression, n: Date | number): void {
  assertPredicted(
    predictExpression(e, environment(n)),
    attempt(() => evaluate(e.source, modelOptions(n))),
  );
}

/** A generated request signs as the model predicts, every part on one clock and one random source. */
export function signsAsModelled(r: GenRequest, n: Date | number): void {
  const got = attempt(() => signRequest(requestOf(r), modelOptions(n)));
  assertPredictedInSomeOrder(
    (order) => predictRequest(r, millisOf(n), order),
    got as { ok: SignedRequest } | { error: HashHelperError },
  );
}

/** Text without a block opener comes back as it is. */
export function plainTextSurvives(text: string, n: Date | number): void {
  assert.ok(!hasOpener(text), "the generator let an opener through");
  assert.equal(expand(text, { now: n }), text);
}

/** Text around a valid block survives: the output starts with the text before and ends with the text after. */
export function textSurvives(before: string, block: GenBlock, after: string, n: Date | number): void {
  const t = templateOf([before, block, after]);
  const got = attempt(() => expand(t.source, modelOptions(n)));
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
        .map(
          ({ method: m }) =>
            `${m.name}(${m.params.map((p) => (p.accepts.includes("text") ? '"x"' : "60")).join(", ")}).`,
        )
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
  const got = attempt(() => expand(t.source, { ...modelOptions(n), limits }));
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
