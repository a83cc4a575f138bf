import { type IToken, tokenMatcher } from "chevrotain";
import type { Block, Template, Text } from "./ast.ts";
import { type CompileOptions, type EvaluationOptions, type ExpandOptions, evalContext } from "./context.ts";
import { HashHelperError, type Problem } from "./errors.ts";
import { compileTextChain, EvaluationFailure, type TextEvaluator } from "./evaluate.ts";
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
  const reveal = options?.revealSecrets === true;
  // The tree is built again if asked for, not kept: expanding never reads it, and a template of
  // many blocks keeping every node alive made the collector copy them all, over and over.
  const run = runner(source, build(source, { limits, reveal, keepAst: false }).pieces, reveal);
  let ast: Template | undefined;
  return {
    get ast() {
      ast ??= build(source, { limits, reveal, check: false }).ast;
      return ast;
    },
    expand: (evaluation) => run(evalContext(evaluation)),
  };
}

/** A checked template that runs against a given context, for callers that share one clock. */
export function program(
  source: string,
  limits: Readonly<Limits>,
  reveal = false,
): { ast: Template; run(context: EvalContext): string } {
  const { ast, pieces } = build(source, { limits, reveal });
  return { ast, run: runner(source, pieces, reveal) };
}

function runner(
  source: string,
  pieces: readonly (string | TextEvaluator)[],
  reveal: boolean,
): (context: EvalContext) => string {
  return (context) => {
    let out = "";
    try {
      for (const piece of pieces) out += typeof piece === "string" ? piece : piece(context);
    } catch (e) {
      throw e instanceof EvaluationFailure ? failure(source, [e.problem], reveal) : e;
    }
    return out;
  };
}

/**
 * The one error of problems found in a source, its excerpts masked (src/masks.ts) unless the
 * caller asked to reveal them.
 */
export function failure(source: string, problems: readonly Problem[], reveal: boolean): HashHelperError {
  return HashHelperError.from(source, problems, reveal ? [] : errorMasks(source));
}

/** How build() works on a source. */
export interface BuildOptions {
  limits: Readonly<Limits>;
  /** Errors show literals (CompileOptions.revealSecrets). */
  reveal: boolean;
  /** Check against the method table; without it only the syntax is, and the evaluators must not run. Default true. */
  check?: boolean;
  /** Keep the AST's parts; without it the AST has none, for a caller that only runs the pieces. Default true. */
  keepAst?: boolean;
}

/**
 * Expands every `{hash…;}` and `<hash…;>` block of a template. A dashboard expands the same URL
 * on every refresh, so compiled templates are kept in a small cache; a template that fails to
 * compile is not kept, and fails the same way each time.
 */
