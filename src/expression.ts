import { type IToken, tokenMatcher } from "chevrotain";
import type { Chain } from "./ast.ts";
import { evalContext } from "./clock.ts";
import { HashHelperError, type Problem } from "./errors.ts";
import { compileChain, type Evaluator } from "./evaluate.ts";
import { tokenize } from "./lexer/lexer.ts";
import { lexicalProblem } from "./lexer/lexical-problems.ts";
import { Hash } from "./lexer/tokens.ts";
import { secretSpans } from "./masks.ts";
import { parseBare } from "./parser/parse.ts";
import { build, type ExpandOptions } from "./template.ts";

export type EvaluateOptions = ExpandOptions;

/**
 * One expression, bare (`hash.getExpiryTime(240)`, with or without a final `;`) or wrapped as a
 * block (`{hash…;}`, `<hash…;>`, where the block's own rules apply), parsed and checked.
 */
function compileExpression(expression: string): { chain: Chain; run: Evaluator } {
  const trimmed = expression.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("<")) {
    const { ast, pieces } = build(expression);
    const index = ast.parts.findIndex((p) => p.type === "Block");
    const block = ast.parts[index];
    const run = pieces[index];
    const alone = ast.parts.every((p, i) => i === index || (p.type === "Text" && !p.value.trim()));
    if (block?.type !== "Block" || typeof run !== "function" || !alone) throw notAnExpression(expression);
    return { chain: block.expression, run };
  }

  const { tokens, failures } = tokenize(expression, "bare");
  const problems: Problem[] = [];
  const lexical = lexicalProblem(tokens, failures, expression, undefined);
  if (lexical) problems.push(lexical);
  else if (!tokens[0] || !tokenMatcher(tokens[0] as IToken, Hash)) throw notAnExpression(expression);
  const parsed = lexical ? undefined : parseBare(tokens);
  if (parsed) problems.push(...parsed.problems);
  const compiled = parsed?.node ? compileChain(parsed.node, "bare", problems) : undefined;
  if (problems.length > 0 || !parsed?.node || !compiled) {
    throw HashHelperError.from(expression, problems, secretSpans(tokens, expression.length));
  }
  return { chain: parsed.node, run: compiled.run };
}

function notAnExpression(expression: string): HashHelperError {
  return HashHelperError.from(expression, [
    {
      code: "NOT_AN_EXPRESSION",
      message: "not a hash expression",
      offset: expression.length - expression.trimStart().length,
      length: 1,
      hint: "an expression starts with hash., as in hash.getExpiryTime(240); use expand() for a whole template",
    },
  ]);
}

/** The value of one expression. */
export function evaluate(expression: string, options?: EvaluateOptions): string {
  const { run } = compileExpression(expression);
  return run(evalContext(options)) as string;
}

/** The AST of one expression, checked against the method table. */
export function parse(expression: string): Chain {
  return compileExpression(expression).chain;
}
