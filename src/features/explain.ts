import { type ExpandOptions, evalContext } from "../engine/context.ts";
import { compileExpression, isBlockExpression, shownFor } from "../engine/expression.ts";
import { build, rethrown, type Shown } from "../engine/template.ts";
import type { Argument, Block, Call, Chain, Span, Template } from "../language/ast.ts";
import type { TextEvaluator, Tracer } from "../language/checker.ts";
import type { EvalContext } from "../language/context.ts";
import { toHex } from "../language/encoding.ts";
import { type ErrorSpan, MASK, position } from "../language/errors.ts";
import type { ArgValue, Kind, Method, Value } from "../language/method.ts";
import { keyNames } from "../language/names.ts";
import { type Rules, withLimits } from "../language/rules.ts";
import {
  type BlockRunner,
  type Headers,
  type PartRef,
  type RequestTemplate,
  type SignedRequest,
  type SignOptions,
  signRequestWith,
} from "./sign-request.ts";

export interface ExplainOptions extends ExpandOptions {
  /**
   * Show keys and values built from secrets in the clear. By default they are masked as
   * `•••••• (N chars)`: a trace is made to be pasted into tickets and chats.
   */
  revealSecrets?: boolean | undefined;
}

/** A value as a trace shows it. */
export interface ExplainedValue {
  kind: Kind;
  /** Characters (UTF-16 code units, like JavaScript strings) for text, bytes for bytes. */
  length: number;
  /**
   * A key, or a value that gives one away: a key argument, a host secret, and whatever
   * append() or an encoding makes of them. Digests and MACs are not (they are what is sent).
   */
  secret: boolean;
  /**
   * For people: text quoted with invisible characters made visible (`⏎` for a line feed),
   * bytes as hex, both cut short when long and followed by their length; `•••••• (N chars)`
   * when the value is secret and not revealed.
   */
  preview: string;
  /** The whole value, text as is and bytes as lowercase hex; absent when masked. */
  value?: string;
}

export interface ExplainedArgument {
  /** The parameter it feeds: `value`, `key`, `secondsFromNow`… */
  param: string;
  /**
   * The argument is a key, so it is secret: its parameter takes one, or it is the value of a
   * named value that some block or part reads as a key (`hash.let("k", …)`, `hash.get("k")`).
   */
  key: boolean;
  /** As written, a key literal as "••••••", a nested chain as hash.… with its own keys masked. */
  source: string;
  /** What it gave; absent for a whole number, which `source` shows. */
  value?: ExplainedValue;
  /** The steps of a nested chain. */
  steps?: ExplainedStep[];
}

export interface ExplainedStep {
  method: string;
  /** The call as written, with masked keys: `append("id")`, `encodeHmacSha1("••••••")`. */
  call: string;
  /** Where the call stands in the source, from its name to its closing parenthesis. */
  span: Span;
  args: ExplainedArgument[];
  /** The chain's value after the call. */
  value: ExplainedValue;
}

export interface ExplainedBlock {
  /** Where the block stands: its opening `{` or `<` (for an expression, its first call). */
  span: ErrorSpan;
  /** The block rewritten from its tree, keys masked: `{hash.append("id").toHex().printDigest();}`. */
  source: string;
  steps: ExplainedStep[];
  /** What the block puts into the result; masked only when it is itself secret. */
  output: ExplainedValue;
}

export interface Explanation {
  /**
   * What expand() (or evaluate(), for explainExpression) gives with the same options, except
   * that what a block built from a secret put there is shown as `••••••` unless revealSecrets:
   * a trace is made to be pasted into tickets. explainAndExpand() gives the result as well.
   */
  result: string;
  /** The one reading of the clock every block saw, in epoch milliseconds. */
  now: number;
  blocks: ExplainedBlock[];
}

