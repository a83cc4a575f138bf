// An instance of the interpreter that a host owns, as Jexl's `new Jexl()` and cel-js's
// `Environment` are: its own functions besides the language's, its own default limits and its
// own cache. The top-level functions of the package are a default instance's.

import { CacheBudget, type CacheSizes, type CacheUsage, defaultCacheSizes, TemplateCaches } from "./engine/cache.ts";
import type { ExpandOptions } from "./engine/context.ts";
import { evaluateWith, parseWith } from "./engine/expression.ts";
import { type CompiledTemplate, compileWith, expandWith } from "./engine/template.ts";
import {
  type ExplainOptions,
  type Explanation,
  explainAndEvaluateWith,
  explainAndExpandWith,
  explainAndSignRequestWith,
  explainExpressionWith,
  explainWith,
  type RequestExplanation,
} from "./features/explain.ts";
import { type Diagnostic, formatDiagnostics, type LintOptions, lintWith } from "./features/lint.ts";
import {
  type CachedRequest,
  type Headers,
  type RequestTemplate,
  runBlock,
  type SignedRequest,
  type SignOptions,
  signRequestWith,
} from "./features/sign-request.ts";
import type { Chain } from "./language/ast.ts";
import { type HostFunction, hostMethod } from "./language/host.ts";
import { type Limits, resolveLimits } from "./language/limits.ts";
import type { Method } from "./language/method.ts";
import { methods as builtins, MethodTable } from "./language/methods.ts";
import { type Rules, withLimits as withLimitsOf } from "./language/rules.ts";
import { type RedactOptions, redactWith } from "./secrets/redact.ts";

export interface HashHelperOptions {
  /** The instance's limits: overrides of `defaultLimits`, which a call's own `limits` override in turn. */
  limits?: Partial<Limits> | undefined;
  /** Value functions of the host's own, called as `hash.name(…)` at the start of a chain. */
  methods?: readonly HostFunction[] | undefined;
  /** The size of the instance's cache of compiled templates and requests, or false for none. */
  cache?: Partial<CacheSizes> | false | undefined;
}

export interface HashHelper {
  /**
   * Expands every `{hash…;}` and `<hash…;>` block of a template against one reading of the
   * clock; text outside blocks is kept as is. Compiled templates are kept in the instance's cache.
   */
  expand(template: string, options?: ExpandOptions): string;
  /** Parses and checks a whole template, reporting every problem in it in one HashHelperError. */
  compile(template: string, options?: Pick<ExpandOptions, "limits" | "revealSecrets">): CompiledTemplate;
  /** The value of one expression, bare (`hash.getExpiryTime(240)`) or as a block (`{hash…;}`). */
  evaluate(expression: string, options?: ExpandOptions): string;
  /** The AST of one expression; only its syntax is checked, so a tool can inspect any chain that parses. */
  parse(expression: string, options?: Pick<ExpandOptions, "limits" | "revealSecrets">): Chain;
  /**
   * Expands a template as expand() does, and says how: for every block, each call of its chain
   * with the value after it, nested chains under the argument they feed, keys and what secrets
   * built masked (in `result` too). A template that expand() rejects throws the same error.
   */
  explain(template: string, options?: ExplainOptions): Explanation;
  /** evaluate() with a trace: the value of one expression and its steps as a single block. */
  explainExpression(expression: string, options?: ExplainOptions): Explanation;
  /** signRequest() with a trace of every block of every part, run on the request's one clock. */
  explainRequest<H extends Headers>(
    request: RequestTemplate<H>,
    options?: ExplainOptions & SignOptions,
  ): RequestExplanation<H>;
  /**
   * Expands a whole request on one clock: the URL first, then the body (which may read the URL),
   * then the headers in the order their reads of each other require. Every problem in every part
   * is reported in one HashHelperError, each saying which part it is in. A header value that
   * would hold CR, LF or NUL is refused (INVALID_HEADER_VALUE), and a header name that is not an
   * RFC 9110 token is a TypeError: a request signed here can be sent as it is.
   */
  signRequest<H extends Headers>(request: RequestTemplate<H>, options?: SignOptions): SignedRequest<H>;
  /** explain() and the result as expand() gives it, secrets and all: for a shell that prints both. */
  explainAndExpand(template: string, options?: ExplainOptions): { explanation: Explanation; result: string };
  /** explainExpression() and the value as evaluate() gives it. */
  explainAndEvaluate(expression: string, options?: ExplainOptions): { explanation: Explanation; result: string };
  /** explainRequest() and the request as it is sent. */
  explainAndSignRequest<H extends Headers>(
    request: RequestTemplate<H>,
    options?: ExplainOptions & SignOptions,
  ): { explanation: RequestExplanation<H>; signed: SignedRequest<H> };
  /** The template with what may be a key masked, one bullet a character (see docs/security.md). */
  redact(template: string, options?: RedactOptions): string;
  /**
   * What would make a template's or a request's signature wrong though every block runs (the
   * rules of docs/lint.md), and its errors as diagnostics of severity "error", all in one list,
   * masked as errors are; it throws only a TypeError, for an argument of the wrong type or, as
   * signRequest() does, a header name that is not an RFC 9110 token. Checked
   * against this instance's methods and limits. Never run by expand() or signRequest().
   */
  lint(input: string | RequestTemplate, options?: LintOptions): Diagnostic[];
  /** Diagnostics drawn as HashHelperError.format() draws problems: message, line, caret, hint, fix. */
  formatDiagnostics(diagnostics: readonly Diagnostic[], options?: { color?: boolean }): string;
  /** Every method a chain of this instance may call, the host's included, by name. */
  readonly methods: ReadonlyMap<string, Method>;
  /** The instance's limits. */
  readonly limits: Readonly<Limits>;
  /** What the instance's cache holds. */
  cacheUsage(): CacheUsage;
}

