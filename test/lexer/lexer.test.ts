import { fc, it } from "@fast-check/vitest";
import { type IToken, Lexer, tokenMatcher } from "chevrotain";
import { describe, expect } from "vitest";
import { createLexer, lexBlocks, tokenize } from "../../src/syntax/lexer.ts";
import { allTokens, BlockClose, BlockOpen, modes } from "../../src/syntax/tokens.ts";
import { anyString, textChunk } from "../arbitraries.ts";

const kinds = (text: string, mode?: "text" | "bare") =>
  tokenize(text, mode).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe("tokenize", () => {
  it("finds blocks in text and tokens inside them", () => {
    expect(kinds(`a={hash.append("x;}", 12).printDigest();}&b`)).toEqual([
      "Text:a=",
      "BraceOpen:{",
      "Hash:hash",
      "Dot:.",
      "Identifier:append",
      "LParen:(",
      'StringLiteral:"x;}"',
      "Comma:,",
      "NumberLiteral:12",
      "RParen:)",
      "Dot:.",
      "Identifier:printDigest",
      "LParen:(",
      "RParen:)",
      "Semicolon:;",
      "BraceClose:}",
      "Text:&b",
    ]);
  });

  it.each([
    ["{ \t\nhash .x", "BraceOpen"],
    ["< hash.x", "AngleOpen"],
    ["{hash x", "Text"],
    ["{hashes.x", "Text"],
    ["{ Hash.x", "Text"],
  ])("%j starts with %s", (text, kind) => {
    expect(tokenize(text).tokens[0]?.tokenType.name).toBe(kind);
  });

  it("keeps 'hash' as a name when it is part of a longer one", () => {
    expect(kinds("hash.hashed", "bare")).toEqual(["Hash:hash", "Dot:.", "Identifier:hashed"]);
  });

  it("ends an unterminated string at the end of its line", () => {
    expect(kinds(`hash.append("abc\\"def\nx`, "bare").slice(4)).toEqual([
      'UnterminatedString:"abc\\"def',
      "Identifier:x",
    ]);
  });

  it("reports characters no token matches by offset only", () => {
    expect(tokenize("hash.a(@)", "bare").failures).toEqual([{ offset: 7, length: 1 }]);
  });

  it("indexes every expression mode by first character", () => {
    // The text modes cannot be ("anything but { and <", "the rest after a block"); the modes that
    // lex expressions must be, which chevrotain checks per mode when asked to ensure them.
    const { text: _, block: __, ...expressionModes } = modes;
    const build = () =>
      new Lexer(
        { modes: expressionModes, defaultMode: "bare" },
        { ensureOptimizations: true, positionTracking: "onlyOffset" },
      );
    expect(build).not.toThrow();
  });
});

describe("the token definitions", () => {
  it("pass chevrotain's validations, which the process's own lexer skips", () => {
    expect(() => createLexer({ validate: true })).not.toThrow();
    expect(createLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
  });

  it.each(allTokens.filter((t) => t.PATTERN instanceof RegExp && t.START_CHARS_HINT))(
    "$name: its start_chars_hint holds exactly the characters its pattern can start with",
    (token) => {
      const pattern = token.PATTERN as RegExp;
      const sticky = new RegExp(pattern.source, "y");
      const hint = new Set((token.START_CHARS_HINT as string[]).map((c) => c.charCodeAt(0)));
      // Every UTF-16 code unit a match may begin with is in the hint, and every hint starts one.
      for (let code = 0; code < 0x10000; code++) {
        const c = String.fromCharCode(code);
        sticky.lastIndex = 0;
        const starts = [c, `${c}a`, `${c}0`, `${c}"`, `${c}'`, `${c}ash`].some((s) => {
          sticky.lastIndex = 0;
          return sticky.test(s);
        });
        if (starts !== hint.has(code))
          throw new Error(`${token.name}: U+${code.toString(16)} ${starts ? "missing from" : "wrongly in"} the hint`);
      }
    },
  );
});

// lexBlocks() must give exactly what lexing the whole template in text mode gives: the same
// blocks (openers, closers, an unclosed last block), the same tokens and the same failures.
// The oracle is the lexer itself, run over the whole text as compile() did before it went
// block by block.
describe("lexBlocks, one block at a time", () => {
  function blocksOfWhole(source: string) {
    const whole = tokenize(source, "text");
    const blocks: { start: number; end: number; closed: boolean }[] = [];
    let open: (typeof blocks)[number] | undefined;
    for (const token of whole.tokens) {
      if (tokenMatcher(token, BlockOpen)) {
        open = { start: token.startOffset, end: source.length, closed: false };
        blocks.push(open);
      } else if (open && tokenMatcher(token, BlockClose)) {
        open.end = token.startOffset + 1;
        open.closed = true;
        open = undefined;
      }
    }
    return blocks.map((block) => ({
      ...block,
      tokens: whole.tokens.filter((t) => t.startOffset >= block.start && t.startOffset < block.end).map(described),
      failures: whole.failures.filter((f) => f.offset >= block.start && f.offset < block.end),
    }));
  }
  // The lexer of one block opens it with the token of its own mode, of the same category.
  const named = (t: IToken) => t.tokenType.name.replace(/^First(Brace|Angle)Open$/, "$1Open");
  const described = (t: IToken) => [t.startOffset, t.image, named(t)];
  const alone = (source: string) =>
    [...lexBlocks(source)].map(({ start, end, closed, tokens, failures }) => ({
      start,
      end,
      closed,
      tokens: tokens.map(described),
      failures,
    }));

  const template = fc.oneof(
    anyString,
    fc
      .array(fc.oneof(textChunk, fc.constantFrom('{hash.append("a}b").printDigest();}', "<hash.x('>');>")), {
        maxLength: 6,
      })
      .map((parts) => parts.join("")),
  );

  it.prop([template], { numRuns: 3000 })("gives what lexing the whole template gives", (source) => {
    expect(alone(source)).toStrictEqual(blocksOfWhole(source));
  });

  it.each([
    ["no blocks", "a={b}&c=<d>", []],
    ["a closer inside a string", '{hash.append("}").printDigest();}x', [{ start: 0, end: 33, closed: true }]],
    ["an unterminated string stops at its line", '{hash.append("x\n);}', [{ start: 0, end: 19, closed: true }]],
    ["a block never closed", "a{hash.append('x');", [{ start: 1, end: 19, closed: false }]],
    ["angle blocks close at >", "<hash.append('>').x;>{", [{ start: 0, end: 21, closed: true }]],
    [
      "a block right after a block",
      "{hash.a;}{hash.b;}",
      [
        { start: 0, end: 9, closed: true },
        { start: 9, end: 18, closed: true },
      ],
    ],
  ])("%s", (_, source, blocks) => {
    const extents = (list: { start: number; end: number; closed: boolean }[]) =>
      list.map(({ start, end, closed }) => ({ start, end, closed }));
    expect(extents(alone(source))).toStrictEqual(blocks);
    expect(extents(blocksOfWhole(source))).toStrictEqual(blocks);
  });
});
