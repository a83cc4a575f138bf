// The shape of an entry of the method table: what the checker, the evaluator, "did you mean",
// completion and the reference all read. The entries themselves are in methods/, a file a family.
import type { Encoding } from "../platform/crypto/types.ts";
import type { EvalContext, RequestRead } from "./context.ts";
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
  /**
   * The method reads text given here as its UTF-8 bytes, so a literal is passed to it as bytes,
   * encoded once when the template compiles: an HMAC key given as text, node:crypto encodes
   * again on every call (0.4 µs of a 4 µs Moz signature).
   */
  asBytes?: boolean;
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
  /**
   * Refused directly after a digest, MAC or signature in the same chain (`encodeMd5().append("b")`):
   * the order is append, then digest, then encode, and such a call is nearly always misplaced.
   */
  notAfterDigest?: boolean;
  /** A text function that reads structure (a query, a path, %-escapes): hex or base64 of bytes is never its input. */
  parses?: boolean;
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
  /**
   * A bound of `size` that costs nothing, for a method whose size takes a pass over its input:
   * when the bound is within the limits, `size` is not computed.
   */
  sizeAtMost?: (input: Value) => number;
  /**
   * What running it counts against maxExpansionSize besides the value it gives, for a method
   * whose cost is not its output's size (a private-key signature): checked before it runs.
   */
  cost?: number;
  /**
   * What of the request being signed a request function reads, which decides the order the
   * parts of a request are expanded in; absent for a method that reads none of it.
   */
  reads?: RequestRead;
  /**
   * A named value: "define" names its second argument after its first (hash.let), "read" gives
   * the value so named (hash.get). Blocks and parts are expanded in the order these need.
   */
  names?: "define" | "read";
  /**
   * The kind it gives when that depends on its input's and arguments' kinds (append: bytes in,
   * bytes out); `output` is then the kind for text in. Undefined when one of them is unknown.
   */
  kindOf?: (input: Kind | undefined, args: readonly (ArgKind | undefined)[]) => Kind | undefined;
  /** An encoder of bytes to text, which the evaluator may fuse into a digest or MAC before it. */
  encodes?: Encoding;
  /** run() and then an encoder, in one call: what a digest or MAC offers for that fusion. */
  runEncoded?: (input: Value, args: readonly ArgValue[], context: EvalContext, encoding: Encoding) => string;
}

/** How a method is written with its parameters: `encodeHmacSha1(key)`. */
export function signature(method: Method): string {
  return `${method.name}(${method.params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(", ")})`;
}

/** A value's kinds that every encoder and digest takes. */
export const TEXT_OR_BYTES: readonly Kind[] = ["text", "bytes"];