export function expand(template: string, options?: ExpandOptions): string {
  // Limits change what compiles, so each set of limits has a cache of its own: no text of a
  // template can make one caller's entry another's. Revealing errors is for debugging one's own
  // template, and a compilation that reveals is never kept for someone else.
  const cache = options?.revealSecrets ? undefined : cacheFor(resolveLimits(options?.limits));
  let compiled = cache?.recall(template);
  if (!compiled) {
    compiled = compile(template, options);
    cache?.remember(template, compiled);
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
/** How many sets of limits other than the default ones get a cache (each of the same size). */
const LIMIT_SETS = 8;

// Two generations rather than a strict least-recently-used order: a hit in the young one is a
// single lookup, where moving an entry to the back of one Map was a delete and a set, and
// evicting its oldest entry a walk past every entry deleted before. When the young generation
// is full it becomes the old one, and the old one is dropped; a hit in the old one moves back
// to the young one. A generation holds CACHE_SIZE templates, so that the CACHE_SIZE used last
// are always kept, and half of CACHE_CHARACTERS, so that both together stay within it.
class Generation {
  readonly templates = new Map<string, CompiledTemplate>();
  characters = 0;
}

class TemplateCache {
  private young = new Generation();
  private old = new Generation();

  recall(template: string): CompiledTemplate | undefined {
    const hit = this.young.templates.get(template);
    if (hit) return hit;
    const aged = this.old.templates.get(template);
    if (aged) {
      this.old.templates.delete(template);
      this.old.characters -= template.length;
      this.remember(template, aged);
    }
    return aged;
  }

  remember(template: string, compiled: CompiledTemplate): void {
    if (template.length > CACHE_CHARACTERS / 2) return;
    const young = this.young;
    if (young.templates.size >= CACHE_SIZE || young.characters + template.length > CACHE_CHARACTERS / 2) {
      this.old = young;
      this.young = new Generation();
    }
    this.young.templates.set(template, compiled);
    this.young.characters += template.length;
  }

  usage(): { keys: string[]; characters: number } {
    return {
      keys: [...this.young.templates.keys(), ...this.old.templates.keys()],
      characters: this.young.characters + this.old.characters,
    };
  }
}

let defaultCache = new TemplateCache();
/** By the limits, written as JSON (Infinity as null, which no other limit can be). */
let limitCaches = new Map<string, TemplateCache>();

function cacheFor(limits: Readonly<Limits>): TemplateCache | undefined {
  if (limits === defaultLimits) return defaultCache;
  const id = JSON.stringify(limits);
  let cache = limitCaches.get(id);
  if (!cache && limitCaches.size < LIMIT_SETS) {
    cache = new TemplateCache();
    limitCaches.set(id, cache);
  }
  return cache;
}

/** Empties the cache, for its tests. */
export function clearCache(): void {
  defaultCache = new TemplateCache();
  limitCaches = new Map();
}

/** What the caches hold, for their tests: the templates, once for each set of limits, and their length. */
export function cacheUsage(): { keys: string[]; characters: number } {
  const usages = [defaultCache, ...limitCaches.values()].map((cache) => cache.usage());
  return {
    keys: usages.flatMap((u) => u.keys),
    characters: usages.reduce((sum, u) => sum + u.characters, 0),
  };
}

/** The template's AST and what expanding it joins: text as is, and one evaluator a block. */
export function build(
  source: string,
  { limits, reveal, check = true, keepAst = true }: BuildOptions,
): { ast: Template; pieces: (string | TextEvaluator)[] } {
  if (source.length > limits.maxTemplateLength) throw tooLong(source, limits, "template", reveal);
  const problems: Problem[] = [];
  const parts: (Text | Block)[] | undefined = keepAst ? [] : undefined;
  const pieces: (string | TextEvaluator)[] = [];
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
    throw failure(source, problems, reveal);
  }
  return { ast: { type: "Template", parts: parts ?? [], span: { offset: 0, length: source.length } }, pieces };
}

/**
 * The error for a source over maxTemplateLength. Its excerpt is masked from the tokens of the
 * part up to just past the limit only, so that refusing a huge template stays cheap.
 */
export function tooLong(
  source: string,
  limits: Readonly<Limits>,
  what: "template" | "expression",
  reveal: boolean,
): HashHelperError {
  const at = { offset: limits.maxTemplateLength, length: 1 };
  const head = source.slice(0, limits.maxTemplateLength + 1024);
  const masks = reveal ? [] : errorMasks(head);
  const problem = limitProblem(
    "maxTemplateLength",
    limits,
    `the ${what} is ${source.length} characters long`,
    at,
    `shorten the ${what}`,
  );
  return HashHelperError.from(source, [problem], masks);
}

const notChecked: TextEvaluator = () => {
  throw new Error("a template built without checking cannot be expanded");
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

function analyzeBlock(
  raw: RawBlock,
  source: string,
  problems: Problem[],
  limits: Readonly<Limits>,
  check: boolean,
): { node: Block; run: TextEvaluator } | undefined {
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
  const run = check ? compileTextChain(parsed.node.expression, "block", problems, limits) : notChecked;
  return { node: parsed.node, run };
}
