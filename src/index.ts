export type { Argument, Block, Call, Chain, IntegerLiteral, Node, Span, StringLiteral, Template, Text } from "./ast.ts";
export type { CompileOptions, EvaluationOptions, ExpandOptions, Secrets } from "./context.ts";
export type { ErrorCode, ErrorSpan, Excerpt, ProblemReport } from "./errors.ts";
export { errorCodes, HashHelperError } from "./errors.ts";
export type {
  ExplainedArgument,
  ExplainedBlock,
  ExplainedPart,
  ExplainedStep,
  ExplainedValue,
  ExplainOptions,
  Explanation,
  RequestExplanation,
} from "./explain.ts";
export { explain, explainExpression, explainRequest } from "./explain.ts";
export type { FormatOptions } from "./explain-format.ts";
export { formatExplanation, formatRequestExplanation } from "./explain-format.ts";
export { evaluate, parse } from "./expression.ts";
export type { Limits } from "./limits.ts";
export { defaultLimits } from "./limits.ts";
export type { ArgKind, Kind, Method, Param } from "./methods.ts";
export { methods, signature } from "./methods.ts";
export type { RedactOptions } from "./redact.ts";
export { redact } from "./redact.ts";
export type { Headers, RequestTemplate, SignedRequest } from "./sign-request.ts";
export { signRequest } from "./sign-request.ts";
export type { CompiledTemplate } from "./template.ts";
export { compile, expand } from "./template.ts";