/** explainExpression() against the given rules. */
export function explainExpressionWith(rules: Rules, expression: string, options?: ExplainOptions): Explanation {
  return explainAndEvaluateWith(rules, expression, options).explanation;
}

/** explainAndEvaluate() against the given rules. */
export function explainAndEvaluateWith(
  rules: Rules,
  expression: string,
  options?: ExplainOptions,
): { explanation: Explanation; result: string } {
  const used = withLimits(rules, options?.limits);
  const reveal = options?.revealSecrets === true;
  const recorder = new Recorder();
  // What evaluate() would throw, in its order; then a block is explained as a template.
  const { chain, run } = compileExpression(expression, { rules: used, reveal, check: true }, recorder);
  // A block alone: its text around it is only spaces, which evaluate() does not give.
  if (isBlockExpression(expression)) {
    const { explanation, outputs } = explainTemplate(rules, expression, options);
    const shown = explanation.blocks.map((block, i) => shownOutput(block, outputs[i] ?? "", reveal)).join("");
    return { explanation: { ...explanation, result: shown }, result: outputs.join("") };
  }
  const context = evalContext(options);
  let value: string;
  try {
    value = run(recorder.watch(context));
  } catch (e) {
    throw rethrown(e, expression, shownFor(expression, used, reveal));
  }
  const table = { methods: used.methods, keys: keyNames([chain], used.methods) };
  const block = explainBlock(table, expression, chain.span, chain, recorder.done(), reveal);
  return {
    explanation: { result: shownOutput(block, value, reveal), now: context.nowMs, blocks: [block] },
    result: value,
  };
}

/** A block's output as a trace shows it: masked when built from a secret, unless revealed. */
function shownOutput(block: ExplainedBlock, output: string, reveal: boolean): string {
  return block.output.secret && !reveal ? SECRET_SHOWN : output;
}

/** The blocks of one part of a signed request: "URL", "body" or "header Name". */
export interface ExplainedPart {
  where: string;
  blocks: ExplainedBlock[];
}

export interface RequestExplanation<H extends Headers = Headers> {
  /**
   * What signRequest() gives with the same options, except that what a block built from a
   * secret put into a part (`Bearer {hash.getSecret("k");}`) is shown as `••••••` unless
   * revealSecrets is set: a trace is made to be pasted into tickets.
   */
  signed: SignedRequest<H>;
  /** The one reading of the clock every part saw, in epoch milliseconds. */
  now: number;
  /** The parts that hold blocks, in the order they were expanded. */
  parts: ExplainedPart[];
}

