// The public API, and nothing but re-exports. The top-level functions are the default
// instance's (the language's own methods, the default limits, one cache for the process);
// createHashHelper() makes an instance with a host's own functions, limits and cache.
export type { CacheSizes, CacheUsage } from "./engine/cache.ts";
export type { CompileOptions, EvaluationOptions, ExpandOptions, Secrets } from "./engine/context.ts";
export type { CompiledTemplate } from "./engine/template.ts";
export type {
  ExplainedArgument,
  ExplainedBlock,
  ExplainedPart,
  ExplainedStep,
  ExplainedValue,
  ExplainOptions,
  Explanation,
  RequestExplanation,
} from "./features/explain.ts";

export type { FormatOptions } from "./features/explain-format.ts";
export { formatExplanation, formatRequestExplanation } from "./features/explain-format.ts";
export { InvalidUrlError } from "./features/invalid-url.ts";
export type {
  Diagnostic,
  LintCode,
  LintExample,
  LintFix,
  LintOptions,
  LintRule,
  Severity,
} from "./features/lint.ts";
export { formatDiagnostics, lint, lintRules } from "./features/lint.ts";
export type { Headers, RequestTemplate, SignedRequest, SignOptions } from "./features/sign-request.ts";
export type { HashHelper, HashHelperOptions } from "./instance.ts";
export {
  compile,
  createHashHelper,
  defaultHelper,
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
} from "./instance.ts";
export type {
  Argument,
  Block,
  Call,
  Chain,
  IntegerLiteral,
  Node,
  Span,
  StringLiteral,
  Template,
  Text,
} from "./language/ast.ts";
export type { ErrorCode, ErrorSpan, Excerpt, ProblemReport } from "./language/errors.ts";
export { errorCodes, HashHelperError, isShownName, quoteName } from "./language/errors.ts";
export type { HostFunction, HostParam } from "./language/host.ts";
export { HostFunctionError } from "./language/host-error.ts";
export type { Limits } from "./language/limits.ts";
export { defaultLimits } from "./language/limits.ts";
export type { ArgKind, Kind, Method, Param } from "./language/method.ts";
export { signature } from "./language/method.ts";
export { methods } from "./language/methods.ts";
export { suggest } from "./language/suggest.ts";
export type { RedactOptions } from "./secrets/redact.ts";
export { isExpression, unterminatedStrings } from "./syntax/forms.ts";
