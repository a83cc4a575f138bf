import { backend } from "#crypto";
import type { Algorithm } from "./crypto/types.ts";
import { bytesOf, percentEncode, toHex } from "./encoding.ts";
import type { ErrorCode } from "./errors.ts";
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
  /** Must be written as a string literal, so that it is known before anything runs. */
  literal?: boolean;
  /** The limit that bounds the absolute value of this whole-number parameter. */
  bound?: keyof Limits;
}

/** The one clock of an expansion and anything else a method may read besides its arguments. */
export interface EvalContext {
  /** Epoch milliseconds, read once per expansion so every block sees the same instant. */
  nowMs: number;
  /** The value of a host-supplied secret, or undefined when the host has none by that name. */
  secret(name: string): string | undefined;
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
}

const TEXT_OR_BYTES: readonly Kind[] = ["text", "bytes"];
const KEY: Param = { name: "key", accepts: ["text", "bytes"], secret: true };

const digest =
  (algorithm: Algorithm) =>
  (input: Value): Value =>
    backend.digest(algorithm, bytesOf(input));

const mac =
  (algorithm: Algorithm) =>
  (input: Value, [key]: readonly ArgValue[]): Value =>
    backend.hmac(algorithm, bytesOf(key as string | Uint8Array), bytesOf(input));

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
  },
  {
    name: "encodeMd5",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "MD5 digest (16 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeMd5().toHex()`,
    run: digest("md5"),
  },
  {
    name: "encodeSha1",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-1 digest (20 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha1().toHex()`,
    run: digest("sha1"),
  },
  {
    name: "encodeHmacSha1",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA1 (20 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("data").encodeHmacSha1("secretKey").encodeBase64()`,
    run: mac("sha1"),
  },
  {
    name: "encodeHmacSha256",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA256 (32 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("customerCode=ACME").encodeHmacSha256("secretKey").encodeBase64()`,
    run: mac("sha256"),
  },
  {
    name: "encodeBase64",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Standard base64 with padding (RFC 4648 §4); text is encoded as UTF-8.",
    example: `hash.append("data").encodeHmacSha1("secretKey").encodeBase64()`,
    run: (input) => backend.base64(bytesOf(input)),
  },
  {
    name: "encodeURL",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Percent-encode all but A-Z a-z 0-9 - . _ ~ (RFC 3986), uppercase hex, UTF-8.",
    example: `hash.append("a b/c=").encodeURL()`,
    run: (input) => percentEncode(bytesOf(input)),
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
    params: [{ name: "name", accepts: ["text"], literal: true }],
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
          `secret '${name as string}' is not set`,
          `supply it in options.secrets, or to the CLI with --secret ${name as string}=…, --secrets-file FILE or ${secretEnvName(name as string)}`,
        );
      }
      return value;
    },
  },
];

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
  return `${method.name}(${method.params.map((p) => p.name).join(", ")})`;
}
