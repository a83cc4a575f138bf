import { type IToken, tokenMatcher } from "chevrotain";
import type { Block, Span, Template, Text } from "./ast.ts";
import { type CompileOptions, type EvaluationOptions, type ExpandOptions, evalContext } from "./context.ts";
import { HashHelperError, type Problem } from "./errors.ts";
import { compileChain, EvaluationFailure, type Evaluator } from "./evaluate.ts";
import { type LexFailure, lexBlocks } from "./lexer/lexer.ts";
import { lexicalProblem } from "./lexer/lexical-problems.ts";
import { Semicolon } from "./lexer/tokens.ts";
import { defaultLimits, type Limits, limitProblem, resolveLimits } from "./limits.ts";
import { errorMasks } from "./masks.ts";
import type { EvalContext } from "./methods.ts";
import { parseBlock } from "./parser/parse.ts";

export interface CompiledTemplate {
  /** The parsed template: its text and blocks with their spans. */
  readonly ast: Template;
  /** Expands every block against one reading of the clock; text outside blocks is kept as is. */
  expand(options?: EvaluationOptions): string;
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
export function compile(source: string, options?: CompileOptions): CompiledTemplate {
  const limits = resolveLimits(options?.limits);
  // The tree is built again if asked for, not kept: expanding never reads it, and a template of
  // many blocks keeping every node alive made the collector copy them all, over and over.
  const run = runner(source, build(source, limits, true, false).pieces);
  let ast: Template | undefined;
  return {
    get ast() {
      ast ??= build(source, limits, false).ast;
      return ast;
    },
    expand: (evaluation) => run(evalContext(evaluation)),
  };
}

/** A checked template that runs against a given context, for callers that share one clock. */
export function program(
  source: string,
  limits: Readonly<Limits>,
): { ast: Template; run(context: EvalContext): string } {
  const { ast, pieces } = build(source, limits);
  return { ast, run: runner(source, pieces) };
}

function runner(source: string, pieces: readonly (string | Evaluator)[]): (context: EvalContext) => string {
  return (context) => {
    let out = "";
    try {
      for (const piece of pieces) out += typeof piece === "string" ? piece : (piece(context) as string);
    } catch (e) {
      throw e instanceof EvaluationFailure ? HashHelperError.from(source, [e.problem], errorMasks(source)) : e;
    }
    return out;
  };
}

/**
 * Expands every `{hash…;}` and `<hash…;>` block of a template. A dashboard expands the same URL
 * on every refresh, so compiled templates are kept in a small cache; a template that fails to
 * compile is not kept, and fails the same way each time.
 */
export function expand(template: string, options?: ExpandOptions): string {
  // Limits change what compiles, so they are part of the key; the default ones add nothing.
  const limits = resolveLimits(options?.limits);
  const key = limits === defaultLimits ? template : `${JSON.stringify(limits)}\u0000${template}`;
  let compiled = recall(key);
  if (!compiled) {
    compiled = compile(template, options);
    remember(key, compiled);
  }
  return compiled.expand(options);
}

/**
 * How many compiled templates expand() keeps at least: the ones used last. It may keep up to
 * twice as many (see the generations below).
 */
export const CACHE_SIZE = 256;
/**
 * How many characters of templates expand() keeps compiled, in all. A count alone would let
 * large templates hold hundreds of megabytes, whose garbage collection then slows every
 * expansion. Dashboard URLs are a few hundred characters: this bound only turns away large
 * templates, which are then compiled on every expansion.
 */
export const CACHE_CHARACTERS = 1 << 20;

// Two generations rather than a strict least-recently-used order: a hit in the young one is a
// single lookup, where moving an entry to the back of one Map was a delete and a set, and
// evicting its oldest entry a walk past every entry deleted before. When the young generation
// is full it becomes the old one, and the old one is dropped; a hit in the old one moves back
// to the young one. A generation holds CACHE_SIZE templates, so that the CACHE_SIZE used last
// are always kept, and half of CACHE_CHARACTERS, so that both together stay within it.
interface Generation {
  templates: Map<string, CompiledTemplate>;
  characters: number;
}
let young: Generation = { templates: new Map(), characters: 0 };
let old: Generation = { templates: new Map(), characters: 0 };

function recall(key: string): CompiledTemplate | undefined {
  const hit = young.templates.get(key);
  if (hit) return hit;
  const aged = old.templates.get(key);
  if (aged) {
    old.templates.delete(key);
    old.characters -= key.length;
    remember(key, aged);
  }
  return aged;
}

function remember(key: string, compiled: CompiledTemplate): void {
  if (key.length > CACHE_CHARACTERS / 2) return;
  if (young.templates.size >= CACHE_SIZE || young.characters + key.length > CACHE_CHARACTERS / 2) {
    old = young;
    young = { templates: new Map(), characters: 0 };
  }
  young.templates.set(key, compiled);
  young.characters += key.length;
}

/** Empties the cache, for its tests. */
export function clearCache(): void {
  young = { templates: new Map(), characters: 0 };
  old = { templates: new Map(), characters: 0 };
}

/** What the cache holds, for its tests: the keys (templates, with limits when given) and their length. */
export function cacheUsage(): { keys: string[]; characters: number } {
  return {
    keys: [...young.templates.keys(), ...old.templates.keys()],
    characters: young.characters + old.characters,
  };
}

/**
 * The template's AST and what expanding it joins: text as is, and one evaluator a block.
 * With `check: false` only the syntax is checked, and the evaluators must not be run; with
 * `keepAst: false` the AST has no parts, for a caller that only runs the pieces.
 */
export function build(
  source: string,
  limits: Readonly<Limits>,
  check = true,
  keepAst = true,
): { ast: Template; pieces: (string | Evaluator)[] } {
  if (source.length > limits.maxTemplateLength) throw tooLong(source, limits, "template");
  const problems: Problem[] = [];
  const parts: (Text | Block)[] | undefined = keepAst ? [] : undefined;
  const pieces: (string | Evaluator)[] = [];
  let textStart = 0;
  let count = 0;
  let firstTooMany: number | undefined;
  for (const { start, end, closed, tokens, failures } of lexBlocks(source)) {
    // Past the limit, blocks are only counted, for the message.
    if (++count > limits.maxBlocks) {
      firstTooMany ??= start;
      continue;
    }
    pushText(source, textStart, start, parts, pieces);
    textStart = end;
    const block = analyzeBlock({ tokens, closed, end, failures }, source, problems, limits, check);
    if (block) {
      parts?.push(block.node);
      pieces.push(block.run);
    }
  }
  pushText(source, textStart, source.length, parts, pieces);
  if (firstTooMany !== undefined) {
    const at = { offset: firstTooMany, length: 1 };
    problems.unshift(limitProblem("maxBlocks", limits, `the template has ${count} blocks`, at, "use fewer blocks"));
  }

  if (problems.length > 0) {
    throw HashHelperError.from(source, problems, errorMasks(source));
  }
  return { ast: { type: "Template", parts: parts ?? [], span: { offset: 0, length: source.length } }, pieces };
}

/**
 * The error for a source over maxTemplateLength. Its excerpt is masked from the tokens of the
 * part up to just past the limit only, so that refusing a huge template stays cheap.
 */
export function tooLong(source: string, limits: Readonly<Limits>, what: "template" | "expression"): HashHelperError {
  const at = { offset: limits.maxTemplateLength, length: 1 };
  const head = source.slice(0, limits.maxTemplateLength + 1024);
  const masks = errorMasks(head);
  const problem = limitProblem(
    "maxTemplateLength",
    limits,
    `the ${what} is ${source.length} characters long`,
    at,
    `shorten the ${what}`,
  );
  return HashHelperError.from(source, [problem], masks);
}

const notChecked: Evaluator = () => {
  throw new Error("a template built without checking cannot be expanded");
};

function pushText(
  source: string,
  from: number,
  to: number,
  parts: (Text | Block)[] | undefined,
  pieces: (string | Evaluator)[],
) {
  if (to <= from) return;
  // A slice of the source, not the tokens' images: text outside blocks is kept byte-for-byte.
  const value = source.slice(from, to);
  parts?.push({ type: "Text", value, span: { offset: from, length: to - from } });
  pieces.push(value);
}

function analyzeBlock(
  raw: RawBlock,
  source: string,
  problems: Problem[],
  limits: Readonly<Limits>,
  check: boolean,
): { node: Block; run: Evaluator } | undefined {
  const open = raw.tokens[0] as IToken;
  const delimiter = open.image === "<" ? "<" : "{";
  const closer = delimiter === "{" ? "}" : ">";
  const lexical = lexicalProblem(raw.tokens, raw.failures, source, delimiter);
  // `{hash….printDigest();&b=2`: the closer is missing after the ';', and what follows is the
  // URL, not a mistake in the expression.
  const semicolon = raw.closed ? undefined : raw.tokens.find((t) => tokenMatcher(t, Semicolon));
  if (semicolon && semicolon.startOffset < (lexical?.offset ?? Number.POSITIVE_INFINITY)) {
    problems.push({
      code: "UNCLOSED_BLOCK",
      message: `the block is not closed after its ';'`,
      offset: semicolon.startOffset + 1,
      length: 1,
      hint: `add '${closer}' right after the ';': …printDigest();${closer}`,
    });
    return undefined;
  }
  if (lexical) {
    problems.push(lexical);
    return undefined;
  }
  if (!raw.closed) {
    problems.push({
      code: "UNCLOSED_BLOCK",
      message: "this block is never closed",
      offset: open.startOffset,
      length: 1,
      hint: `end it with ';${closer}' after the last call: …printDigest();${closer}`,
    });
    return undefined;
  }
  const parsed = parseBlock(raw.tokens, limits);
  problems.push(...parsed.problems);
  if (!parsed.node) return undefined;
  const run = check ? compileChain(parsed.node.expression, "block", problems, limits).run : notChecked;
  return { node: parsed.node, run };
}
