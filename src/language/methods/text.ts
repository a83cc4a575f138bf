// Building the text a chain signs, and ending a chain.
import type { Method } from "../method.ts";

export const textMethods: readonly Method[] = [
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
