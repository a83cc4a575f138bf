import { type ILexingResult, type IToken, Lexer, tokenMatcher } from "chevrotain";
import { BlockClose, type Mode, modes, opensBlock, Rest } from "./tokens.ts";

export interface LexFailure {
  offset: number;
  length: number;
}

export interface LexResult {
  tokens: IToken[];
  /** Characters no token matches. Only offsets: the text itself may be part of a secret. */
  failures: LexFailure[];
}

let lexer: Lexer | undefined;

// Built on first use, once per process: constructing a chevrotain lexer analyses every
// pattern, which costs milliseconds that a CLI `--help` should not pay.
function instance(): Lexer {
  lexer ??= createLexer({ validate: false });
  return lexer;
}

/**
 * A lexer for the token definitions. chevrotain's validation of the definitions finds the same
 * thing on every run, so the process's lexer skips it (it is a good part of start-up) and
 * test/lexer/lexer.test.ts builds one with it, which fails on a broken definition.
 */
export function createLexer({ validate }: { validate: boolean }): Lexer {
  return new Lexer(
    { modes, defaultMode: "text" },
    {
      // The text mode matches "anything but { and <", which chevrotain cannot index by first
      // character; the expression modes can, and test/lexer/lexer.test.ts checks that they are.
      ensureOptimizations: false,
      positionTracking: "onlyOffset",
      skipValidations: !validate,
    },
  );
}

export function tokenize(text: string, mode: Mode = "text"): LexResult {
  const result = instance().tokenize(text, mode);
  return {
    tokens: result.tokens,
    failures: result.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}

/** One block of a template, lexed alone: its tokens and failures, with offsets in the template. */
export interface LexedBlock extends LexResult {
  /** Offset of the opening `{` or `<`. */
  start: number;
  /** Offset just past the closer, or the length of the template when the block is never closed. */
  end: number;
  closed: boolean;
}

/**
 * The blocks of a template, lexed one at a time as they are asked for, exactly as lexing the
 * whole template in text mode finds them. compile() goes block by block so that the tokens of
 * a template of a thousand blocks are never all alive at once: at that size, the garbage
 * collector copying them between generations cost more than lexing them. Text between blocks
 * is not lexed at all.
 */
export function* lexBlocks(source: string): Generator<LexedBlock> {
  // The next `{` and `<` at or after i, each searched for again only once passed, so that text
  // full of one and without the other is still scanned once.
  let brace = -1;
  let angle = -1;
  let i = 0;
  while (i < source.length) {
    if (brace < i) brace = indexOrEnd(source, "{", i);
    if (angle < i) angle = indexOrEnd(source, "<", i);
    i = Math.min(brace, angle);
    if (i >= source.length) return;
    if (opensBlock(source, i)) {
      const block = tokenizeBlock(source, i);
      yield block;
      i = block.end;
    } else {
      i++;
    }
  }
}

function indexOrEnd(source: string, char: string, from: number): number {
  const at = source.indexOf(char, from);
  return at < 0 ? source.length : at;
}

/** The block that opens at `start`, lexed up to its closer and no further (the mode "block"). */
function tokenizeBlock(source: string, start: number): LexedBlock {
  const result: ILexingResult = instance().tokenize(source.slice(start), "block");
  const tokens = result.tokens;
  const last = tokens[tokens.length - 1];
  if (last && tokenMatcher(last, Rest)) tokens.pop();
  for (const token of tokens) token.startOffset += start;
  const closer = tokens[tokens.length - 1];
  const closed = closer !== undefined && tokenMatcher(closer, BlockClose);
  return {
    tokens,
    failures: result.errors.map((e) => ({ offset: e.offset + start, length: e.length })),
    start,
    end: closed ? closer.startOffset + 1 : source.length,
    closed,
  };
}
