import { tokenMatcher } from "chevrotain";
import type { Chain } from "./ast.ts";
import { type ExpandOptions, evalContext } from "./context.ts";
import { HashHelperError, type Problem } from "./errors.ts";
import { compileChain, EvaluationFailure, type Evaluator, type Tracer } from "./evaluate.ts";
import { tokenize } from "./lexer/lexer.ts";
import { lexicalProblem } from "./lexer/lexical-problems.ts";
import { Hash } from "./lexer/tokens.ts";
import { type Limits, resolveLimits } from "./limits.ts";
import { type Parsed, parseBare } from "./parser/parse.ts";
import { errorMasks } from "./masks.ts";
import { build, tooLong } from "./template.ts";

/**
 * One expression, bare (`hash.getExpiryTime(240)`, with or without a final `;`) or wrapped as a
 * block (`{hash…;}`, `<hash…;>`, where the block's own rules apply), parsed and, with `check`,
 * checked against the method table. It throws what evaluate() throws, in the same order, which
 * explainExpression() relies on; a `tracer` is built into the evaluator of a bare expression
 * (a block's is explained as a template).
 */
export function compileExpression(
  expression: string,
  limits: Readonly<Limits>,
  check: boolean,
  tracer?: Tracer,
): { chain: Chain; run: Evaluator } {
  const trimmed = expression.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("<")) {
    const { ast, pieces } = build(expression, limits, check);
    const index = ast.parts.findIndex((p) => p.type === "Block");
    const block = ast.parts[index];
    const run = pieces[index];
    const alone = ast.parts.every((p, i) => i === index || (p.type === "Text" && !p.value.trim()));
    if (block?.type !== "Block" || typeof run !== "function" || !alone) throw notAnExpression(expression);
    return { chain: block.expression, run };
  }

  if (expression.length > limits.maxTemplateLength) throw tooLong(expression, limits, "expression");
  const { tokens, failures } = tokenize(expression, "bare");
  const first = tokens[0];
  if (!first || !tokenMatcher(first, Hash) || (failures[0] && failures[0].offset < first.startOffset)) {
    throw notAnExpression(expression);
  }
  const lexical = lexicalProblem(tokens, failures, expression, undefined);
  const parsed: Parsed<Chain> = lexical ? { problems: [lexical] } : parseBare(tokens, limits);
  const problems: Problem[] = [...parsed.problems];
  const run = parsed.node && check ? compileChain(parsed.node, "bare", problems, limits, tracer).run : undefined;
  if (problems.length > 0 || !parsed.node) {
    throw HashHelperError.from(expression, problems, errorMasks(expression));
  }
  return { chain: parsed.node, run: run ?? notChecked };
}

const notChecked: Evaluator = () => {
  throw new Error("an expression parsed without checking cannot be evaluated");
};

function notAnExpression(expression: string): HashHelperError {
  // Not an expression, but it may still hold a key argument: mask what the tokens show.
  const masks = errorMasks(expression);
  const problem: Problem = {
    code: "NOT_AN_EXPRESSION",
    message: "not a hash expression",
    offset: expression.length - expression.trimStart().length,
    length: 1,
    hint: "an expression starts with hash., as in hash.getExpiryTime(240); use expand() for a whole template",
  };
  return HashHelperError.from(expression, [problem], masks);
}

/** The value of one expression. */
export function evaluate(expression: string, options?: ExpandOptions): string {
  const { run } = compileExpression(expression, resolveLimits(options?.limits), true);
  const context = evalContext(options);
  try {
    return run(context) as string;
  } catch (e) {
    if (!(e instanceof EvaluationFailure)) throw e;
    const masks = errorMasks(expression);
    throw HashHelperError.from(expression, [e.problem], masks);
  }
}

/**
 * The AST of one expression. Only its syntax is checked: method names and kinds are the
 * evaluator's business, so a tool can inspect any chain that parses.
 */
export function parse(expression: string, options?: Pick<ExpandOptions, "limits">): Chain {
  return compileExpression(expression, resolveLimits(options?.limits), false).chain;
}
