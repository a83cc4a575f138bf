import type { Encoding } from "../platform/crypto/types.ts";
import type { Argument, Call, Chain, IntegerLiteral, Span, StringLiteral } from "./ast.ts";
import { type EvalContext, namesOf } from "./context.ts";
import { bytesOf } from "./encoding.ts";
import { type Problem, quoteName } from "./errors.ts";
import { type Limits, limitProblem } from "./limits.ts";
import {
  type ArgKind,
  type ArgValue,
  type Kind,
  type Method,
  MethodFailure,
  type Param,
  signature,
  type Value,
} from "./method.ts";
import { nameUses, type Scope } from "./names.ts";
import type { Rules } from "./rules.ts";
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
/** What a block or a bare expression gives: text, the only kind a template or evaluate() outputs. */
export type TextEvaluator = (context: EvalContext) => string;

export interface CompiledChain {
  /** The kind the chain gives, or undefined when a problem made it unknowable. */
  kind: Kind | undefined;
  run: Evaluator;
}

type ArgEvaluator = (context: EvalContext) => ArgValue;

// Shared by every step without arguments, so frozen.
const NO_ARGS: readonly ArgEvaluator[] = Object.freeze([]);
const NO_VALUES: readonly ArgValue[] = Object.freeze([]);

interface Step {
  method: Method;
  args: readonly ArgEvaluator[];
  /** The argument values, when every argument is a literal: computed once, not on every run. */
  constant: readonly ArgValue[] | undefined;
  /** Where the call stands, for problems found while running it. */
  at: Span;
}

/**
 * Watches an evaluation, call by call: explain() records its trace with one. Passed to
 * compileChain, it is built into the evaluator it returns, so the evaluators that expand()
 * runs, compiled without one, pay nothing for tracing.
 */
export interface Tracer {
  /** A chain starts: a block's own, or one nested in an argument (run before its call). */
  enter(chain: Chain): void;
  /** A call of the chain that entered last gave `output`, from `args` (in the call's order). */
  step(call: Call, method: Method, args: readonly ArgValue[], output: Value): void;
  /** The chain that entered last ends with `value`. */
  exit(value: Value): void;
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
  rules: Rules,
  tracer?: Tracer,
  scope: Scope = chainScope(chain, rules),
): CompiledChain {
  const { methods, limits } = rules;
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
    return { kind: undefined, run: chainEvaluator([], limits, false) };
  }

  for (const [index, call] of chain.calls.entries()) {
    const method = methods.get(call.method);
    const args = call.args.map((arg) => compileArgument(arg, problems, rules, tracer, scope));
    if (!method) {
      const near = suggest(call.method, methods.keys());
      problems.push({
        code: "UNKNOWN_METHOD",
        message: `unknown method ${quoteName(call.method)}`,
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
        hint: inputHint(method, kind, index > 0 ? methods.get((chain.calls[index - 1] as Call).method) : undefined),
      });
    }
    const before = index > 0 ? methods.get((chain.calls[index - 1] as Call).method) : undefined;
    if (method.notAfterDigest && before && before.input !== "start" && before.output === "bytes") {
      problems.push({
        code: "MISPLACED_METHOD",
        message: `${method.name}() comes right after ${before.name}(), which ends what is signed`,
        ...call.nameSpan,
        hint: `put .${method.name}() before .${before.name}(); or, to add to the bytes ${before.name}() gives, pass them as a nested value: hash.append(hash.….${before.name}(${before.params.length > 0 ? "…" : ""})).${method.name}(${method.params.length > 0 ? "…" : ""})`,
      });
    }
    checkArguments(call, method, args, problems, limits);
    if (method.final) printed = call;
    kind = nextKind(method, call, kind, args, scope, problems);
    if (method.names === "define") watchDefinition(call, args);
    const literal = args.every((a) => a.node.type !== "Chain");
    // A compiled template keeps its steps: no array a literal call does not need (a template of
    // a thousand blocks keeps ten thousand steps, and the collector copies what is kept).
    steps.push({
      method: tracer ? traced(method, call, tracer) : method,
      args: literal ? NO_ARGS : args.map((a) => a.run),
      constant: !literal
        ? undefined
        : args.length === 0
          ? NO_VALUES
          : args.map((a) => (a.node as StringLiteral | IntegerLiteral).value),
      at: call.nameSpan,
    });
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
  // A single value call may stand alone in a block, but only text can stand in a template:
  // bytes would be written as whatever JavaScript makes of them (`74,101,102,101`).
  if ((role === "bare" || (role === "block" && singleValueCall)) && kind === "bytes") {
    problems.push({
      code: "RESULT_KIND",
      message: `the ${role === "bare" ? "expression" : "block"} gives bytes, not text`,
      offset: last.span.offset + last.span.length,
      length: 1,
      hint:
        role === "bare"
          ? "add .toHex() for lowercase hex or .encodeBase64() for base64"
          : "a block gives text: write the bytes as hex with .toHex().printDigest(), or as base64 with .encodeBase64().printDigest()",
    });
  }

  // A trace shows every call, so only untraced chains are fused.
  // Traced, a chain runs its steps as written, and shows its literals as they were written.
  const run = tracer ? chainEvaluator(steps, limits, false) : chainEvaluator(fuse(steps), limits, true);
  return { kind, run: tracer ? tracedChain(chain, run, tracer) : run };
}

