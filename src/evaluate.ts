import type { Argument, Call, Chain, Span } from "./ast.ts";
import type { Problem } from "./errors.ts";
import { type Limits, limitProblem } from "./limits.ts";
import {
  type ArgKind,
  type ArgValue,
  type EvalContext,
  type Kind,
  type Method,
  MethodFailure,
  methods,
  signature,
  type Value,
} from "./methods.ts";
import { suggest } from "./suggest.ts";

/** Where a chain stands, which decides how it must end. */
export type ChainRole =
  /** `{hash…;}` in a template: ends with printDigest() unless it is one value call. */
  | "block"
  /** An argument of another call: any ending, its kind must suit the parameter. */
  | "nested"
  /** An expression given alone to evaluate(): printDigest() optional, must give text. */
  | "bare";

export type Evaluator = (context: EvalContext) => Value;

export interface CompiledChain {
  /** The kind the chain gives, or undefined when a problem made it unknowable. */
  kind: Kind | undefined;
  run: Evaluator;
}

type ArgEvaluator = (context: EvalContext) => ArgValue;

interface Step {
  method: Method;
  args: ArgEvaluator[];
  /** Where the call stands, for problems found while running it. */
  at: Span;
}

/**
 * A problem found while evaluating (a value past its size limit, a missing secret). The
 * template or expression that ran it turns it into a HashHelperError with its source.
 */
export class EvaluationFailure extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/**
 * Checks a chain against the method table without running anything, adding every problem
 * it finds to `problems`, and returns the function that evaluates it. Only call `run` when
 * no problem was found.
 */
export function compileChain(
  chain: Chain,
  role: ChainRole,
  problems: Problem[],
  limits: Readonly<Limits>,
): CompiledChain {
  let kind: Kind | undefined = "text"; // a chain starts with empty text
  let printed: Call | undefined;
  const steps: Step[] = [];

  const tooMany = chain.calls[limits.maxCallsPerChain];
  if (tooMany) {
    problems.push(
      limitProblem(
        "maxCallsPerChain",
        limits,
        `the chain has ${chain.calls.length} calls`,
        tooMany.nameSpan,
        "build the value in fewer steps",
      ),
    );
    return { kind: undefined, run: chainEvaluator([], limits) };
  }

  for (const [index, call] of chain.calls.entries()) {
    const method = methods.get(call.method);
    const args = call.args.map((arg) => compileArgument(arg, problems, limits));
    if (!method) {
      const near = suggest(call.method, methods.keys());
      problems.push({
        code: "UNKNOWN_METHOD",
        message: `unknown method '${call.method}'`,
        ...call.nameSpan,
        hint: near ? `did you mean ${near}?` : `the methods are ${[...methods.keys()].join(", ")}`,
      });
      kind = undefined;
      continue;
    }
    if (printed && printed === chain.calls[index - 1]) {
      problems.push({
        code: "AFTER_PRINT_DIGEST",
        message: `${call.method}() comes after printDigest(), which must end the chain`,
        ...call.nameSpan,
        hint: "move .printDigest() to the end of the chain",
      });
    }
    if (method.input === "start") {
      if (index > 0) {
        problems.push({
          code: "MISPLACED_METHOD",
          message: `${method.name}() must come directly after 'hash.', not in the middle of a chain`,
          ...call.nameSpan,
          hint: `to add its value, nest it: .append(hash.${method.name}(…))`,
        });
      }
    } else if (kind !== undefined && !method.input.includes(kind)) {
      problems.push({
        code: "INPUT_KIND",
        message: `${method.name}() needs ${method.input.join(" or ")}, but the value here is ${kind}`,
        ...call.nameSpan,
        hint: inputHint(method, kind),
      });
    }
    checkArguments(call, method, args, problems, limits);
    if (method.final) printed = call;
    kind = method.output;
    steps.push({ method, args: args.map((a) => a.run), at: call.nameSpan });
  }

  const last = chain.calls[chain.calls.length - 1] as Call;
  const first = methods.get((chain.calls[0] as Call).method);
  const singleValueCall = chain.calls.length === 1 && first?.input === "start";
  const endsWithPrint = methods.get(last.method)?.final === true;
  if (role === "block" && !endsWithPrint && !singleValueCall && !printed && kind !== undefined) {
    problems.push({
      code: "MISSING_PRINT_DIGEST",
      message: "the chain must end with printDigest()",
      offset: last.span.offset + last.span.length,
      length: 1,
      hint:
        kind === "bytes"
          ? "turn the bytes into text and print them: .toHex().printDigest() or .encodeBase64().printDigest()"
          : "add .printDigest() at the end of the chain",
    });
  }
  if (role === "bare" && kind === "bytes") {
    problems.push({
      code: "RESULT_KIND",
      message: "the expression gives bytes, not text",
      offset: last.span.offset + last.span.length,
      length: 1,
      hint: "add .toHex() or .encodeBase64()",
    });
  }

  return { kind, run: chainEvaluator(steps, limits) };
}