function cacheBudget(sizes: CacheSizes): CacheBudget {
  for (const key of Object.keys(sizes)) {
    // The sizes of before (a count of templates, their characters) would be ignored in silence.
    if (key !== "bytes") throw new TypeError(`cache.${key} is not a size of the cache: it is bounded by cache.bytes`);
  }
  const { bytes } = sizes;
  if (!(bytes >= 0)) throw new TypeError("cache.bytes must be a number of bytes, 0 or more");
  return new CacheBudget(bytes);
}

/** A new instance: its own functions, limits and cache. */
export function createHashHelper(options: HashHelperOptions = {}): HashHelper {
  const table = new Map(builtins); // built here, then frozen into a MethodTable
  for (const fn of options.methods ?? []) {
    const method = hostMethod(fn, builtins);
    if (table.has(method.name)) throw new TypeError(`host function ${method.name} is given twice`);
    table.set(method.name, method);
  }
  const rules: Rules = Object.freeze({
    methods: new MethodTable(table.values()),
    limits: resolveLimits(options.limits),
  });
  const budget = options.cache === false ? undefined : cacheBudget({ ...defaultCacheSizes, ...options.cache });
  const caches = budget ? new TemplateCaches<CompiledTemplate>(rules.limits, budget) : undefined;
  // What signRequest() compiled, kept apart within the same budget: a request's key is its texts
  // and header names.
  const requests = budget ? new TemplateCaches<CachedRequest>(rules.limits, budget) : undefined;
  return Object.freeze({
    expand: (template: string, o?: ExpandOptions) => expandWith(rules, caches, template, o),
    compile: (template: string, o?: Pick<ExpandOptions, "limits" | "revealSecrets">) =>
      compileWith(withLimitsOf(rules, o?.limits), template, { reveal: o?.revealSecrets === true }),
    evaluate: (expression: string, o?: ExpandOptions) => evaluateWith(rules, expression, o),
    parse: (expression: string, o?: Pick<ExpandOptions, "limits" | "revealSecrets">) => parseWith(rules, expression, o),
    explain: (template: string, o?: ExplainOptions) => explainWith(rules, template, o),
    explainExpression: (expression: string, o?: ExplainOptions) => explainExpressionWith(rules, expression, o),
    explainRequest: <H extends Headers>(request: RequestTemplate<H>, o?: ExplainOptions & SignOptions) =>
      explainAndSignRequestWith(rules, request, o).explanation,
    explainAndExpand: (template: string, o?: ExplainOptions) => explainAndExpandWith(rules, template, o),
    explainAndEvaluate: (expression: string, o?: ExplainOptions) => explainAndEvaluateWith(rules, expression, o),
    explainAndSignRequest: <H extends Headers>(request: RequestTemplate<H>, o?: ExplainOptions & SignOptions) =>
      explainAndSignRequestWith(rules, request, o),
    signRequest: <H extends Headers>(request: RequestTemplate<H>, o?: SignOptions) =>
      signRequestWith(rules, request, o, runBlock, undefined, requests),
    // A call's limits override the instance's, as everywhere else.
    redact: (template: string, o?: RedactOptions) =>
      redactWith(rules.methods, template, { ...o, limits: { ...options.limits, ...o?.limits } }),
    lint: (input: string | RequestTemplate, o?: LintOptions) => lintWith(rules, input, o),
    formatDiagnostics,
    methods: rules.methods,
    limits: rules.limits,
    cacheUsage: () => ({ templates: caches?.keys() ?? [], bytes: budget?.used ?? 0 }),
  });
}

/**
 * The default instance: the language's own methods, the default limits, one cache for the
 * process. The package's top-level functions are its functions.
 */
export const defaultHelper: HashHelper = createHashHelper();
export const {
  compile,
  evaluate,
  expand,
  explain,
  explainAndEvaluate,
  explainAndExpand,
  explainAndSignRequest,
  explainExpression,
  explainRequest,
  parse,
  redact,
  signRequest,
} = defaultHelper;
