import { backend } from "#crypto";
import type { Algorithm, Encoding } from "./crypto/types.ts";
import { compilePattern, formatDate } from "./dates.ts";
import {
  base64Problem,
  base64Url,
  byteLength,
  bytesOf,
  fromBase64,
  fromHex,
  hexProblem,
  percentEncode,
  percentEncodedLength,
  toHex,
} from "./encoding.ts";
import { type ErrorCode, quoteName } from "./errors.ts";
import type { Limits } from "./limits.ts";

/** What a chain holds at each step: text (a JavaScript string) or bytes (a digest or MAC). */
export type Kind = "text" | "bytes";
export type Value = string | Uint8Array;

/** What an argument can be: a string literal or nested text, nested bytes, or a whole number. */
export type ArgKind = Kind | "integer";
export type ArgValue = string | Uint8Array | number;

export interface Param {
  name: string;
  accepts: readonly ArgKind[];
  /** A key or secret: masked in every error display, never quoted in a message. */
  secret?: boolean;
  /**
   * A name, not data (a secret's or a header's name, a date pattern): what the user needs to read
   * in a message such as `secret 'nope' is not set`. Its literal is the one literal an error
   * shows (escaped); every other literal's text is masked, since literals are where keys live.
   */
  isName?: boolean;
  /** Must be written as a string literal, so that it is known before anything runs. */
  literal?: boolean;
  /** The limit that bounds the absolute value of this whole-number parameter. */
  bound?: keyof Limits;
  /** May be left out; only trailing parameters are. */
  optional?: boolean;
  /** Why a text value is unacceptable (checked when the template compiles, for literals). */
  validate?: (value: string) => string | undefined;
}

/** The one clock of an expansion and anything else a method may read besides its arguments. */
export interface EvalContext {
  /** Epoch milliseconds, read once per expansion so every block sees the same instant. */
  nowMs: number;
  /** The value of a host-supplied secret, or undefined when the host has none by that name. */
  secret(name: string): string | undefined;
  /** The request being signed, when a template is part of one (signRequest). */
  request?: RequestView | undefined;
  /**
   * Called when a method gives a value built from a secret without reading one itself (a
   * request part that was): a trace masks it, as it masks what getSecret() gives.
   */
  tainted?: (() => void) | undefined;
  /**
   * What the expansion has built so far, in the units of maxValueSize, against maxExpansionSize.
   * One object for the whole expansion: contexts derived from it share it.
   */
  readonly built: { size: number };
}

/** What the request functions read: the request as far as it has been expanded. */
export interface RequestView {
  /** Which part of the request the running template belongs to. */
  part: "url" | "body" | "header";
  method: string;
  /** The expanded URL, and its path and query (without '?') exactly as they stand in it. */
  url: string;
  path: string;
  query: string;
  /** The body's bytes; undefined while the body itself is being expanded. */
  body: Uint8Array | undefined;
  /** An expanded header's value by case-insensitive name, or undefined when there is none. */
  header(name: string): string | undefined;
  /** Whether a part was built from a secret: "url", "body", or a header's name in any case. */
  fromSecret(part: string): boolean;
}

/**
 * A method's refusal to run, without a place: the evaluator adds the span of the call.
 * Its message and hint must never hold a value, only names.
 */
export class MethodFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface Method {
  name: string;
  params: readonly Param[];
  /**
   * The kinds the chain may hold when the method is called, or "start" for a value function
   * that ignores the chain and must be its first call (`hash.getExpiryTime(240)`).
   */
  input: readonly Kind[] | "start";
  output: Kind;
  /** Ends a top-level chain; nothing may follow it. */
  final?: boolean;
  /**
   * Its output gives its input away (append, encodings), so a value built from a secret stays
   * secret through it; a digest or MAC does not, and what it gives may be shown.
   */
  reveals: boolean;
  /** One line for hints, REPL completion and the reference. */
  summary: string;
  /** A use of the method, for the reference. */
  example: string;
  run(input: Value, args: readonly ArgValue[], context: EvalContext): Value;
  /**
   * The size run() would give (characters of text, bytes of bytes), for a method that can build
   * a large value: the evaluator checks it against the limits before the value is built. A
   * method without one gives a small value, or one that already exists.
   */
  size?: (input: Value, args: readonly ArgValue[]) => number;
  /** An encoder of bytes to text, which the evaluator may fuse into a digest or MAC before it. */
  encodes?: Encoding;
  /** run() and then an encoder, in one call: what a digest or MAC offers for that fusion. */
  runEncoded?: (input: Value, args: readonly ArgValue[], context: EvalContext, encoding: Encoding) => string;
}