/**
 * compileChain for a chain whose value is output (a block of a template, a bare expression),
 * which the checker has made sure is text: the evaluator's type says so, and no output takes a
 * value on trust.
 */
export function compileTextChain(
  chain: Chain,
  role: "block" | "bare",
  problems: Problem[],
  rules: Rules,
  tracer?: Tracer,
  scope?: Scope,
): TextEvaluator {
  const { run } = compileChain(chain, role, problems, rules, tracer, scope);
  return (context) => {
    const value = run(context);
    if (typeof value !== "string") throw new TypeError("a checked chain gave bytes where text is output");
    return value;
  };
}

/** The names every chain compiled on its own may use: those it defines itself. */
function chainScope(chain: Chain, rules: Rules): Scope {
  const uses = nameUses(chain, rules.methods);
  return { defined: new Set(uses.filter((u) => u.use === "define").map((u) => u.name)), kinds: new Map() };
}

/** The kind a call gives, from its input's and arguments' kinds, or a named value's. */
function nextKind(
  method: Method,
  call: Call,
  input: Kind | undefined,
  args: readonly CompiledArgument[],
  scope: Scope,
  problems: Problem[],
): Kind | undefined {
  const first = call.args[0];
  const literal = first?.type === "String" ? first : undefined;
  const name = literal?.value;
  if (method.names === "read" && literal && name !== undefined) {
    if (!scope.defined.has(name)) {
      if (scope.complete === false) return undefined;
      problems.push({
        code: "UNDEFINED_NAME",
        message: `no value is named ${quoteName(name)}`,
        ...literal.span,
        hint: `define it in some block or part with hash.let(${JSON.stringify(name)}, value)`,
      });
      return undefined;
    }
    return scope.kinds.get(name);
  }
  const kind = method.kindOf
    ? method.kindOf(
        input,
        args.map((a) => a.kind),
      )
    : method.output;
  if (method.names === "define" && literal && name !== undefined) {
    if (scope.kinds.has(name)) {
      problems.push({
        code: "DUPLICATE_NAME",
        message: `the value ${quoteName(name)} is defined twice`,
        ...literal.span,
        hint: "a name is defined once; give this value a name of its own",
      });
    } else scope.kinds.set(name, kind);
  }
  return kind;
}

/**
 * A definition's value argument, watched: when a secret built it, what get() gives of it is
 * masked in traces as the secret is.
 */
