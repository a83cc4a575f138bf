import type { Block, Call, Chain, Span, Template, Text } from "../language/ast.ts";
import { compileTextChain, EvaluationFailure, type TextEvaluator, type Tracer } from "../language/checker.ts";
import type { EvalContext } from "../language/context.ts";
import { HashHelperError, type Problem, quoteName } from "../language/errors.ts";
import { limitProblem } from "../language/limits.ts";
import type { Scope } from "../language/names.ts";
import { type Rules, withLimits } from "../language/rules.ts";
import { errorMasks, type Shape } from "../secrets/masks.ts";
import { templateBlocks } from "../syntax/source.ts";
import { retainedBytes, type TemplateCaches } from "./cache.ts";
import { type EvaluationOptions, type ExpandOptions, evalContext } from "./context.ts";
import { dependencyOrder, nameEdges, namePlan } from "./order.ts";

export interface CompiledTemplate {
  /** The parsed template: its text and blocks with their spans. */
  readonly ast: Template;
  /** Expands every block against one reading of the clock; text outside blocks is kept as is. */
  expand(options?: EvaluationOptions): string;
}

/** Parses and checks a whole template against the rules, reporting every problem in it in one HashHelperError. */
export function compileWith(rules: Rules, source: string, { reveal }: { reveal: boolean }): CompiledTemplate {
  return compiled(rules, source, reveal).template;
}

/** compileWith(), and the heap its result is estimated to hold. */
function compiled(rules: Rules, source: string, reveal: boolean): { template: CompiledTemplate; bytes: number } {
  // The tree is built again if asked for, not kept: expanding never reads it, and a template of
  // many blocks keeping every node alive made the collector copy them all, over and over.
  const built = build(source, { rules, reveal, keepAst: false });
  const run = runner(source, built, { reveal, shape: "template", rules });
  let ast: Template | undefined;
  const template: CompiledTemplate = {
    get ast() {
      ast ??= build(source, { rules, reveal, check: false }).ast;
      return ast;
    },
    expand: (evaluation) => run(evalContext(evaluation)),
  };
  return { template, bytes: built.bytes };
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
  const hit = cache?.recall(template);
  if (hit) return hit.expand(options);
  const made = compiled(used, template, reveal);
  cache?.remember(template, made.template, made.bytes);
  return made.template.expand(options);
}

/** A checked template that runs against a given context, for callers that share one clock. */
export function program(
  rules: Rules,
  source: string,
  { reveal, tracer, scope }: { reveal: boolean; tracer?: Tracer | undefined; scope?: Scope | undefined },
): Built & { run(context: EvalContext): string } {
  const built = build(source, { rules, reveal, tracer, scope });
  return { ...built, run: runner(source, built, { reveal, shape: "template", rules }) };
}

function runner(
  source: string,
  { pieces, order }: Pick<Built, "pieces" | "order">,
  shown: Shown,
): (context: EvalContext) => string {
  if (order) {
    // Blocks run in the order their named values need, and their outputs stand in order.
    return (context) => {
      const outputs: string[] = pieces.map((p) => (typeof p === "string" ? p : ""));
      try {
        for (const i of order) outputs[i] = (pieces[i] as TextEvaluator)(context);
      } catch (e) {
        throw rethrown(e, source, shown);
      }
      return outputs.join("");
    };
  }
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
  /**
   * The names of a larger whole (the parts of a signed request), which orders the blocks itself:
   * the blocks are compiled in their order, in this scope.
   */
  scope?: Scope | undefined;
}

/** The template's AST and what expanding it joins: text as is, and one evaluator a block. */
export function build(
  source: string,
  { rules, reveal, check = true, keepAst = true, tracer, scope }: BuildOptions,
): Built {
  const limits = rules.limits;
  const shown: Shown = { reveal, shape: "template", rules };
  if (source.length > limits.maxTemplateLength) throw tooLong(source, shown);
  const problems: Problem[] = [];
  const parts: (Text | Block)[] | undefined = keepAst ? [] : undefined;
  const pieces: (string | TextEvaluator)[] = [];
  const blocks: { node: Block; piece: number }[] = [];
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
    blocks.push({ node, piece: pieces.length });
    pieces.push(notChecked);
  }
  pushText(source, textStart, source.length, parts, pieces);
  if (firstTooMany !== undefined) {
    const at = { offset: firstTooMany, length: 1 };
    problems.unshift(limitProblem("maxBlocks", limits, `the template has ${count} blocks`, at, "use fewer blocks"));
  }

  // Blocks are compiled, and run, in the order their named values need; with none, in order.
  let order: number[] | undefined;
  if (check) {
    let plan: { order: number[]; scope: Scope } | undefined;
    if (scope === undefined) {
      // A block that could not be read (a syntax error, past a limit) may define what others read.
      const unread = problems.length > 0 || firstTooMany !== undefined;
      plan = blockOrder(
        blocks.map((b) => b.node.expression),
        rules,
        problems,
      );
      if (unread) plan.scope.complete = false;
    }
    const compileOrder = plan?.order ?? blocks.map((_, i) => i);
    for (const i of compileOrder) {
      const { node, piece } = blocks[i] as { node: Block; piece: number };
      pieces[piece] = compileTextChain(node.expression, "block", problems, rules, tracer, scope ?? plan?.scope);
    }
    if (plan?.order.some((b, i) => b !== i)) order = plan.order.map((b) => (blocks[b] as { piece: number }).piece);
  }

  if (problems.length > 0) throw failure(source, problems, shown);
  const ast: Template = { type: "Template", parts: parts ?? [], span: { offset: 0, length: source.length } };
  const bytes = retainedBytes(
    source,
    blocks.map((b) => b.node.expression),
    (call, index) => rules.methods.get(call.method)?.params[index]?.asBytes === true,
  );
  return { ast, pieces, order, bytes };
}

/** What build() gives: the AST, the pieces expanding joins, and the order blocks run in when not their own. */
export interface Built {
  ast: Template;
  pieces: (string | TextEvaluator)[];
  /** The indexes of the pieces that are blocks, in the order they run; undefined: in order. */
  order: number[] | undefined;
  /** The heap the pieces are estimated to hold, text included (see retainedBytes). */
  bytes: number;
}

/**
 * The order of a template's blocks that defines each named value before a block reads it, with
 * the scope they are checked in; a cycle, or a read before the definition, is a problem.
 */
function blockOrder(chains: readonly Chain[], rules: Rules, problems: Problem[]): { order: number[]; scope: Scope } {
  const plan = namePlan(chains, rules);
  if (plan.definedBy.size === 0) return { order: chains.map((_, i) => i), scope: plan.scope };
  const { deps, early } = nameEdges(plan);
  for (const { use } of early) problems.push(readBeforeDefinition(use.name, use.call));
  const { order, cycles } = dependencyOrder(deps);
  for (const { call } of cycles) {
    if (!call) continue;
    const first = call.args[0];
    const name = first?.type === "String" ? first.value : "";
    problems.push({
      code: "READ_CYCLE",
      message: `the value ${quoteName(name)} is defined from a value that reads it back`,
      ...call.nameSpan,
      hint: "named values cannot read each other: define one of them without the other",
    });
  }
  return { order, scope: plan.scope };
}

/** The problem of a read of a name that its own block defines only after it. */
export function readBeforeDefinition(name: string, call: Call): Problem {
  return {
    code: "UNDEFINED_NAME",
    message: `the value ${quoteName(name)} is read before it is defined`,
    ...call.nameSpan,
    hint: "read it after the hash.let that defines it, or in another block",
  };
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
