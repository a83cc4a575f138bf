import type { Chain } from "../language/ast.ts";
import { compileTextChain, type TextEvaluator, type Tracer } from "../language/checker.ts";
import type { HashHelperError, Problem } from "../language/errors.ts";
import { type Rules, withLimits } from "../language/rules.ts";
import { isBlockForm as isBlockExpression } from "../syntax/forms.ts";
import { bareExpression } from "../syntax/source.ts";
import { type ExpandOptions, evalContext } from "./context.ts";
import { build, failure, notChecked, rethrown, type Shown, tooLong } from "./template.ts";

/**
 * One expression, bare (`hash.getExpiryTime(240)`, with or without a final `;`) or wrapped as a
 * block (`{hash…;}`, `<hash…;>`, where the block's own rules apply), parsed and, with `check`,
 * checked against the method table. It throws what evaluate() throws, in the same order, which
 * explainExpression() relies on; a `tracer` is built into the evaluator of a bare expression
 * (a block's is explained as a template).
 */
export function compileExpression(
  expression: string,
  settings: { rules: Rules; reveal: boolean; check: boolean },
  tracer?: Tracer,
): { chain: Chain; run: TextEvaluator } {
  const { rules, reveal, check } = settings;
  const limits = rules.limits;
  const shown: Shown = { reveal, shape: "expression", rules };
  if (isBlockExpression(expression)) {
    const { ast, pieces } = build(expression, { rules, reveal, check });
    const index = ast.parts.findIndex((p) => p.type === "Block");
    const block = ast.parts[index];
    const run = pieces[index];
    const alone = ast.parts.every((p, i) => i === index || (p.type === "Text" && !p.value.trim()));
    if (block?.type !== "Block" || typeof run !== "function" || !alone) {
      throw notAnExpression(expression, { ...shown, shape: "template" });
    }
    return { chain: block.expression, run };
  }

  if (expression.length > limits.maxTemplateLength) throw tooLong(expression, shown);
  const parsed = bareExpression(expression, limits);
  if (!parsed) throw notAnExpression(expression, shown);
  const problems: Problem[] = [...parsed.problems];
  const run = parsed.node && check ? compileTextChain(parsed.node, "bare", problems, rules, tracer) : undefined;
  if (problems.length > 0 || !parsed.node) throw failure(expression, problems, shown);
  return { chain: parsed.node, run: run ?? notChecked };
}

function notAnExpression(expression: string, shown: Shown): HashHelperError {
  const problem: Problem = {
    code: "NOT_AN_EXPRESSION",
    message: "not a hash expression",
    offset: expression.length - expression.trimStart().length,
    length: 1,
    hint: "an expression starts with hash., as in hash.getExpiryTime(240); use expand() for a whole template",
  };
  // Not an expression, but it may still hold a key: masked like any other.
  return failure(expression, [problem], shown);
}

/** The value of one expression, against the rules. */
export function evaluateWith(rules: Rules, expression: string, options: ExpandOptions | undefined): string {
  const reveal = options?.revealSecrets === true;
  const used = withLimits(rules, options?.limits);
  const { run } = compileExpression(expression, { rules: used, reveal, check: true });
  const context = evalContext(options);
  try {
    return run(context);
  } catch (e) {
    throw rethrown(e, expression, shownFor(expression, used, reveal));
  }
}

/**
 * The AST of one expression. Only its syntax is checked: method names and kinds are the
 * evaluator's business, so a tool can inspect any chain that parses.
 */
export function parseWith(
  rules: Rules,
  expression: string,
  options: Pick<ExpandOptions, "limits" | "revealSecrets"> | undefined,
): Chain {
  const used = withLimits(rules, options?.limits);
  return compileExpression(expression, { rules: used, reveal: options?.revealSecrets === true, check: false }).chain;
}

/** How the errors of an expression are shown: a block-wrapped one is read as the template it is. */
export function shownFor(expression: string, rules: Rules, reveal: boolean): Shown {
  return { reveal, shape: isBlockExpression(expression) ? "template" : "expression", rules };
}

export { isBlockForm as isBlockExpression } from "../syntax/forms.ts";