function watchDefinition(call: Call, args: CompiledArgument[]): void {
  const first = call.args[0];
  const value = args[1];
  if (first?.type !== "String" || !value || value.node.type !== "Chain") return;
  const name = first.value;
  const run = value.run;
  value.run = (context) => {
    let secret = false;
    const watched: EvalContext = {
      ...context,
      secret: (n) => {
        const found = context.secret(n);
        if (found !== undefined) secret = true;
        return found;
      },
      tainted: () => {
        secret = true;
        context.tainted?.();
      },
    };
    const out = run(watched);
    if (secret) namesOf(context).secret.add(name);
    return out;
  };
}

/** The method with a run that also tells the tracer what it gave. */
function traced(method: Method, call: Call, tracer: Tracer): Method {
  return {
    ...method,
    run(input, args, context) {
      const output = method.run(input, args, context);
      tracer.step(call, method, args, output);
      return output;
    },
  };
}

function tracedChain(chain: Chain, run: Evaluator, tracer: Tracer): Evaluator {
  return (context) => {
    tracer.enter(chain);
    const value = run(context);
    tracer.exit(value);
    return value;
  };
}

/**
 * A digest or MAC directly followed by an encoder (`.encodeHmacSha1(k).encodeBase64()`) becomes
 * one step that writes the encoded text at once: the same bytes, without materialising the raw
 * digest, which on Node costs about as much as a short HMAC. The table says which methods can.
 */
function fuse(steps: readonly Step[]): Step[] {
  const fused: Step[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    const encoding = steps[i + 1]?.method.encodes;
    if (encoding && step.method.runEncoded) {
      fused.push({ ...step, method: fusedMethod(step.method, encoding) });
      i++;
    } else {
      fused.push(step);
    }
  }
  return fused;
}

// One fused method per pair, shared by every chain that has it, rather than a copy each.
const fusedMethods = new WeakMap<Method, Map<Encoding, Method>>();

function fusedMethod(method: Method, encoding: Encoding): Method {
  const runEncoded = method.runEncoded;
  if (!runEncoded) return method;
  let byEncoding = fusedMethods.get(method);
  if (!byEncoding) {
    byEncoding = new Map();
    fusedMethods.set(method, byEncoding);
  }
  let fused = byEncoding.get(encoding);
  if (!fused) {
    fused = { ...method, run: (input, args, context) => runEncoded(input, args, context, encoding) };
    byEncoding.set(encoding, fused);
  }
  return fused;
}

/**
 * What the evaluator reads of a step, every field in one object of one shape: the methods of the
 * table each have their own set of fields, and reading them in the loop was a lookup that V8
 * could not cache (a megamorphic site), at every step of every expansion.
 */
interface Op {
  run: Method["run"];
  size: Method["size"];
  sizeAtMost: Method["sizeAtMost"];
  cost: number | undefined;
  constant: readonly ArgValue[] | undefined;
  args: readonly ArgEvaluator[];
  step: Step;
}

/**
 * The step as the evaluator reads it. A literal for a parameter that the method reads as UTF-8
 * bytes (an HMAC key) is given to it as bytes, encoded here once: as text, node:crypto encodes
 * it again on every call (0.4 µs of a 4 µs Moz signature).
 */
function opOf(step: Step, literalsAsBytes: boolean): Op {
  const { method, constant } = step;
  const converts =
    literalsAsBytes && constant?.some((value, k) => typeof value === "string" && method.params[k]?.asBytes);
  return {
    run: method.run,
    size: method.size,
    sizeAtMost: method.sizeAtMost,
    cost: method.cost,
    constant: converts
      ? constant?.map((value, k) => (typeof value === "string" && method.params[k]?.asBytes ? bytesOf(value) : value))
      : constant,
    args: step.args,
    step,
  };
}

function argumentValues(args: readonly ArgEvaluator[], context: EvalContext): ArgValue[] {
  const values: ArgValue[] = new Array(args.length);
  for (let k = 0; k < args.length; k++) values[k] = (args[k] as ArgEvaluator)(context);
  return values;
}

