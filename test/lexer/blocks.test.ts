// findBlocks() must find exactly the blocks the lexer finds when it lexes the whole template:
// the same openers, the same closers, the same unclosed last block. The oracle is the lexer
// itself, run over the whole text in text mode as compile() did before it went block by block.
import { fc, it } from "@fast-check/vitest";
import { tokenMatcher } from "chevrotain";
import { describe, expect } from "vitest";
import { findBlocks } from "../../src/lexer/blocks.ts";
import { tokenize, tokenizeBlock } from "../../src/lexer/lexer.ts";
import { BlockClose, BlockOpen } from "../../src/lexer/tokens.ts";
import { anyString, textChunk } from "../arbitraries.ts";

function blocksByLexer(source: string) {
  const blocks: { start: number; end: number; closed: boolean }[] = [];
  let open: (typeof blocks)[number] | undefined;
  for (const token of tokenize(source, "text").tokens) {
    if (tokenMatcher(token, BlockOpen)) {
      open = { start: token.startOffset, end: source.length, closed: false };
      blocks.push(open);
    } else if (open && tokenMatcher(token, BlockClose)) {
      open.end = token.startOffset + 1;
      open.closed = true;
      open = undefined;
    }
  }
  return blocks;
}

const template = fc.oneof(
  anyString,
  fc
    .array(fc.oneof(textChunk, fc.constantFrom('{hash.append("a}b").printDigest();}', "<hash.x('>');>")), {
      maxLength: 6,
    })
    .map((parts) => parts.join("")),
);

describe("findBlocks", () => {
  it.prop([template], { numRuns: 3000 })("finds the blocks the lexer finds", (source) => {
    expect(findBlocks(source)).toStrictEqual(blocksByLexer(source));
  });

  it.prop([template], { numRuns: 1000 })("and each block lexed alone gives the tokens of the whole", (source) => {
    const whole = tokenize(source, "text");
    for (const { start, end } of findBlocks(source)) {
      const alone = tokenizeBlock(source, start, end);
      const inWhole = whole.tokens.filter((t) => t.startOffset >= start && t.startOffset < end);
      expect(alone.tokens.map((t) => [t.startOffset, t.image, t.tokenType.name])).toStrictEqual(
        inWhole.map((t) => [t.startOffset, t.image, t.tokenType.name]),
      );
      expect(alone.failures).toStrictEqual(whole.failures.filter((f) => f.offset >= start && f.offset < end));
    }
  });

  it.each([
    ["no blocks", "a={b}&c=<d>", []],
    ["a closer inside a string", '{hash.append("}").printDigest();}x', [{ start: 0, end: 33, closed: true }]],
    ["an unterminated string stops at its line", '{hash.append("x\n);}', [{ start: 0, end: 19, closed: true }]],
    ["a block never closed", "a{hash.append('x');", [{ start: 1, end: 19, closed: false }]],
    ["angle blocks close at >", "<hash.append('>').x;>{", [{ start: 0, end: 21, closed: true }]],
  ])("%s", (_, source, blocks) => {
    expect(findBlocks(source)).toStrictEqual(blocks);
    expect(blocksByLexer(source)).toStrictEqual(blocks);
  });
});
