import type { Block, Span, Template, Text } from "../language/ast.ts";
import { compileTextChain, EvaluationFailure, type TextEvaluator, type Tracer } from "../language/checker.ts";
import type { EvalContext } from "../language/context.ts";
import { HashHelperError, type Problem } from "../language/errors.ts";
import { limitProblem } from "../language/limits.ts";
import { type Rules, withLimits } from "../language/rules.ts";
import { errorMasks, type Shape } from "../secrets/masks.ts";
import { templateBlocks } from "../syntax/source.ts";
import type { TemplateCaches } from "./cache.ts";
import { type EvaluationOptions, type ExpandOptions, evalContext } from "./context.ts";

export interface CompiledTemplate {
  /** The parsed template: its text and blocks with their spans. */
  readonly ast: Template;
  /** Expands every block against one reading of the clock; text outside blocks is kept as is. */
  expand(options?: EvaluationOptions): string;
}

/** Parses and checks a whole template against the rules, reporting every problem in it in one HashHelperError. */
export function compileWith(rules: Rules, source: string, { reveal }: { reveal: boolean }): CompiledTemplate {
  // The tree is built again if asked for, not kept: expanding never reads it, and a template of
  // many blocks keeping every node alive made the collector copy them all, over and over.
  const run = runner(source, build(source, { rules, reveal, keepAst: false }).pieces, {
    reveal,
    shape: "template",
    rules,
  });
  let ast: Template | undefined;
  return {
    get ast() {
      ast ??= build(source, { rules, reveal, check: false }).ast;
      return ast;
    },
    expand: (evaluation) => run(evalContext(evaluation)),
  };
}

/**
 * Expands every `{hash…;}` and `<hash…;>` block of a template, against the rules, keeping what
 * it compiled in `caches`: a dashboard expands the same URL on every refresh. A template that
 * fails to compile is not kept, and fails the same way each time.
 */
export function expandWith(
  rules: Rules,
  caches: TemplateCaches<CompiledTemplate> | undefined,
  template: string,
  options: ExpandOptions | undefined,
): string {
  const reveal = options?.revealSecrets === true;
  const used = withLimits(rules, options?.limits);
  // A compilation that reveals literals in its errors is for debugging, and never kept for others.
  const cache = reveal ? undefined : caches?.for(used.limits);
  let compiled = cache?.recall(template);
  if (!compiled) {
    compiled = compileWith(used, template, { reveal });
    cache?.remember(template, compiled);
  }
  return compiled.expand(options);
}

/** A checked template that runs against a given context, for callers that share one clock. */
export function program(
  rules: Rules,
  source: string,
  { reveal, tracer }: { reveal: boolean; tracer?: Tracer | undefined },
): { ast: Template; pieces: readonly (string | TextEvaluator)[]; run(context: EvalContext): string } {
  const { ast, pieces } = build(source, { rules, reveal, tracer });
  return { ast, pieces, run: runner(source, pieces, { reveal, shape: "template", rules }) };
}

function runner(
  source: string,
  pieces: readonly (string | TextEvaluator)[],
  shown: Shown,
): (context: EvalContext) => string {
  return (context) => {
    let out = "";
    try {
      for (const piece of pieces) out += typeof piece === "string" ? piece : piece(context);
    } catch (e) {
      throw rethrown(e, source, shown);
    }
    return out;
  };
}

/** How the errors of a source are shown. */
export interface Shown {
  /** Show literals (CompileOptions.revealSecrets). */
  reveal: boolean;
  /** How the source is read, which decides what its tokens are. */
  shape: Shape;
  /** The method table decides which literals are names, and shown. */
  rules: Rules;
}

/**
 * The one error of problems found in a source, its excerpts masked (src/secrets/masks.ts) unless the
 * caller asked to reveal them.
 */
export function failure(source: string, problems: readonly Problem[], shown: Shown): HashHelperError {
  return HashHelperError.from(source, problems, masksOf(source, shown));
}