function chainEvaluator(steps: readonly Step[], limits: Readonly<Limits>, literalsAsBytes: boolean): Evaluator {
  const maxSize = limits.maxValueSize;
  const maxBuilt = limits.maxExpansionSize;
  const count = steps.length;
  // Made on the first run, not when compiling: compile() alone (a check, a parse) never needs them.
  let ops: Op[] | undefined;
  return (context) => {
    ops ??= steps.map((step) => opOf(step, literalsAsBytes));
    const built = context.built;
    let value: Value = "";
    let i = 0;
    // One try for the whole chain: this loop is the hot path of every expansion.
    try {
      for (; i < count; i++) {
        const op = ops[i] as Op;
        const args = op.constant ?? argumentValues(op.args, context);
        // A private-key operation counts against the expansion's total before it runs, so that
        // one template cannot make thousands of them.
        if (op.cost !== undefined) {
          if (built.size + op.cost > maxBuilt) throw tooMuch(op.step, limits);
          built.size += op.cost;
        }
        // A method that can build a large value says how large before it builds it.
        if (op.size !== undefined) {
          const bound = op.sizeAtMost?.(value);
          if (bound === undefined || bound > maxSize || built.size + bound > maxBuilt) {
            const size = op.size(value, args);
            if (size > maxSize) throw tooLarge(op.step, limits);
            if (built.size + size > maxBuilt) throw tooMuch(op.step, limits);
          }
        }
        const output = op.run(value, args, context);
        if (output !== value) {
          // Checked after every step too, so that no chain grows a value past the limit
          // (eighty encodeBase64() calls stop near 1 MiB, not at gigabytes).
          const size = typeof output === "string" ? output.length : output.byteLength;
          if (size > maxSize) throw tooLarge(op.step, limits);
          built.size += size;
          if (built.size > maxBuilt) throw tooMuch(op.step, limits);
        }
        value = output;
      }
    } catch (e) {
      if (!(e instanceof MethodFailure)) throw e;
      const at = (steps[i] as Step).at;
      throw new EvaluationFailure({ code: e.code, message: e.message, hint: e.hint, ...at });
    }
    return value;
  };
}

function tooLarge(step: Step, limits: Readonly<Limits>): EvaluationFailure {
  return new EvaluationFailure(
    limitProblem(
      "maxValueSize",
      limits,
      `${step.method.name}() would make a value larger than the limit`,
      step.at,
      "sign less data, or raise limits.maxValueSize",
    ),
  );
}

function tooMuch(step: Step, limits: Readonly<Limits>): EvaluationFailure {
  return new EvaluationFailure(
    limitProblem(
      "maxExpansionSize",
      limits,
      `${step.method.name}() would take what the expansion builds in all past the limit`,
      step.at,
      "build less in one expansion (fewer or smaller values), or raise limits.maxExpansionSize",
    ),
  );
}

interface CompiledArgument {
  kind: ArgKind | undefined;
  node: Argument;
  run: ArgEvaluator;
}

function compileArgument(
  arg: Argument,
  problems: Problem[],
  rules: Rules,
  tracer: Tracer | undefined,
  scope: Scope,
): CompiledArgument {
  switch (arg.type) {
    case "String":
      return { kind: "text", node: arg, run: () => arg.value };
    case "Integer":
      return { kind: "integer", node: arg, run: () => arg.value };
    case "Chain": {
      const nested = compileChain(arg, "nested", problems, rules, tracer, scope);
      return { kind: nested.kind, node: arg, run: nested.run };
    }
  }
}

/** What masks make of a string's text (src/secrets/masks.ts): never a key, whoever typed it. */
const MASK_ONLY = /^\u2022+$/;

const KIND_NAMES: Record<ArgKind, string> = { text: "text", bytes: "bytes", integer: "a whole number" };