/** explainAndSignRequest() against the given rules. */
export function explainAndSignRequestWith<H extends Headers>(
  base: Rules,
  request: RequestTemplate<H>,
  options?: ExplainOptions & SignOptions,
): { explanation: RequestExplanation<H>; signed: SignedRequest<H> } {
  const rules = withLimits(base, options?.limits);
  const reveal = options?.revealSecrets === true;
  // What each block of each part gave and how a trace shows it, by part and piece.
  const traced = new Map<number, { where: string; ref: PartRef; blocks: Map<number, TracedBlock> }>();
  let now = Number.NaN;
  const recorder = new Recorder();
  const errors = { reveal, shape: "template", rules } as const;
  // Names cross parts: the keys among them are known from every part's blocks, read when the
  // first block runs (the request has compiled by then, so every part parses).
  let table: Table | undefined;
  const runOne: BlockRunner = (ref, piece, context) => {
    now = context.nowMs;
    table ??= { methods: rules.methods, keys: requestKeyNames(rules, request) };
    let part = traced.get(ref.id);
    if (!part) {
      part = { where: ref.where, ref, blocks: new Map() };
      traced.set(ref.id, part);
    }
    const block = traceBlock(ref.source, ref.program.ast, ref.program.pieces, piece, recorder, context, errors, table);
    part.blocks.set(piece, block);
    // A part that a key built is read back (getRequestHeader…) masked, as one a secret built.
    if (block.explained.output.secret) context.tainted?.();
    return block.output;
  };
  const signed = signRequestWith(rules, request, options, runOne, recorder);
  const parts: ExplainedPart[] = [...traced.values()].map((part) => ({
    where: part.where,
    blocks: [...part.blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b.explained),
  }));
  /** A part's text as sent, with what secrets built masked; the text itself when it has no block. */
  const show = (id: number, value: string) => {
    const part = traced.get(id);
    if (!part) return value;
    return part.ref.program.ast.parts
      .map((node, i) => (node.type === "Text" ? node.value : (part.blocks.get(i)?.shown ?? "")))
      .join("");
  };
  const bodyId = request.body === undefined ? undefined : 1;
  const firstHeader = bodyId === undefined ? 1 : 2;
  const headers = Array.isArray(signed.headers)
    ? (signed.headers as readonly (readonly [string, string])[]).map(
        ([name, value], i) => [name, show(firstHeader + i, value)] as const,
      )
    : Object.fromEntries(
        Object.entries(signed.headers).map(([name, value], i) => [name, show(firstHeader + i, value)]),
      );
  // With normalizeUrl the URL sent is the parser's form of the text: shown masked only when a
  // secret built some of it, and then whole.
  const urlShown = show(0, signed.url);
  const explanation: RequestExplanation<H> = {
    signed: {
      method: signed.method,
      url: urlShown === signed.url || !anySecret(traced.get(0)) ? signed.url : urlShown,
      headers: headers as unknown as H,
      body: signed.body === undefined || bodyId === undefined ? signed.body : show(bodyId, signed.body),
    },
    now: Number.isNaN(now) ? evalContext(options).nowMs : now,
    parts,
  };
  return { explanation, signed };
}

/** The names whose values are keys, in every part of a request. */
function requestKeyNames(rules: Rules, request: RequestTemplate): ReadonlySet<string> {
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[]).map(([, value]) => value)
    : Object.values(request.headers ?? {});
  const sources = [request.url, ...(request.body === undefined ? [] : [request.body]), ...headers];
  const chains = sources.flatMap((source) => blockChains(build(source, { rules, reveal: false, check: false }).ast));
  return keyNames(chains, rules.methods);
}

function blockChains(ast: Template): Chain[] {
  return ast.parts.flatMap((part) => (part.type === "Block" ? [part.expression] : []));
}

/** Whether a part's trace masks some block's output. */
function anySecret(part: { blocks: Map<number, TracedBlock> } | undefined): boolean {
  return part !== undefined && [...part.blocks.values()].some((b) => b.shown !== b.output);
}

/** What a trace shows for a value built from a secret. */
const SECRET_SHOWN = "••••••";

/** explainAndExpand() against the given rules. */
export function explainAndExpandWith(
  rules: Rules,
  template: string,
  options?: ExplainOptions,
): { explanation: Explanation; result: string } {
  return explainTemplate(rules, template, options);
}

/** explain() against the given rules. */
export function explainWith(rules: Rules, template: string, options?: ExplainOptions): Explanation {
  return explainTemplate(rules, template, options).explanation;
}

function explainTemplate(rules: Rules, template: string, options: ExplainOptions | undefined) {
  const used = withLimits(rules, options?.limits);
  const reveal = options?.revealSecrets === true;
  // Compiled once, with the recorder built into the evaluators of its blocks.
  const recorder = new Recorder();
  const { ast, pieces, order } = build(template, { rules: used, reveal, tracer: recorder });
  const context = evalContext(options);
  const table = { methods: used.methods, keys: keyNames(blockChains(ast), used.methods) };
  const traced = tracePieces(
    template,
    ast,
    pieces,
    order,
    recorder,
    context,
    {
      reveal,
      shape: "template",
      rules: used,
    },
    table,
  );
  const explanation = { result: traced.shown, now: context.nowMs, blocks: traced.blocks };
  return { explanation, result: traced.result, outputs: traced.outputs };
}

