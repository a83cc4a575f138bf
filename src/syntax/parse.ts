import { EOF, type IRecognitionException, type IToken, tokenMatcher } from "chevrotain";
import type { Block, Chain } from "../language/ast.ts";
import type { Problem } from "../language/errors.ts";
import { type Limits, limitProblem } from "../language/limits.ts";
import { ARGUMENT_DESCRIPTION, describeToken, HashHelperParser } from "./parser.ts";
import { BlockClose, Comma, Dot, Hash, Identifier, LParen, RParen } from "./tokens.ts";

let instance: HashHelperParser | undefined;

// One parser for the process, built on first use: performSelfAnalysis costs milliseconds,
// a parse microseconds. Parsing is synchronous, so reusing it through `parser.input` is safe.
function shared(): HashHelperParser {
  instance ??= new HashHelperParser();
  return instance;
}

export interface Parsed<T> {
  /** The tree, when the tokens parse; literal problems (a bad escape) still leave one. */
  node?: T;
  problems: Problem[];
}

/** Parses the tokens of one `{hash…;}` block, opener and closer included. */
export function parseBlock(tokens: IToken[], limits: Readonly<Limits>): Parsed<Block> {
  return run(tokens, limits, (p) => p.block());
}

/** Parses an expression without a block around it, as evaluate() and parse() take it. */
export function parseBare(tokens: IToken[], limits: Readonly<Limits>): Parsed<Chain> {
  return run(tokens, limits, (p) => p.bareExpression());
}

function run<T>(tokens: IToken[], limits: Readonly<Limits>, rule: (p: HashHelperParser) => T): Parsed<T> {
  const tooDeep = nestingProblem(tokens, limits);
  if (tooDeep) return { problems: [tooDeep] };
  const parser = shared();
  parser.input = tokens;
  const problems: Problem[] = [];
  parser.problems = problems;
  const node = rule(parser);
  parser.problems = [];
  const error = parser.errors[0];
  // A parse fails as a whole: a recovered, partial tree would sign the wrong bytes.
  if (error) return { problems: [syntaxProblem(error, tokens)] };
  return { node, problems };
}

/**
 * How deep nesting may go whatever limits.maxNestingDepth says: the parser, the AST builder and
 * the checker each recurse once a level, and chevrotain's recursion overflows the stack a little
 * past 300 levels on Node's default stack. A larger limit is honoured up to this.
 */
export const MAX_SUPPORTED_NESTING = 200;

/** The parser recurses once per nested expression, so depth is checked on the tokens first. */
function nestingProblem(tokens: IToken[], limits: Readonly<Limits>): Problem | undefined {
  const max = Math.min(limits.maxNestingDepth, MAX_SUPPORTED_NESTING);
  let depth = 0;
  for (const token of tokens) {
    if (tokenMatcher(token, LParen)) depth++;
    else if (tokenMatcher(token, RParen)) depth--;
    else if (tokenMatcher(token, Hash) && depth > max) {
      const at = { offset: token.startOffset, length: 4 };
      const what =
        max < limits.maxNestingDepth
          ? `hash expressions nest deeper than the ${MAX_SUPPORTED_NESTING} levels the parser supports`
          : "hash expressions nest too deep";
      return limitProblem("maxNestingDepth", limits, what, at, "build the value in fewer nested steps");
    }
  }
  return undefined;
}

function syntaxProblem(error: IRecognitionException, tokens: IToken[]): Problem {
  const token = error.token;
  const previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
  const last = tokens[tokens.length - 1];
  const atEnd = token.tokenType === EOF;
  const offset = atEnd ? (last ? last.startOffset + last.image.length : 0) : token.startOffset;
  const length = atEnd ? 1 : token.image.length;
  const ruleStack = error.context?.ruleStack ?? [];
  const inRule = ruleStack[ruleStack.length - 1];

  if (!atEnd && tokenMatcher(token, BlockClose) && previous && tokenMatcher(previous, RParen)) {
    return {
      code: "MISSING_SEMICOLON",
      message: "missing ';' before the end of the block",
      offset,
      length,
      hint: `a block ends with ';' then its closer: …printDigest();${token.image}`,
    };
  }
  let message = error.message;
  let hint: string | undefined;
  if (previous && tokenMatcher(previous, Identifier) && inRule === "call") {
    hint = "methods are called with parentheses, even without arguments: .toHex()";
  } else if (previous && (tokenMatcher(previous, LParen) || tokenMatcher(previous, Comma)) && inRule === "call") {
    // chevrotain only names ')' here: MANY_SEP's look-ahead already ruled the argument out.
    message = `expected ${ARGUMENT_DESCRIPTION}${tokenMatcher(previous, LParen) ? " or ')'" : ""} but found ${describeToken(token)}`;
    if (!atEnd && tokenMatcher(token, Identifier))
      hint = 'put text in quotes ("…"), or start a nested expression with hash.';
  } else if (previous && tokenMatcher(previous, Dot) && inRule === "call") {
    message = `expected a method name after '.' but found ${describeToken(token)}`;
    hint = 'an expression is hash followed by method calls: hash.append("…")';
  }
  return { code: "SYNTAX_ERROR", message, offset, length, hint };
}
