// Values of one expansion: named values, and random ones drawn once (a nonce, a UUID).
import { drawsOf, type EvalContext, namesOf } from "../context.ts";
import { toHex } from "../encoding.ts";
import { quoteName } from "../errors.ts";
import { type Method, MethodFailure, type Value } from "../method.ts";

/** A name of hash.let: letters, digits, '_', '-' and '.', starting with a letter or '_'. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const nameProblem = (name: string) =>
  NAME.test(name) ? undefined : "a name is a letter or '_' followed by up to 63 letters, digits, '_', '-' or '.'";

/** The most random bytes one getNonce() draws. */
const MAX_NONCE_BYTES = 1024;

export const valueMethods: readonly Method[] = [
  {
    name: "let",
    params: [
      { name: "name", accepts: ["text"], literal: true, isName: true, validate: nameProblem },
      { name: "value", accepts: ["text", "bytes", "integer"] },
    ],
    input: "start",
    output: "text",
    kindOf: (_input, [, value]) => (value === "integer" ? "text" : value),
    names: "define",
    reveals: true,
    summary:
      "Give a value and name it: hash.get(name) reads it in any block of the template and any part of a signed request.",
    example: `hash.let("scope", hash.getDate("yyyyMMdd").append("/us-east-1/s3/aws4_request"))`,
    run: (_input, [name, value], context) => {
      const named: Value = typeof value === "number" ? String(value) : (value as Value);
      namesOf(context).values.set(name as string, named);
      return named;
    },
  },
  {
    name: "get",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true, validate: nameProblem }],
    input: "start",
    output: "text",
    names: "read",
    reveals: true,
    summary: "The value hash.let(name, …) gave, in this block or any other (text or bytes, as it was).",
    example: `hash.append(hash.let("day", hash.getDate("yyyyMMdd"))).append("/").append(hash.get("day"))`,
    run: (_input, [name], context) => {
      const value = namesOf(context).values.get(name as string);
      if (value === undefined) {
        throw new MethodFailure(
          "UNDEFINED_NAME",
          `no value is named ${quoteName(name as string)} yet`,
          'define it with hash.let("name", value) where it is read before',
        );
      }
      if (namesOf(context).secret.has(name as string)) context.tainted?.();
      return value;
    },
  },
  {
    name: "getNonce",
    params: [{ name: "bytes", accepts: ["integer"], optional: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary:
      "Random bytes (16 unless given) as lowercase hex, drawn once per expansion: every call with the same length gives the same value.",
    example: `hash.getNonce(16)`,
    run: (_input, [n], context) => {
      const length = (n as number | undefined) ?? 16;
      if (!Number.isInteger(length) || length < 1 || length > MAX_NONCE_BYTES) {
        throw new MethodFailure(
          "INVALID_ARGUMENT",
          `getNonce() draws from 1 to ${MAX_NONCE_BYTES} bytes`,
          "for example hash.getNonce(16)",
        );
      }
      return drawn(context, `nonce:${length}`, length, toHex);
    },
  },
  {
    name: "getUuid",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "A random UUID (version 4, RFC 9562), drawn once per expansion: every call gives the same one.",
    example: `hash.getUuid()`,
    run: (_input, _args, context) => drawn(context, "uuid", 16, uuid),
  },
];

/** A random value of the expansion, drawn the first time it is read. */
function drawn(context: EvalContext, key: string, length: number, write: (bytes: Uint8Array) => string): string {
  const known = drawsOf(context).get(key);
  if (known !== undefined) return known;
  const bytes = new Uint8Array(length);
  try {
    context.random(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0]?.slice(0, 200) : "";
    throw new MethodFailure(
      "RANDOM_SOURCE",
      `the random source gave no ${length} bytes${why ? `: ${why}` : ""}`,
      "give the host's random source (options.random, --nonce) enough bytes",
    );
  }
  const value = write(bytes);
  drawsOf(context).set(key, value);
  return value;
}

/** RFC 9562 §5.4: the version (4) in the high nibble of byte 6, the variant (10) in byte 8. */
function uuid(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