/**
 * Runs what a template compiled to with a tracer built in (pieces beside the AST's parts, in
 * the same order), on the given context: each block's output and trace, the result, and the
 * result as a trace shows it. For one template, or each part of a signed request on its clock.
 */
function tracePieces(
  source: string,
  ast: Template,
  pieces: readonly (string | TextEvaluator)[],
  order: readonly number[] | undefined,
  recorder: Recorder,
  context: EvalContext,
  shown: Shown,
  table: Table,
): { outputs: string[]; blocks: ExplainedBlock[]; result: string; shown: string } {
  const traced = new Map<number, TracedBlock>();
  const blockPieces = order ?? ast.parts.flatMap((part, i) => (part.type === "Block" ? [i] : []));
  for (const i of blockPieces) traced.set(i, traceBlock(source, ast, pieces, i, recorder, context, shown, table));
  const outputs: string[] = [];
  const blocks: ExplainedBlock[] = [];
  let result = "";
  let masked = "";
  ast.parts.forEach((part, i) => {
    const block = traced.get(i);
    if (part.type === "Text" || !block) {
      result += part.type === "Text" ? part.value : "";
      masked += part.type === "Text" ? part.value : "";
      return;
    }
    outputs.push(block.output);
    blocks.push(block.explained);
    result += block.output;
    masked += block.shown;
  });
  return { outputs, blocks, result, shown: masked };
}

/** A block run with the recorder watching: what it gave, its trace, and its output as a trace shows it. */
interface TracedBlock {
  output: string;
  explained: ExplainedBlock;
  shown: string;
}

function traceBlock(
  source: string,
  ast: Template,
  pieces: readonly (string | TextEvaluator)[],
  i: number,
  recorder: Recorder,
  context: EvalContext,
  shown: Shown,
  table: Table,
): TracedBlock {
  const part = ast.parts[i] as Block;
  const piece = pieces[i] as TextEvaluator;
  let output: string;
  try {
    output = piece(recorder.watch(context));
  } catch (e) {
    throw rethrown(e, source, shown);
  }
  const explained = explainBlock(
    table,
    source,
    part.span,
    part.expression,
    recorder.done(),
    shown.reveal,
    part.delimiter,
  );
  return { output, explained, shown: shownOutput(explained, output, shown.reveal) };
}

/** A chain as it ran: each call with the values it was given and gave. */
interface RanChain {
  chain: Chain;
  calls: RanCall[];
  /** Nested chains that finished since the last call: the arguments of the next one. */
  pending: RanChain[];
}

interface RanCall {
  call: Call;
  method: Method;
  args: readonly ArgValue[];
  /** The ran chain of each argument that is a nested chain, by argument index. */
  nested: (RanChain | undefined)[];
  output: Value;
  /** The call read a host secret: its output is that secret. */
  readSecret: boolean;
}

/** Builds the tree of ran chains from the evaluator's calls (see Tracer). */
class Recorder implements Tracer {
  private readonly stack: RanChain[] = [];
  private root: RanChain | undefined;
  private secretRead = false;

  /**
   * The context with its secret lookup watched: any method that reads a secret, now or added
   * later, has its output masked without knowing it by name.
   */
  watch(context: EvalContext): EvalContext {
    return {
      ...context,
      secret: (name) => {
        const value = context.secret(name);
        if (value !== undefined) this.secretRead = true;
        return value;
      },
      // A request part built from a secret, read back with getRequestQuery() and the like.
      tainted: () => {
        this.secretRead = true;
        context.tainted?.();
      },
    };
  }

  enter(chain: Chain): void {
    this.secretRead = false;
    this.stack.push({ chain, calls: [], pending: [] });
  }

