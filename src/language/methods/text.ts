// Building the text (or bytes) a chain signs, and ending a chain.
import { byteLength, bytesOf } from "../encoding.ts";
import type { ArgValue, Method, Value } from "../method.ts";

/** text + text is text; anything + bytes, or bytes + anything, is bytes (text as UTF-8). */
function joined(input: Value, value: ArgValue): Value {
  if (typeof input === "string" && !(value instanceof Uint8Array)) return input + String(value);
  const head = bytesOf(input);
  const tail = bytesOf(typeof value === "number" ? String(value) : value);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

export const textMethods: readonly Method[] = [
  {
    name: "append",
    params: [{ name: "value", accepts: ["text", "bytes", "integer"] }],
    input: ["text", "bytes"],
    output: "text",
    notAfterDigest: true,
    kindOf: (input, [value]) =>
      input === "bytes" || value === "bytes"
        ? "bytes"
        : input === undefined || value === undefined
          ? undefined
          : "text",
    reveals: true,
    summary:
      "Append text, a whole number, or a nested value; text and text give text, and bytes on either side give bytes (text as UTF-8).",
    example: `hash.append("mozscape-a1b2c3d4e5").append(hash.getExpiryTime(240))`,
    run: (input, [value]) => joined(input, value as ArgValue),
    size: (input, [value]) =>
      typeof input === "string" && !(value instanceof Uint8Array)
        ? input.length + String(value).length
        : byteLength(input) + byteLength(typeof value === "number" ? String(value) : (value as string | Uint8Array)),
  },
  {
    name: "appendNewLine",
    params: [],
    input: ["text", "bytes"],
    output: "text",
    notAfterDigest: true,
    kindOf: (input) => input,
    reveals: true,
    summary: 'Append a line feed ("\\n"); to bytes, the byte 0x0a.',
    example: `hash.append("beforeNewLine").appendNewLine().append("afterNewLine")`,
    run: (input) => joined(input, "\n"),
    size: (input) => (typeof input === "string" ? input.length : input.byteLength) + 1,
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
];
