// The generator of keyed templates with a typo in or around the keyed call, and the property that
// no output shows the key, shared by test/masks.test.ts and scripts/fuzz.ts. The property asserts
// with node:assert so it runs outside vitest too.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import fc from "fast-check";
import {
  evaluate,
  expand,
  explain,
  explainExpression,
  formatExplanation,
  HashHelperError,
  methods,
  redact,
} from "../src/index.ts";

// Letters found in no method name, message or hint four in a row, so that a run of four of them
// in any output is a piece of the key.
const KEY_LETTERS = [..."QZXJKVWqzxjkvw"];
const PIECE = 4;

const keyMethods = [...methods.values()].filter((m) => m.params.some((p) => p.secret)).map((m) => m.name);

/** The typos of issue 10 ("Leaks"), each of which showed the key somewhere. */
export const keyMutations = [
  "none",
  "no opening parenthesis", // encodeHmacSha256"K")
  "split name", // encodeHmacSha-256("K"), encodeHmacSha 256("K"), with U+00A0 or U+200B too
  "brackets", // encodeHmacSha256["K"]
  "space for parentheses", // encodeHmacSha256 "K"
  "no name", // .("K")
  "line break before the parenthesis", // encodeHmacSha256⏎("K"), and a second error on that line
  "pushed out of the block", // {hash.append("x")}.encodeHmacSha256("K")…
] as const;
export type KeyMutation = (typeof keyMutations)[number];

export interface MutatedKey {
  source: string;
  secret: string;
  /** Given to evaluate() rather than expand(). */
  expression: boolean;
  mutation: KeyMutation;
  /** The key is given through a named value: `hash.let("kk", "…")` first, `hash.get("kk")` as the key. */
  named: boolean;
}

const SEPARATORS = ["-", " ", "\u00a0", "\u200b"];

// What stands around the keyed block: URLs, JSON with its own quotes, other blocks, line breaks.
const surroundings = [
  "https://api.example.com/v1/items?",
  "&signature=",
  '{"user": "me", "sig": "',
  '"}',
  "\n",
  "\r\n",
  " ",
  "(",
  ")",
  "'",
  '"',
  "{date.today}",
  "{hash.getExpiryTime(60);}",
  '<hash.append("t").toHex().printDigest();>',
  '{hash.appnd("visible").printDigest();}',
];

// Calls before the keyed one, some with literals, names and counts of their own.
const heads = [
  "",
  '.append("data")',
  '.append(hash.getSecret("moz"))',
  '.append(hash.getDate("yyyy-MM-dd", 60))',
  ".append(hash.getExpiryTime(240))",
  '.append("x").appendNewLine()',
];

// A second mistake after the keyed call, on its line or the next.
const secondErrors = ["", ".frob()", ".toHex(1)", ".append(1.5)", '.append("unclosed'];

export const mutatedKey: fc.Arbitrary<MutatedKey> = fc
  .record({
    secret: fc.string({ unit: fc.constantFrom(...KEY_LETTERS), minLength: 12, maxLength: 24 }),
    method: fc.constantFrom(...keyMethods),
    mutation: fc.constantFrom(...keyMutations),
    quote: fc.constantFrom('"', "'", ""),
    nested: fc.boolean(),
    named: fc.boolean(),
    separator: fc.constantFrom(...SEPARATORS),
    splitAt: fc.nat(),
    head: fc.constantFrom(...heads),
    secondError: fc.constantFrom(...secondErrors),
    lineBreak: fc.boolean(),
    expression: fc.boolean(),
    angle: fc.boolean(),
    before: fc.array(fc.constantFrom(...surroundings), { maxLength: 3 }),
    after: fc.array(fc.constantFrom(...surroundings), { maxLength: 3 }),
  })
  .filter((r) => !(r.quote === "" && (r.nested || r.mutation === "no opening parenthesis")))
  .map((r) => {
    // Unquoted, the key joins the name into one word: only an unknown method's name, which a
    // message quotes, could show it, and no listed typo makes one of it.
    const literal = `${r.quote}${r.secret}${r.quote}`;
    const given = r.named ? `hash.get("kk")` : literal;
    const key = r.nested ? `hash.append(${given})` : given;
    const [open, close] = r.angle ? ["<", ">"] : ["{", "}"];
    const at = 1 + (r.splitAt % (r.method.length - 1));
    const call = {
      none: `.${r.method}(${key})`,
      "no opening parenthesis": `.${r.method}${key})`,
      "split name": `.${r.method.slice(0, at)}${r.separator}${r.method.slice(at)}(${key})`,
      brackets: `.${r.method}[${key}]`,
      "space for parentheses": `.${r.method} ${key}`,
      "no name": `.(${key})`,
      "line break before the parenthesis": `.${r.method}\n(${key})`,
      "pushed out of the block": `${close}.${r.method}(${key})`,
    }[r.mutation];
    const second =
      r.mutation === "line break before the parenthesis" && r.secondError === "" ? ".frob()" : r.secondError;
    const chain = `hash.${r.named ? `let("kk", ${literal}).` : ""}append("id")${r.head}${r.lineBreak ? "\n" : ""}${call}${second}.toHex()`;
    const source = r.expression
      ? chain
      : `${r.before.join("")}${open}${chain}.printDigest();${close}${r.after.join("")}`;
    return { source, secret: r.secret, expression: r.expression, mutation: r.mutation, named: r.named };
  });

/** Every text a host may show or log of an error. */
export function errorOutputs(e: HashHelperError): string[] {
  return [
    e.message,
    e.hint ?? "",
    e.format(),
    e.format({ color: true }),
    JSON.stringify(e.excerpt),
    JSON.stringify(e.problems),
    JSON.stringify(e),
    inspect(e, { depth: Number.POSITIVE_INFINITY }),
    String(e),
    String(e.stack),
  ];
}

/**
 * No piece of the key in any output of the error, and only bullets where it stood in redact()'s;
 * when the template runs, none in its trace either.
 */
export function keyNeverShownAnywhere({ source, secret, expression }: MutatedKey): void {
  assert.equal(source.split(secret).length, 2, "the key occurs once");
  const pieces = Array.from({ length: secret.length - PIECE + 1 }, (_, i) => secret.slice(i, i + PIECE));
  const where = source.indexOf(secret);
  for (const literals of ["keys", "all"] as const) {
    const redacted = redact(source, { literals });
    assert.equal(redacted.length, source.length, "redact() keeps the width");
    assert.equal(redacted.slice(where, where + secret.length), "•".repeat(secret.length), `redact ${literals}`);
  }
  const options = { now: 0, secrets: { moz: "m" } };
  try {
    if (expression) evaluate(source, options);
    else expand(source, options);
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    for (const shown of errorOutputs(e)) {
      for (const piece of pieces) assert.ok(!shown.includes(piece), `an error shows part of the key:\n${shown}`);
    }
    return;
  }
  const trace = expression ? explainExpression(source, options) : explain(source, options);
  for (const shown of [JSON.stringify(trace), formatExplanation(trace)]) {
    for (const piece of pieces) assert.ok(!shown.includes(piece), `a trace shows part of the key:\n${shown}`);
  }
}
