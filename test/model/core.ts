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

/** What the request functions read when a template is a part of a signed request. */
export interface ModelRequest {
  /** Parts are expanded in this order: the URL, then the body, then the headers. */
  part: "url" | "body" | "header";
  method: string;
  url: string;
  /** The expanded body as UTF-8, once it is expanded (for the headers). */
  body?: Buffer;
  /** The values of the headers by that name, in any case, joined with ", "; undefined when none. */
  header(name: string): string | undefined;
}

export interface Environment {
  nowMs: number;
  secret(name: string): string | undefined;
  request?: ModelRequest;
}

export interface ModelMethod {
  /** The kind of what it gives, whatever its input. */
  gives: Kind;
  /** The parameters that hold a name, not data: the only literals that may be all bullets. */
  names?: readonly number[];
  readsRequest?: true;
  run(input: Value, args: readonly (Value | number)[], env: Environment): Value;
}

/** The clock, secrets and request the method table's examples run with. */
export interface ExampleContext {
  nowMs: number;
  secret(name: string): string | undefined;
  request: { method: string; url: string; body: string; date: string };
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