function chainEvaluator(steps: readonly Step[], limits: Readonly<Limits>): Evaluator {
  const maxSize = limits.maxValueSize;
  return (context) => {
    let value: Value = "";
    for (const step of steps) {
      const args = step.args.length === 0 ? NO_ARGS : step.args.map((arg) => arg(context));
      try {
        value = step.method.run(value, args, context);
      } catch (e) {
        if (!(e instanceof MethodFailure)) throw e;
        throw new EvaluationFailure({ code: e.code, message: e.message, hint: e.hint, ...step.at });
      }
      // Checked after every step, so no chain can grow a value much past the limit
      // (eighty encodeBase64() calls stop near 1 MiB, not at gigabytes).
      if ((typeof value === "string" ? value.length : value.byteLength) > maxSize) {
        throw new EvaluationFailure(
          limitProblem(
            "maxValueSize",
            limits,
            `${step.method.name}() made a value larger than the limit`,
            step.at,
            "sign less data, or raise limits.maxValueSize",
          ),
        );
      }
    }
    return value;
  };
}

const NO_ARGS: readonly ArgValue[] = [];

interface CompiledArgument {
  kind: ArgKind | undefined;
  node: Argument;
  run: ArgEvaluator;
}

function compileArgument(arg: Argument, problems: Problem[], limits: Readonly<Limits>): CompiledArgument {
  switch (arg.type) {
    case "String":
      return { kind: "text", node: arg, run: () => arg.value };
    case "Integer":
      return { kind: "integer", node: arg, run: () => arg.value };
    case "Chain": {
      const nested = compileChain(arg, "nested", problems, limits);
      return { kind: nested.kind, node: arg, run: nested.run };
    }
  }
}

const KIND_NAMES: Record<ArgKind, string> = { text: "text", bytes: "bytes", integer: "a whole number" };

function checkArguments(
  call: Call,
  method: Method,
  args: readonly CompiledArgument[],
  problems: Problem[],
  limits: Readonly<Limits>,
): void {
  if (args.length !== method.params.length) {
    const n = method.params.length;
    problems.push({
      code: "ARGUMENT_COUNT",
      message: `${method.name}() takes ${n === 0 ? "no" : n} argument${n === 1 ? "" : "s"} but was given ${args.length}`,
      ...call.span,
      hint: `write it as .${signature(method)}`,
    });
    return;
  }
  method.params.forEach((param, i) => {
    const arg = args[i] as CompiledArgument;
    if (param.literal && arg.node.type !== "String") {
      problems.push({
        code: "ARGUMENT_KIND",
        message: `${method.name}() needs a quoted string for ${param.name}`,
        ...arg.node.span,
        hint: `write it as .${method.name}("…")`,
      });
      return;
    }
    if (param.bound && arg.node.type === "Integer" && Math.abs(arg.node.value) > limits[param.bound]) {
      problems.push(
        limitProblem(
          param.bound,
          limits,
          `${param.name} is out of range`,
          arg.node.span,
          `use a value within ±${limits[param.bound]}`,
        ),
      );
      return;
    }
    if (arg.kind === undefined || param.accepts.includes(arg.kind)) return;
    problems.push({
      code: "ARGUMENT_KIND",
      message: `${method.name}() needs ${param.accepts.map((k) => KIND_NAMES[k]).join(" or ")} for ${param.name}, not ${KIND_NAMES[arg.kind]}`,
      ...arg.node.span,
      hint: argumentHint(param.accepts, arg),
    });
  });
}

function inputHint(method: Method, kind: Kind): string {
  if (kind === "bytes" && method.final) return "add .toHex() or .encodeBase64() first";
  if (kind === "bytes") {
    return "append everything before hashing, or turn the bytes into text first with .toHex() or .encodeBase64()";
  }
  return `${method.name}() works on the bytes a digest or MAC gives`;
}

function argumentHint(accepts: readonly ArgKind[], arg: CompiledArgument): string {
  if (arg.kind === "bytes") return "add .toHex() or .encodeBase64() to the nested expression";
  if (arg.kind === "text" && accepts.includes("integer") && arg.node.type === "String") {
    return "write the number without quotes, e.g. getExpiryTime(240)";
  }
  if (arg.kind === "integer") return 'put the value in quotes: "…"';
  return `give ${accepts.map((k) => KIND_NAMES[k]).join(" or ")}`;
}