  step(call: Call, method: Method, args: readonly ArgValue[], output: Value): void {
    const ran = this.stack[this.stack.length - 1] as RanChain;
    const pending = ran.pending.splice(0);
    const nested = call.args.map((arg) => (arg.type === "Chain" ? pending.shift() : undefined));
    ran.calls.push({ call, method, args, nested, output, readSecret: this.secretRead });
    this.secretRead = false;
  }

  exit(_value: Value): void {
    const ran = this.stack.pop() as RanChain;
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.pending.push(ran);
    else this.root = ran;
  }

  /** The chain that ran last, taken: the recorder then watches the next one. */
  done(): RanChain {
    const root = this.root;
    if (!root) throw new Error("the traced chain never ended");
    this.root = undefined;
    return root;
  }
}

/**
 * What the calls of a trace are read with: the method table (the instance's, host functions
 * included), and the names whose values are keys (see keyNames()).
 */
interface Table {
  methods: ReadonlyMap<string, Method>;
  keys: ReadonlySet<string>;
}

/** The name a call defines or reads, when it is a key's (hash.let / hash.get of a key). */
function keyName(table: Table, method: Method | undefined, call: Call): boolean {
  const first = call.args[0];
  return method?.names !== undefined && first?.type === "String" && table.keys.has(first.value);
}

/** The argument is the value of a key's definition: `hash.let("k", …)` where k is read as a key. */
function keyValue(table: Table, method: Method | undefined, call: Call, i: number): boolean {
  return i > 0 && method?.names === "define" && keyName(table, method, call);
}

function explainBlock(
  table: Table,
  source: string,
  span: Span,
  chain: Chain,
  ran: RanChain,
  reveal: boolean,
  delimiter?: Block["delimiter"],
): ExplainedBlock {
  const [open, close] = delimiter === "{" ? ["{", ";}"] : delimiter === "<" ? ["<", ";>"] : ["", ""];
  const { line, column } = position(source, span.offset);
  const explained = explainChain(table, source, ran, false, reveal);
  const last = explained.steps[explained.steps.length - 1] as ExplainedStep;
  return {
    span: { offset: span.offset, line, column, length: span.length },
    source: `${open}${renderChain(table, source, chain, false, reveal)}${close}`,
    steps: explained.steps,
    output: last.value,
  };
}

/**
 * The steps of a ran chain with secrecy worked out. `inKey`: the chain feeds a key, so every
 * value in it is key material, digests included; only names (literal parameters such as a
 * secret's name) are shown.
 */
function explainChain(
  table: Table,
  source: string,
  ran: RanChain,
  inKey: boolean,
  reveal: boolean,
): { steps: ExplainedStep[]; secret: boolean } {
  let secret = inKey;
  const steps = ran.calls.map(({ call, method, args, nested, output, readSecret }) => {
    let argsSecret = false;
    const explainedArgs = call.args.map((node, i): ExplainedArgument => {
      const param = method.params[i];
      const name = param?.name ?? `argument ${i + 1}`;
      const isKey = param?.secret === true || keyValue(table, method, call, i);
      const keyArg = inKey || isKey;
      if (node.type === "Chain") {
        const inner = explainChain(table, source, nested[i] as RanChain, keyArg, reveal);
        const isSecret = keyArg || inner.secret;
        argsSecret ||= isSecret;
        return {
          param: name,
          key: isKey,
          source: renderChain(table, source, node, keyArg, reveal),
          value: view(args[i] as Value, isSecret, reveal),
          steps: inner.steps,
        };
      }
      const isSecret = isKey || (inKey && param?.literal !== true);
      argsSecret ||= isSecret;
      const written = renderArgument(source, node, isSecret, reveal);
      return node.type === "String"
        ? { param: name, key: isKey, source: written, value: view(node.value, isSecret, reveal) }
        : { param: name, key: isKey, source: written };
    });
    const inputSecret = method.input !== "start" && secret;
    // A key's named value, defined or read, is the key wherever it stands.
    const named = keyName(table, method, call);
    secret = inKey || readSecret || named || (method.reveals && (inputSecret || argsSecret));
    return {
      method: method.name,
      call: renderCall(table, source, call, inKey, reveal),
      span: call.span,
      args: explainedArgs,
      value: view(output, secret, reveal),
    };
  });
  return { steps, secret };
}

