import { type IToken, tokenMatcher } from "chevrotain";
import type { Block, Template, Text } from "./ast.ts";
import { type ClockOptions, evalContext } from "./clock.ts";
import { HashHelperError, type Problem } from "./errors.ts";
import { compileChain, type Evaluator } from "./evaluate.ts";
import { type LexFailure, tokenize } from "./lexer/lexer.ts";
import { lexicalProblem } from "./lexer/lexical-problems.ts";
import { BlockClose, BlockOpen } from "./lexer/tokens.ts";
import { secretSpans } from "./masks.ts";
import { parseBlock } from "./parser/parse.ts";

export type ExpandOptions = ClockOptions;

export interface CompiledTemplate {
  /** The parsed template: its text and blocks with their spans. */
  readonly ast: Template;
  /** Expands every block against one reading of the clock; text outside blocks is kept as is. */
  expand(options?: ExpandOptions): string;
}

/** The tokens of one block as the lexer found it, from its opener to its closer if it has one. */
interface RawBlock {
  tokens: IToken[];
  closed: boolean;
  /** Offset just past the block (past the end of the source when it is never closed). */
  end: number;
  failures: LexFailure[];
}

/** Parses and checks a whole template, reporting every problem in it in one HashHelperError. */
export function compile(source: string): CompiledTemplate {
  const { ast, pieces } = build(source);
  return {
    ast,
    expand(options) {
      const context = evalContext(options);
      let out = "";
      for (const piece of pieces) out += typeof piece === "string" ? piece : (piece(context) as string);
      return out;
    },
  };
}

/**
 * The template's AST and what expanding it joins: text as is, and one evaluator a block.
 * With `check: false` only the syntax is checked, and the evaluators must not be run.
 */
export function build(source: string, check = true): { ast: Template; pieces: (string | Evaluator)[] } {
  const { tokens, failures } = tokenize(source, "text");
  const raws = splitBlocks(tokens, failures, source.length);
  const problems: Problem[] = [];
  const parts: (Text | Block)[] = [];
  const pieces: (string | Evaluator)[] = [];

  let textStart = 0;
  for (const raw of raws) {
    const open = raw.tokens[0] as IToken;
    pushText(source, textStart, open.startOffset, parts, pieces);
    textStart = raw.end;
    const block = analyzeBlock(raw, source, problems, check);
    if (block) {
      parts.push(block.node);
      pieces.push(block.run);
    }
  }
  pushText(source, textStart, source.length, parts, pieces);

  if (problems.length > 0) {
    throw HashHelperError.from(
      source,
      problems,
      raws.flatMap((raw) => secretSpans(raw.tokens, raw.end)),
    );
  }
  return { ast: { type: "Template", parts, span: { offset: 0, length: source.length } }, pieces };
}

/** Expands every `{hash…;}` and `<hash…;>` block of a template. */
export function expand(template: string, options?: ExpandOptions): string {
  return compile(template).expand(options);
}

const notChecked: Evaluator = () => {
  throw new Error("a template built without checking cannot be expanded");
};

function pushText(source: string, from: number, to: number, parts: (Text | Block)[], pieces: (string | Evaluator)[]) {
  if (to <= from) return;
  // A slice of the source, not the tokens' images: text outside blocks is kept byte-for-byte.
  const value = source.slice(from, to);
  parts.push({ type: "Text", value, span: { offset: from, length: to - from } });
  pieces.push(value);
}

function splitBlocks(tokens: readonly IToken[], failures: readonly LexFailure[], length: number): RawBlock[] {
  const blocks: RawBlock[] = [];
  let current: RawBlock | undefined;
  for (const token of tokens) {
    if (tokenMatcher(token, BlockOpen)) {
      current = { tokens: [token], closed: false, end: length, failures: [] };
      blocks.push(current);
    } else if (current) {
      current.tokens.push(token);
      if (tokenMatcher(token, BlockClose)) {
        current.closed = true;
        current.end = token.startOffset + 1;
        current = undefined;
      }
    }
  }
  // Text mode matches every character, so every failure lies inside some block.
  let b = 0;
  for (const failure of failures) {
    while (b < blocks.length && (blocks[b] as RawBlock).end <= failure.offset) b++;
    blocks[b]?.failures.push(failure);
  }
  return blocks;
}

function analyzeBlock(
  raw: RawBlock,
  source: string,
  problems: Problem[],
  check: boolean,
): { node: Block; run: Evaluator } | undefined {
  const open = raw.tokens[0] as IToken;
  const delimiter = open.image === "<" ? "<" : "{";
  const lexical = lexicalProblem(raw.tokens, raw.failures, source, delimiter);
  if (lexical) {
    problems.push(lexical);
    return undefined;
  }
  if (!raw.closed) {
    problems.push({
      code: "UNCLOSED_BLOCK",
      message: `this block is never closed`,
      offset: open.startOffset,
      length: 1,
      hint: `end it with ';${delimiter === "{" ? "}" : ">"}' after the last call: …printDigest();${delimiter === "{" ? "}" : ">"}`,
    });
    return undefined;
  }
  const parsed = parseBlock(raw.tokens);
  problems.push(...parsed.problems);
  if (!parsed.node) return undefined;
  const run = check ? compileChain(parsed.node.expression, "block", problems).run : notChecked;
  return { node: parsed.node, run };
}