function checkArguments(
  call: Call,
  method: Method,
  args: readonly CompiledArgument[],
  problems: Problem[],
  limits: Readonly<Limits>,
): void {
  const most = method.params.length;
  const least = method.params.filter((p) => !p.optional).length;
  if (args.length < least || args.length > most) {
    const count = least === most ? (most === 0 ? "no" : String(most)) : `${least} or ${most}`;
    problems.push({
      code: "ARGUMENT_COUNT",
      message: `${method.name}() takes ${count} argument${most === 1 ? "" : "s"} but was given ${args.length}`,
      ...call.span,
      hint: `write it as .${signature(method)}`,
    });
    return;
  }
  args.forEach((arg, i) => {
    const param = method.params[i] as Param;
    if (param.literal && arg.node.type !== "String") {
      problems.push({
        code: "ARGUMENT_KIND",
        message: `${method.name}() needs a quoted string for ${param.name}`,
        ...arg.node.span,
        hint: `write it as .${method.name}("…")`,
      });
      return;
    }
    if (arg.node.type === "String" && !param.isName && MASK_ONLY.test(arg.node.value)) {
      problems.push({
        code: "MASKED_LITERAL",
        message: "this string is a mask (••••••), not the text it hid",
        ...arg.node.span,
        hint: 'errors, traces and history hide the text of strings as bullets: type the text again, or read a key with hash.getSecret("name")',
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
    const invalid = param.validate && arg.node.type === "String" ? param.validate(arg.node.value) : undefined;
    if (invalid) {
      problems.push({
        code: "INVALID_ARGUMENT",
        message: invalid,
        ...arg.node.span,
        hint: `for example ${method.input === "start" ? "hash." : "."}${exampleCall(method)}`,
      });
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

function inputHint(method: Method, kind: Kind, before: Method | undefined): string {
  if (kind === "bytes" && method.final) return "add .toHex() or .encodeBase64() first";
  if (kind === "bytes" && method.input.length === 1 && method.input[0] === "text" && !method.notAfterDigest) {
    // The hex of a digest, MAC or signature is text one may mean (uppercase hex, a prefix); the
    // hex of the body or of fromHex is not its text, and no query, path or escaped text is hex.
    if (before && !before.reveals && !method.parses) {
      const call = `${method.name}(${method.params.length > 0 ? "…" : ""})`;
      return `write the bytes as text first: .toHex().${call} or .encodeBase64().${call}`;
    }
    return `${method.name}() works on text: apply it to the text before it is hashed or joined with bytes (a form body's parameters as text are hash.getRequestForm())`;
  }
  if (kind === "bytes") {
    return "append everything before hashing, or turn the bytes into text first with .toHex() or .encodeBase64()";
  }
  return `${method.name}() works on the bytes a digest or MAC gives`;
}

function argumentHint(accepts: readonly ArgKind[], arg: CompiledArgument): string {
  // Not "add .toHex()": that would sign the hex of the bytes, a different value, without a word.
  if (arg.kind === "bytes") {
    return "bytes cannot stand here; only if the API wants them written as text, add .toHex() or .encodeBase64() to the nested expression";
  }
  if (arg.kind === "text" && accepts.includes("integer") && arg.node.type === "String") {
    return "write the number without quotes, e.g. getExpiryTime(240)";
  }
  if (arg.kind === "integer") return 'put the value in quotes: "…"';
  return `give ${accepts.map((k) => KIND_NAMES[k]).join(" or ")}`;
}

/** The call of the method in its table example: `fromHex("4a656665")`. */
function exampleCall(method: Method): string {
  const at = method.example.lastIndexOf(`${method.name}(`);
  let depth = 0;
  for (let i = at + method.name.length; i < method.example.length; i++) {
    if (method.example[i] === "(") depth++;
    else if (method.example[i] === ")" && --depth === 0) return method.example.slice(at, i + 1);
  }
  return signature(method);
}