const TEXT_OR_BYTES: readonly Kind[] = ["text", "bytes"];
const KEY: Param = { name: "key", accepts: ["text", "bytes"], secret: true };

const digest = (algorithm: Algorithm): Pick<Method, "run" | "runEncoded"> => ({
  run: (input) => backend.digest(algorithm, input),
  runEncoded: (input, _args, _context, encoding) => backend.encoded(algorithm, undefined, input, encoding),
});

const mac = (algorithm: Algorithm): Pick<Method, "run" | "runEncoded"> => ({
  run: (input, [key]) => backend.hmac(algorithm, key as string | Uint8Array, input),
  runEncoded: (input, [key], _context, encoding) =>
    backend.encoded(algorithm, key as string | Uint8Array, input, encoding),
});

const table: Method[] = [
  {
    name: "append",
    params: [{ name: "value", accepts: ["text", "integer"] }],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Append text, a whole number, or the text of a nested hash expression.",
    example: `hash.append("mozscape-a1b2c3d4e5").append(hash.getExpiryTime(240))`,
    run: (input, [value]) => (input as string) + String(value),
    size: (input, [value]) => (input as string).length + String(value).length,
  },
  {
    name: "appendNewLine",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: 'Append a line feed ("\\n").',
    example: `hash.append("beforeNewLine").appendNewLine().append("afterNewLine")`,
    run: (input) => `${input as string}\n`,
    size: (input) => (input as string).length + 1,
  },
  {
    name: "encodeMd5",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "MD5 digest (16 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeMd5().toHex()`,
    ...digest("md5"),
  },
  {
    name: "encodeSha1",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-1 digest (20 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha1().toHex()`,
    ...digest("sha1"),
  },
  {
    name: "encodeHmacSha1",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA1 (20 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("data").encodeHmacSha1("secretKey").encodeBase64()`,
    ...mac("sha1"),
  },
  {
    name: "encodeHmacSha256",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA256 (32 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("customerCode=ACME").encodeHmacSha256("secretKey").encodeBase64()`,
    ...mac("sha256"),
  },
  {
    name: "encodeSha256",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-256 digest (32 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha256().toHex()`,
    ...digest("sha256"),
  },
  {
    name: "encodeSha512",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-512 digest (64 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha512().toHex()`,
    ...digest("sha512"),
  },
  {
    name: "encodeHmacMd5",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-MD5 (16 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("{}").encodeHmacMd5(hash.fromHex("00ff")).toHex()`,
    ...mac("md5"),
  },
  {
    name: "encodeHmacSha512",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA512 (64 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("data").encodeHmacSha512("secretKey").encodeBase64()`,
    ...mac("sha512"),
  },
  {
    name: "encodeBase64Url",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "URL-safe base64 without padding (RFC 4648 §5); text is encoded as UTF-8.",
    example: `hash.append("data").encodeHmacSha256("secretKey").encodeBase64Url()`,
    run: (input) => base64Url(backend.base64(input)),
    size: (input) => Math.ceil((byteLength(input) * 4) / 3),
  },
  {
    name: "fromHex",
    params: [{ name: "hex", accepts: ["text"], validate: hexProblem }],
    input: "start",
    output: "bytes",
    reveals: true,
    summary: "The bytes a hexadecimal text spells (two digits a byte, either case).",
    example: `hash.fromHex("4a656665").toHex()`,
    run: (_input, [hex]) => fromHex(valid(hexProblem, hex as string)),
    size: (_input, [hex]) => Math.floor((hex as string).length / 2),
  },
  {
    name: "fromBase64",
    params: [{ name: "base64", accepts: ["text"], validate: base64Problem }],
    input: "start",
    output: "bytes",
    reveals: true,
    summary: "The bytes a base64 text spells (RFC 4648 §4 or the URL-safe §5; padding optional).",
    example: `hash.fromBase64("SmVmZQ==").toHex()`,
    run: (_input, [text]) => fromBase64(valid(base64Problem, text as string)),
    size: (_input, [text]) => Math.floor(((text as string).replace(/=+$/, "").length * 3) / 4),
  },
  {
    name: "getDate",
    params: [
      { name: "pattern", accepts: ["text"], literal: true, isName: true, validate: patternProblem },
      { name: "secondsFromNow", accepts: ["integer"], optional: true, bound: "maxExpirySeconds" },
    ],
    input: "start",
    output: "text",
    reveals: false,
    summary: "The expansion's clock (plus secondsFromNow) in UTC: yyyy MM dd HH mm ss SSS EEE MMM 'literal'.",
    example: `hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'")`,
    run: (_input, [pattern, seconds], { nowMs }) =>
      formatDate(pattern_(pattern as string), instant(nowMs, seconds as number | undefined)),
  },
  {
    name: "getEpochMillis",
    params: [{ name: "secondsFromNow", accepts: ["integer"], optional: true, bound: "maxExpirySeconds" }],
    input: "start",
    output: "text",
    reveals: false,
    summary: "Epoch milliseconds of the expansion's clock plus secondsFromNow, as text.",
    example: `hash.getEpochMillis()`,
    run: (_input, [seconds], { nowMs }) => String(Math.floor(nowMs) + ((seconds as number | undefined) ?? 0) * 1000),
  },
  {
    name: "getRequestMethod",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The method of the request being signed (GET, POST…).",
    example: `hash.getRequestMethod()`,
    run: (_input, _args, context) => request(context, "getRequestMethod", ["url", "body", "header"]).method,
  },
  {
    name: "getRequestPath",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The path of the request's expanded URL, as it stands in the URL ('/' when empty).",
    example: `hash.getRequestPath()`,
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestPath", ["body", "header"]).path),
  },
  {
    name: "getRequestQuery",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The query of the request's expanded URL without '?', as it stands in the URL ('' when none).",
    example: `hash.append(hash.getRequestQuery()).encodeHmacSha256(hash.getSecret("api_key")).encodeBase64()`,
    run: (_input, _args, context) =>
      read(context, "url", request(context, "getRequestQuery", ["body", "header"]).query),
  },
  {
    name: "getRequestBody",
    params: [],
    input: "start",
    output: "bytes",
    reveals: true,
    summary: "The exact bytes of the request's body, after its own expansion (empty when none).",
    example: `hash.getRequestBody().encodeSha256().toHex()`,
    run: (_input, _args, context) =>
      read(context, "body", request(context, "getRequestBody", ["header"]).body as Uint8Array),
  },
  {
    name: "getRequestHeader",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary: "A request header's value (name in any case), after that header's own expansion.",
    example: `hash.append("date: ").append(hash.getRequestHeader("Date"))`,
    run: (_input, [name], context) => {
      const value = request(context, "getRequestHeader", ["header"]).header(name as string);
      if (value === undefined) {
        throw new MethodFailure(
          "MISSING_HEADER",
          `the request has no header ${quoteName(name as string)}`,
          "add it to the request's headers",
        );
      }
      return read(context, name as string, value);
    },
  },
  {
    name: "encodeBase64",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Standard base64 with padding (RFC 4648 §4); text is encoded as UTF-8.",
    example: `hash.append("data").encodeHmacSha1("secretKey").encodeBase64()`,
    run: (input) => backend.base64(input),
    size: (input) => 4 * Math.ceil(byteLength(input) / 3),
    encodes: "base64",
  },
  {
    name: "encodeURL",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Percent-encode all but A-Z a-z 0-9 - . _ ~ (RFC 3986), uppercase hex, UTF-8.",
    example: `hash.append("a b/c=").encodeURL()`,
    run: (input) => percentEncode(input),
    size: percentEncodedLength,
  },
  {
    name: "toHex",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Lowercase hexadecimal, two digits a byte; text is encoded as UTF-8.",
    example: `hash.append("abc").encodeMd5().toHex()`,
    run: (input) => toHex(bytesOf(input)),
    size: (input) => 2 * byteLength(input),
    encodes: "hex",
  },
  {
    name: "printDigest",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    final: true,
    summary: "End a top-level chain: its text becomes the block's output.",
    example: `hash.append("abc").encodeMd5().toHex().printDigest()`,
    run: (input) => input,
  },
  {
    name: "getExpiryTime",
    params: [{ name: "secondsFromNow", accepts: ["integer"], bound: "maxExpirySeconds" }],
    input: "start",
    output: "text",
    reveals: false,
    summary: "Epoch seconds of the expansion's clock plus secondsFromNow, as text.",
    example: `hash.getExpiryTime(240)`,
    run: (_input, [seconds], { nowMs }) => String(Math.floor(nowMs / 1000) + (seconds as number)),
  },
  {
    name: "getSecret",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The value of a secret the host supplies (options.secrets; CLI --secret, --secrets-file, env).",
    example: `hash.append("data").encodeHmacSha256(hash.getSecret("api_key")).encodeBase64()`,
    run: (_input, [name], context) => {
      const value = context.secret(name as string);
      if (value === undefined) {
        throw new MethodFailure(
          "MISSING_SECRET",
          `secret ${quoteName(name as string)} is not set`,
          `supply it in options.secrets, or to the CLI with --secret NAME=…, --secrets-file FILE or ${secretEnvName(name as string)}`,
        );
      }
      return value;
    },
  },
];

/** The value when `problem` finds nothing wrong with it; a MethodFailure otherwise. */
function valid(problem: (value: string) => string | undefined, value: string): string {
  const message = problem(value);
  if (message) throw new MethodFailure("INVALID_ARGUMENT", message, "check the value the nested expression gives");
  return value;
}

/**
 * The clock plus secondsFromNow as a Date, when it is one every pattern field can write: a Date
 * holds ±8.64e15 ms (ECMA-262 §21.4.1.22), and yyyy has no sign for a year before 0.
 */
function instant(nowMs: number, seconds: number | undefined): Date {
  const date = new Date(Math.floor(nowMs) + (seconds ?? 0) * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0) {
    throw new MethodFailure(
      "DATE_OUT_OF_RANGE",
      "the date is outside what a date can be written as (year 0 to 275760)",
      "check the clock the template is expanded with, and secondsFromNow",
    );
  }
  return date;
}

const patterns = new Map<string, ReturnType<typeof compilePattern>>();

/** A compiled date pattern, cached: patterns are literals, so they are few. */
function pattern_(pattern: string) {
  let parts = patterns.get(pattern);
  if (parts === undefined) {
    parts = compilePattern(pattern);
    if (patterns.size < 1000) patterns.set(pattern, parts);
  }
  if (typeof parts === "string") throw new MethodFailure("INVALID_ARGUMENT", parts, "fix the date pattern");
  return parts;
}

function patternProblem(pattern: string): string | undefined {
  const parts = compilePattern(pattern);
  return typeof parts === "string" ? parts : undefined;
}

/**
 * The request being signed, when the running template may read it. The URL is expanded
 * first, then the body, then the headers, so each part reads only what comes before it:
 * `usableIn` lists the parts whose templates may call the method.
 */
function request(context: EvalContext, method: string, usableIn: RequestView["part"][]): RequestView {
  const view = context.request;
  if (!view) {
    throw new MethodFailure(
      "REQUEST_UNAVAILABLE",
      `${method}() reads the request being signed, and there is none`,
      "use it in a header or body of signRequest() or `hash-helper sign`",
    );
  }
  if (!usableIn.includes(view.part)) {
    throw new MethodFailure(
      "REQUEST_UNAVAILABLE",
      `${method}() cannot be used in the request's ${view.part}: it is expanded before what it reads`,
      "the URL is expanded first, then the body, then the headers; read the request from a header",
    );
  }
  return view;
}

/** A value read from a part of the request, reported as a secret's when that part was built from one. */
function read<T>(context: EvalContext, part: string, value: T): T {
  if (context.request?.fromSecret(part)) context.tainted?.();
  return value;
}

/** The environment variable the CLI reads a secret from: HASH_HELPER_SECRET_API_KEY for api-key. */
export function secretEnvName(name: string): string {
  return `HASH_HELPER_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * The method table. A Map, so a name is only ever looked up among the language's own
 * methods and never reaches Object.prototype (`hash.constructor()` is just unknown).
 */
export const methods: ReadonlyMap<string, Method> = new Map(table.map((m) => [m.name, m]));

/** How a method is written with its parameters: `encodeHmacSha1(key)`. */
export function signature(method: Method): string {
  return `${method.name}(${method.params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(", ")})`;
}
