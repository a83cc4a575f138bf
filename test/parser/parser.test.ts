import { describe, expect, it } from "vitest";
import { parse } from "../../src/index.ts";
import { HashHelperParser } from "../../src/syntax/parser.ts";

describe("parse", () => {
  it("builds the whole AST with spans", () => {
    //           0         1         2         3         4
    //           0123456789012345678901234567890123456789012345678
    const src = `hash.append("a").encodeHmacSha1(hash.append(240))`;
    expect(parse(src)).toEqual({
      type: "Chain",
      span: { offset: 0, length: 49 },
      calls: [
        {
          type: "Call",
          method: "append",
          nameSpan: { offset: 5, length: 6 },
          args: [{ type: "String", value: "a", span: { offset: 12, length: 3 } }],
          span: { offset: 5, length: 11 },
        },
        {
          type: "Call",
          method: "encodeHmacSha1",
          nameSpan: { offset: 17, length: 14 },
          args: [
            {
              type: "Chain",
              span: { offset: 32, length: 16 },
              calls: [
                {
                  type: "Call",
                  method: "append",
                  nameSpan: { offset: 37, length: 6 },
                  args: [{ type: "Integer", value: 240, span: { offset: 44, length: 3 } }],
                  span: { offset: 37, length: 11 },
                },
              ],
            },
          ],
          span: { offset: 17, length: 32 },
        },
      ],
    });
  });

  it("resolves escapes in string values and keeps the literal's span", () => {
    expect(parse(String.raw`hash.append('a\'b\u0041\n')`).calls[0]?.args[0]).toEqual({
      type: "String",
      value: "a'bA\n",
      span: { offset: 12, length: 14 },
    });
  });

  it("parses negative integers", () => {
    expect(parse("hash.getExpiryTime(-60)").calls[0]?.args[0]).toEqual({
      type: "Integer",
      value: -60,
      span: { offset: 19, length: 3 },
    });
  });

  it.each([
    `{hash.getExpiryTime(240);}`,
    `<hash.getExpiryTime(240);>`,
    `  { hash.getExpiryTime(240) ; }  `,
    `hash.getExpiryTime(240);`,
    `hash.getExpiryTime(240)`,
  ])("accepts the expression with or without its block: %s", (src) => {
    const chain = parse(src);
    expect(chain.calls.map((c) => c.method)).toEqual(["getExpiryTime"]);
    expect(src.slice(chain.span.offset, chain.span.offset + chain.span.length)).toBe("hash.getExpiryTime(240)");
  });

  it("checks syntax only: method names, argument counts and kinds are the evaluator's", () => {
    expect(parse(`hash.append("a", 1).constructor().encodeMd5()`).calls.map((c) => [c.method, c.args.length])).toEqual([
      ["append", 2],
      ["constructor", 0],
      ["encodeMd5", 0],
    ]);
  });

  it.each([
    { src: `hash.append("x") "s3cr3t-API-KEY"`, code: "SYNTAX_ERROR" },
    { src: `hash`, code: "SYNTAX_ERROR" },
    { src: `hash.append("x").`, code: "SYNTAX_ERROR" },
    { src: `hash.append("x"`, code: "SYNTAX_ERROR" },
    { src: `hash.append("x");;`, code: "SYNTAX_ERROR" },
    { src: `hash["constructor"]`, code: "UNEXPECTED_CHARACTER" },
    { src: `hash.__proto__`, code: "SYNTAX_ERROR" },
  ])("rejects $src with $code", ({ src, code }) => {
    expect(() => parse(src)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    { src: `hash.append("abc"`, column: 18 },
    { src: `hash`, column: 5 },
  ])("points just past the end when input ends early: $src", ({ src, column }) => {
    expect(() => parse(src)).toThrow(expect.objectContaining({ span: expect.objectContaining({ column }) }));
  });

  it("names token kinds, never token text, in parse errors", () => {
    try {
      parse(`hash.append("x") "s3cr3t-API-KEY"`);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("unexpected a string after the expression");
    }
  });
});

describe("the grammar", () => {
  it("passes chevrotain's validations, which the process's own parser skips", () => {
    expect(() => new HashHelperParser({ validate: true })).not.toThrow();
  });
});
