// Where the blocks of a template are, found without lexing them. compile() then lexes, parses
// and compiles one block at a time, so that the tokens of a template of a thousand blocks are
// never all alive at once: at that size, the garbage collector copying them from one young
// generation to the next cost more than lexing them.
import { opensBlock, StringLiteral, UnterminatedString } from "./tokens.ts";

export interface BlockExtent {
  /** Offset of the opening `{` or `<`. */
  start: number;
  /** Offset just past the closer, or the length of the source when the block is never closed. */
  end: number;
  closed: boolean;
}

// The lexer's own string patterns, sticky. Inside a block every quote starts a string token
// (a string, or an unterminated one running to the end of its line), and no other token can
// hold a quote or a closer, so a closer outside strings is exactly where the lexer pops the mode.
// test/lexer/blocks.test.ts checks this against the lexer on generated templates.
const STRING = new RegExp((StringLiteral.PATTERN as RegExp).source, "y");
const UNTERMINATED = new RegExp((UnterminatedString.PATTERN as RegExp).source, "y");

const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;

/** Every block of `source`, in order. A block never closed runs to the end of the source. */
export function findBlocks(source: string): BlockExtent[] {
  const blocks: BlockExtent[] = [];
  // The next `{` and `<` at or after i, each searched for again only once passed, so that text
  // full of one and without the other is still scanned once.
  let brace = -1;
  let angle = -1;
  let i = 0;
  while (i < source.length) {
    if (brace < i) brace = indexOrEnd(source, "{", i);
    if (angle < i) angle = indexOrEnd(source, "<", i);
    i = Math.min(brace, angle);
    if (i >= source.length) break;
    if (opensBlock(source, i)) {
      const block = blockFrom(source, i, i === brace ? "}" : ">");
      blocks.push(block);
      i = block.end;
    } else {
      i++;
    }
  }
  return blocks;
}

function indexOrEnd(source: string, char: string, from: number): number {
  const at = source.indexOf(char, from);
  return at < 0 ? source.length : at;
}

function blockFrom(source: string, start: number, closer: "}" | ">"): BlockExtent {
  const close = closer.charCodeAt(0);
  let i = start + 1;
  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (code === close) return { start, end: i + 1, closed: true };
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      STRING.lastIndex = i;
      if (STRING.test(source)) {
        i = STRING.lastIndex;
      } else {
        // It always matches at a quote; a failed sticky test would reset lastIndex to 0.
        UNTERMINATED.lastIndex = i;
        i = UNTERMINATED.test(source) ? UNTERMINATED.lastIndex : i + 1;
      }
    } else {
      i++;
    }
  }
  return { start, end: source.length, closed: false };
}