/**
 * What a run that threw `e` throws: a problem found while evaluating becomes the source's
 * error, anything else is thrown as it was.
 */
export function rethrown(e: unknown, source: string, shown: Shown): unknown {
  return e instanceof EvaluationFailure ? failure(source, [e.problem], shown) : e;
}

function masksOf(source: string, { reveal, shape, rules }: Shown): Span[] {
  return reveal ? [] : errorMasks(source, { shape, methods: rules.methods });
}

/** How build() works on a source. */
export interface BuildOptions {
  rules: Rules;
  /** Errors show literals (CompileOptions.revealSecrets). */
  reveal: boolean;
  /** Check against the method table; without it only the syntax is, and the evaluators must not run. Default true. */
  check?: boolean;
  /** Keep the AST's parts; without it the AST has none, for a caller that only runs the pieces. Default true. */
  keepAst?: boolean;
  /** Built into every block's evaluator, for explain(): see Tracer. */
  tracer?: Tracer | undefined;
}

/** The template's AST and what expanding it joins: text as is, and one evaluator a block. */
export function build(
  source: string,
  { rules, reveal, check = true, keepAst = true, tracer }: BuildOptions,
): { ast: Template; pieces: (string | TextEvaluator)[] } {
  const limits = rules.limits;
  const shown: Shown = { reveal, shape: "template", rules };
  if (source.length > limits.maxTemplateLength) throw tooLong(source, shown);
  const problems: Problem[] = [];
  const parts: (Text | Block)[] | undefined = keepAst ? [] : undefined;
  const pieces: (string | TextEvaluator)[] = [];
  let textStart = 0;
  let count = 0;
  let firstTooMany: number | undefined;
  for (const found of templateBlocks(source, limits)) {
    // Past the limit, blocks are only counted, for the message.
    if (++count > limits.maxBlocks) {
      firstTooMany ??= found.start;
      continue;
    }
    pushText(source, textStart, found.start, parts, pieces);
    textStart = found.end;
    const { node, problems: found_ } = found.parse();
    problems.push(...found_);
    if (!node) continue;
    parts?.push(node);
    pieces.push(check ? compileTextChain(node.expression, "block", problems, rules, tracer) : notChecked);
  }
  pushText(source, textStart, source.length, parts, pieces);
  if (firstTooMany !== undefined) {
    const at = { offset: firstTooMany, length: 1 };
    problems.unshift(limitProblem("maxBlocks", limits, `the template has ${count} blocks`, at, "use fewer blocks"));
  }

  if (problems.length > 0) throw failure(source, problems, shown);
  return { ast: { type: "Template", parts: parts ?? [], span: { offset: 0, length: source.length } }, pieces };
}

/**
 * The error for a source over maxTemplateLength. Its excerpt is masked from the tokens of the
 * part up to just past the limit only, so that refusing a huge template stays cheap.
 */
export function tooLong(source: string, shown: Shown): HashHelperError {
  const { limits } = shown.rules;
  const what = shown.shape;
  const at = { offset: limits.maxTemplateLength, length: 1 };
  const masks = masksOf(source.slice(0, limits.maxTemplateLength + 1024), shown);
  const problem = limitProblem(
    "maxTemplateLength",
    limits,
    `the ${what} is ${source.length} characters long`,
    at,
    `shorten the ${what}`,
  );
  return HashHelperError.from(source, [problem], masks);
}

/** The evaluator of a source compiled without checking (parse()), which must never run. */
export const notChecked: TextEvaluator = () => {
  throw new Error("a source compiled without checking cannot be expanded");
};

function pushText(
  source: string,
  from: number,
  to: number,
  parts: (Text | Block)[] | undefined,
  pieces: (string | TextEvaluator)[],
) {
  if (to <= from) return;
  // A slice of the source, not the tokens' images: text outside blocks is kept byte-for-byte.
  const value = source.slice(from, to);
  parts?.push({ type: "Text", value, span: { offset: from, length: to - from } });
  pieces.push(value);
}
