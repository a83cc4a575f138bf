// Writing bytes as text (hex, base64, percent-encoding) and reading them back.
import { backend } from "#crypto";
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
} from "../encoding.ts";
import { type Method, MethodFailure, TEXT_OR_BYTES } from "../method.ts";

export const encodingMethods: readonly Method[] = [
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
    name: "encodeURL",
    params: [],
    input: TEXT_OR_BYTES,
    output: "text",
    reveals: true,
    summary: "Percent-encode all but A-Z a-z 0-9 - . _ ~ (RFC 3986), uppercase hex, UTF-8.",
    example: `hash.append("a b/c=").encodeURL()`,
    run: (input) => percentEncode(input),
    size: percentEncodedLength,
    // A UTF-16 code unit is at most three bytes of UTF-8, each written in three characters.
    sizeAtMost: (input) => 9 * (typeof input === "string" ? input.length : input.byteLength),
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
];

/** The value when `problem` finds nothing wrong with it; a MethodFailure otherwise. */
function valid(problem: (value: string) => string | undefined, value: string): string {
  const message = problem(value);
  if (message) throw new MethodFailure("INVALID_ARGUMENT", message, "check the value the nested expression gives");
  return value;
}
