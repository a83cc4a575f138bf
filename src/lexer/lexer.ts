import { type IToken, Lexer } from "chevrotain";
import { type Mode, modes } from "./tokens.ts";

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

/** The lexer's own optimisation flags, for the test that guards them. */
export function optimizedModes(): Record<string, boolean> {
  return { ...(instance() as unknown as { canModeBeOptimized: Record<string, boolean> }).canModeBeOptimized };
}

export function tokenize(text: string, mode: Mode = "text"): LexResult {
  const result = instance().tokenize(text, mode);
  return {
    tokens: result.tokens,
    failures: result.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}

/**
 * The tokens of the block at `start`…`end` of `source` (see findBlocks), with offsets in
 * `source`. The block is lexed on its own, from its opener in text mode, as in the whole.
 */
export function tokenizeBlock(source: string, start: number, end: number): LexResult {
  const result = instance().tokenize(source.slice(start, end), "text");
  for (const token of result.tokens) token.startOffset += start;
  return {
    tokens: result.tokens,
    failures: result.errors.map((e) => ({ offset: e.offset + start, length: e.length })),
  };
}
