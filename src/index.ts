export type { CompileOptions, EvaluationOptions, ExpandOptions, Secrets } from "./engine/context.ts";
export { evaluate, parse } from "./engine/expression.ts";
export type { CompiledTemplate } from "./engine/template.ts";
export { compile, expand } from "./engine/template.ts";
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
export { explain, explainExpression, explainRequest } from "./features/explain.ts";
export type { FormatOptions } from "./features/explain-format.ts";
export { formatExplanation, formatRequestExplanation } from "./features/explain-format.ts";
export type { Headers, RequestTemplate, SignedRequest } from "./features/sign-request.ts";
export { signRequest } from "./features/sign-request.ts";
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
export { errorCodes, HashHelperError } from "./language/errors.ts";
export type { Limits } from "./language/limits.ts";
export { defaultLimits } from "./language/limits.ts";
export type { ArgKind, Kind, Method, Param } from "./language/method.ts";
export { signature } from "./language/method.ts";
export { methods } from "./language/methods.ts";
export type { RedactOptions } from "./secrets/redact.ts";
export { redact } from "./secrets/redact.ts";
