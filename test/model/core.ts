// What every family's reference model is made of (test/arbitraries.ts joins them): written from
// the documentation (docs/methods.md, docs/language.md) with node:crypto, Buffer and Date, and
// nothing of src/ but types.
import { Buffer } from "node:buffer";
import type { ErrorCode, Kind } from "../../src/index.ts";

export type Value = string | Uint8Array;

/** A method's refusal to run, as the documentation names it, and where the call that refused stands. */
export class Refusal extends Error {
  offset = 0;
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

/** A URL's components as the request functions give them (RFC 3986 Appendix B). */
export interface ModelUrl {
  /** The URL without its fragment. */
  href: string;
  /** Lowercase, without ':'; '' when the URL has none. */
  scheme: string;
  /** The authority without userinfo: the host, with ':port' when written. */
  host: string;
  /** As it stands in the URL, '/' when empty. */
  path: string;
  /** Without '?', '' when none. */
  query: string;
}

/** What the request functions read when a template is a part of a signed request, as the running block sees it. */
export interface ModelRequest {
  method: string;
  /** The URL as this block sees it (in the URL's own query: without its parameter and those that read it). */
  url(): ModelUrl;
  /** The expanded body as UTF-8 (empty when none). */
  body(): Buffer;
  /** The body text, '+' as %20, when the first Content-Type is a form; '' otherwise. */
  form(): string;
  /** The values of the headers by that name, in any case, in order (Host: the URL's host when none); undefined when none. */
  header(name: string): string[] | undefined;
  /** A read of every header: each lowercase name with its values, all but this block's header and those that read it. */
  everyHeader(): [string, string[]][];
}

export interface Environment {
  nowMs: number;
  secret(name: string): string | undefined;
  request?: ModelRequest;
  /** The named values of the expansion (hash.let, hash.get); the model of those needs it. */
  names?: Map<string, Value>;
  /** The random bytes of the expansion for a key (a length of getNonce, or the UUID), drawn once each; the model of those needs it. */
  draw?(key: string, length: number): Uint8Array;
}

/** The kind of an argument as the checker sees it: nested text or bytes, or a whole number. */
export type ArgKind = Kind | "integer";

export interface ModelMethod {
  /** The kind of what it gives for text in (the table's output). */
  gives: Kind;
  /** A value function: the first call of a chain, whatever the chain held. */
  start?: true;
  /** The kind it gives when that depends on its input and arguments (undefined: not known). */
  kindOf?: (input: Kind | undefined, args: readonly (ArgKind | undefined)[]) => Kind | undefined;
  /** The parameters that hold a name, not data: the only literals that may be all bullets. */
  names?: readonly number[];
  readsRequest?: true;
  run(input: Value, args: readonly (Value | number)[], env: Environment): Value;
}

/** The clock, secrets and request the method table's examples run with, and the random bytes they draw from. */
export interface ExampleContext {
  nowMs: number;
  secret(name: string): string | undefined;
  request: { method: string; url: string; body: string; date: string };
  random?: (bytes: Uint8Array) => void;
}

/** What a method's example gives: its text, or the code of the error it fails with. */
export type ExampleResult = string | { code: ErrorCode };

export const bytes = (v: Value | number) =>
  Buffer.from(typeof v === "string" ? Buffer.from(v, "utf8") : (v as Uint8Array));

// RFC 3986 §2.3 unreserved characters.
export const unreserved = (b: number) =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  "-._~".includes(String.fromCharCode(b));

/** RFC 3986 §2.1 and §2.3: every byte but the unreserved ones as %XX, uppercase (text as UTF-8). */
export const percentEncoded = (v: Value | number) =>
  [...bytes(v)]
    .map((b) => (unreserved(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
