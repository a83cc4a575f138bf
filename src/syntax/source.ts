// A whole source read as the language reads it: a template's blocks, each lexed, checked for
// what lexing finds and parsed on its own, or one bare expression. What the engine compiles, and
// the only place beside the parser that looks at tokens.
import { tokenMatcher } from "chevrotain";
import type { Block, Chain } from "../language/ast.ts";
import type { Problem } from "../language/errors.ts";
import type { Limits } from "../language/limits.ts";
import { lexBlocks, tokenize } from "./lexer.ts";
import { lexicalProblem } from "./lexical-problems.ts";
import { type Parsed, parseBare, parseBlock } from "./parse.ts";
import { Hash, Semicolon } from "./tokens.ts";

/** One block of a template, found; parse() reads it, and may be left uncalled (past maxBlocks). */
export interface FoundBlock {
  /** Offset of the opening `{` or `<`. */
  start: number;
  /** Offset just past the closer, or the length of the template when the block is never closed. */
  end: number;
  parse(): Parsed<Block>;
}

/** The blocks of a template in order, lexed one at a time as they are asked for (see lexBlocks). */
export function* templateBlocks(source: string, limits: Readonly<Limits>): Generator<FoundBlock> {
  for (const { start, end, closed, tokens, failures } of lexBlocks(source)) {
    yield {
      start,
      end,
      parse(): Parsed<Block> {
        const open = tokens[0];
        const delimiter = open?.image === "<" ? "<" : "{";
        const closer = delimiter === "{" ? "}" : ">";
        const lexical = lexicalProblem(tokens, failures, source, delimiter);
        // `{hash….printDigest();&b=2`: the closer is missing after the ';', and what follows is
        // the URL, not a mistake in the expression.
        const semicolon = closed ? undefined : tokens.find((t) => tokenMatcher(t, Semicolon));
        if (semicolon && semicolon.startOffset < (lexical?.offset ?? Number.POSITIVE_INFINITY)) {
          const at = semicolon.startOffset + 1;
          return {
            problems: [
              unclosed(
                at,
                "the block is not closed after its ';'",
                `add '${closer}' right after the ';': …printDigest();${closer}`,
              ),
            ],
          };
        }
        if (lexical) return { problems: [lexical] };
        if (!closed) {
          const hint = `end it with ';${closer}' after the last call: …printDigest();${closer}`;
          return { problems: [unclosed(start, "this block is never closed", hint)] };
        }
        return parseBlock(tokens, limits);
      },
    };
  }
}

function unclosed(offset: number, message: string, hint: string): Problem {
  return { code: "UNCLOSED_BLOCK", message, offset, length: 1, hint };
}

/**
 * One bare expression (`hash.getExpiryTime(240)`, with or without a final `;`), or undefined when
 * the source does not start with `hash` and is no expression at all.
 */
export function bareExpression(expression: string, limits: Readonly<Limits>): Parsed<Chain> | undefined {
  const { tokens, failures } = tokenize(expression, "bare");
  const first = tokens[0];
  if (!first || !tokenMatcher(first, Hash) || (failures[0] && failures[0].offset < first.startOffset)) {
    return undefined;
  }
  const lexical = lexicalProblem(tokens, failures, expression, undefined);
  return lexical ? { problems: [lexical] } : parseBare(tokens, limits);
}