const PREVIEW_CHARS = 160;
const PREVIEW_BYTES = 64;

function view(value: Value, secret: boolean, reveal: boolean): ExplainedValue {
  if (typeof value === "string") {
    const length = value.length;
    if (secret && !reveal) return { kind: "text", length, secret, preview: masked(length, "char") };
    // Cut before a surrogate pair rather than through it.
    const cut = /[\ud800-\udbff]/.test(value.charAt(PREVIEW_CHARS - 1)) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
    const shown = value.length > PREVIEW_CHARS ? `${visible(value.slice(0, cut))}…` : visible(value);
    return { kind: "text", length, secret, preview: `"${shown}" (${count(length, "char")})`, value };
  }
  const length = value.byteLength;
  if (secret && !reveal) return { kind: "bytes", length, secret, preview: masked(length, "byte") };
  const hex = toHex(value);
  const shown = length > PREVIEW_BYTES ? `${hex.slice(0, PREVIEW_BYTES * 2)}…` : hex;
  return { kind: "bytes", length, secret, preview: `${shown} (${count(length, "byte")})`, value: hex };
}

function masked(length: number, unit: string): string {
  return `•••••• (${count(length, unit)})`;
}

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

// Characters that are hard or impossible to tell apart on a screen, and a classic cause of a
// wrong signature: a line break too many, a tab, a non-breaking space pasted with a key.
const SHOWN: Record<number, string> = { 10: "⏎", 13: "␍", 9: "⇥", 127: "␡" };

function invisible(code: number): boolean {
  return (
    (code >= 0x80 && code <= 0xa0) ||
    code === 0xad ||
    code === 0x1680 ||
    code === 0x180e ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x205f && code <= 0x206f) ||
    code === 0x3000 ||
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff) // a lone surrogate: a pair is read as one code point
  );
}

/**
 * Text with its invisible characters shown: `⏎` line feed, `␍` carriage return, `⇥` tab, the
 * Unicode control pictures (␀…␟, ␡) for other control characters, and `⟨U+00A0⟩` for spaces,
 * format characters and lone surrogates that look like nothing or like a plain space.
 */
export function visible(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    const shown = SHOWN[code];
    if (shown) out += shown;
    else if (code < 0x20) out += String.fromCharCode(0x2400 + code);
    else if (invisible(code)) out += `⟨U+${code.toString(16).toUpperCase().padStart(4, "0")}⟩`;
    else out += ch;
  }
  return out;
}

function renderChain(table: Table, source: string, chain: Chain, inKey: boolean, reveal: boolean): string {
  return `hash.${chain.calls.map((call) => renderCall(table, source, call, inKey, reveal)).join(".")}`;
}

function renderCall(table: Table, source: string, call: Call, inKey: boolean, reveal: boolean): string {
  const method = table.methods.get(call.method);
  const args = call.args.map((arg, i) => {
    const param = method?.params[i];
    const isKey = param?.secret === true || keyValue(table, method, call, i);
    const keyArg = inKey || isKey || method === undefined;
    if (arg.type === "Chain") return renderChain(table, source, arg, keyArg, reveal);
    return renderArgument(source, arg, isKey || (inKey && param?.literal !== true), reveal);
  });
  return `${call.method}(${args.join(", ")})`;
}

function renderArgument(source: string, arg: Exclude<Argument, Chain>, secret: boolean, reveal: boolean): string {
  if (secret && !reveal) return MASK;
  // As written (quotes, escapes), so the trace matches the template.
  return visible(source.slice(arg.span.offset, arg.span.offset + arg.span.length));
}
