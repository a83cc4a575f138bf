import { type ExpandOptions, evalContext } from "../engine/context.ts";
import { failure, program, type Shown } from "../engine/template.ts";
import type { Argument, Call, Chain, Span, Template } from "../language/ast.ts";
import type { Tracer } from "../language/checker.ts";
import type { EvalContext, RequestView } from "../language/context.ts";
import { utf8 } from "../language/encoding.ts";
import {
  HashHelperError,
  MAX_REPORTED_PROBLEMS,
  type Problem,
  type ProblemReport,
  quoteName,
} from "../language/errors.ts";
import { missingHeader } from "../language/methods/request.ts";
import { type Rules, withLimits } from "../language/rules.ts";

/** Headers as an object, or as name-value pairs when order or repeated names matter. */
export type Headers = Readonly<Record<string, string>> | readonly (readonly [string, string])[];

export interface SignOptions extends ExpandOptions {
  /**
   * Write the expanded URL as the WHATWG URL parser does (spaces and non-ASCII percent-encoded,
   * dot segments resolved, a path of at least '/') before anything reads it, so that
   * getRequestQuery() and getRequestPath() sign what fetch() will send. The CLI does.
   */
  normalizeUrl?: boolean | undefined;
}

/** The expanded URL is not one fetch() could send (not absolute, or not a URL at all). */
export class InvalidUrlError extends TypeError {
  override readonly name = "InvalidUrlError";
}

/** A request whose URL, body and header values are templates. */
export interface RequestTemplate<H extends Headers = Headers> {
  /** Default GET. */
  method?: string | undefined;
  url: string;
  headers?: H | undefined;
  body?: string | undefined;
}

/** The request as it is sent: every block expanded, everything else kept byte-for-byte. */
export interface SignedRequest<H extends Headers = Headers> {
  method: string;
  url: string;
  headers: H;
  body: string | undefined;
}

export type Program = ReturnType<typeof program>;

/** How a part is run when nothing watches it. */
export const runProgram: PartRunner = (_where, _source, p, context) => p.run(context);

/**
 * How one part of a request is run: the default runs it; explain traces it. `where` names the
 * part ("URL", "body", "header Name").
 */
export type PartRunner = (where: string, source: string, p: Program, context: EvalContext) => string;

/**
 * signRequest() against the given rules, with the running of each part left to `runPart`, and
 * `tracer` built into every part's evaluators (explainRequest()).
 */
export function signRequestWith<H extends Headers>(
  base: Rules,
  request: RequestTemplate<H>,
  options: SignOptions | undefined,
  runPart: PartRunner,
  tracer?: Tracer,
): SignedRequest<H> {
  const rules = withLimits(base, options?.limits);
  const reveal = options?.revealSecrets === true;
  const method = request.method ?? "GET";
  const pairs: (readonly [string, string])[] = Array.isArray(request.headers)
    ? [...(request.headers as readonly (readonly [string, string])[])]
    : Object.entries(request.headers ?? {});
  for (const [name] of pairs) {
    // RFC 9110 §5.1: a field name is a token. Names are the host's, not the template's.
    if (!TOKEN.test(name)) throw new TypeError(`the header name ${quoteName(name)} is not an RFC 9110 token`);
  }

  const compileIn = (where: string, source: string): Part => {
    try {
      return { where, source, program: program(rules, source, { reveal, tracer }), problems: [] };
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      return { where, source, error: e, problems: [] };
    }
  };
  const url = compileIn("URL", request.url);
  const body = request.body === undefined ? undefined : compileIn("body", request.body);
  const headers = pairs.map(([name, value]) => ({ name, ...compileIn(`header ${name}`, value) }));
  for (const header of headers) {
    const problem = header.program && textProblem(header.name, header.program.ast);
    if (problem) header.problems.push(problem);
  }
  const byName = new Map<string, number[]>();
  for (const [i, { name }] of headers.entries()) {
    const key = name.toLowerCase();
    const same = byName.get(key);
    if (same) same.push(i);
    else byName.set(key, [i]);
  }
  const order = headerOrder(headers, byName, rules);
  const error = joined([url, ...(body ? [body] : []), ...headers], { reveal, shape: "template", rules });
  if (error) throw error;

  const clock = evalContext(options); // one clock for every part
  const view: RequestView = {
    part: "url",
    method,
    url: "",
    path: "",
    query: "",
    body: undefined,
    header: (name) => {
      const values = (byName.get(name.toLowerCase()) ?? []).flatMap((i) => expanded[i] ?? []);
      return values.length > 0 ? values.join(", ") : undefined;
    },
    fromSecret: (part) => fromSecret.has(part.toLowerCase()),
  };
  const expanded: (string | undefined)[] = pairs.map(() => undefined);
  // The parts built from a secret, directly or by reading a part that was: a trace of a part
  // that reads one of them masks what it read (see RequestView.fromSecret).
  const fromSecret = new Set<string>();
  const run = ({ where, source, program: p }: Part) => {
    const part = where === "URL" ? "url" : where === "body" ? "body" : where.slice("header ".length).toLowerCase();
    const context: EvalContext = {
      ...clock,
      request: view,
      secret: (name) => {
        const value = clock.secret(name);
        if (value !== undefined) fromSecret.add(part);
        return value;
      },
      tainted: () => fromSecret.add(part),
    };
    try {
      return runPart(where, source, p as Program, context);
    } catch (e) {
      throw e instanceof HashHelperError ? inPart(where, e) : e;
    }
  };

  let signedUrl = run(url);
  if (options?.normalizeUrl) {
    // The URL itself is not quoted: blocks may have put a secret in it.
    if (!URL.canParse(signedUrl)) throw new InvalidUrlError("the expanded URL is not an absolute URL");
    signedUrl = new URL(signedUrl).href;
  }
  Object.assign(view, { url: signedUrl, ...pathAndQuery(signedUrl), part: "body" });
  const signedBody = body ? run(body) : undefined;
  view.body = utf8(signedBody ?? "");
  view.part = "header";
  for (const i of order) {
    const header = headers[i] as HeaderPart;
    const value = run(header);
    const unsendable = UNSENDABLE.exec(value);
    if (unsendable) {
      // Text was checked before anything ran, so a block put it there: the one that did is
      // found by running the blocks again on their own, on the same clock, secrets and request.
      const again: EvalContext = { ...evalContext({ now: clock.nowMs, secrets: options?.secrets }), request: view };
      const problem = blockProblem(header, unsendable[0], rules, again);
      throw inPart(header.where, failure(header.source, [problem], { reveal, shape: "template", rules }));
    }
    expanded[i] = value;
  }

  const out = pairs.map(([name], i) => [name, expanded[i] as string] as const);
  return {
    method,
    url: signedUrl,
    headers: (Array.isArray(request.headers) ? out : Object.fromEntries(out)) as unknown as H,
    body: signedBody,
  };
}

/**
 * One text of a request: its program, or the error that compiling it gave, and the problems
 * found in it beyond what compiling finds (which are only looked for in a text that compiles).
 */
interface Part {
  where: string;
  source: string;
  program?: Program;
  error?: HashHelperError;
  problems: Problem[];
}

type HeaderPart = Part & { name: string };

/** RFC 9110 §5.6.2: token = 1*tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * RFC 9110 §5.5: CR, LF and NUL in a field value are "invalid and dangerous". A line break
 * would end the header where the template chose and start one of its own.
 */
const UNSENDABLE = /[\r\n\0]/;
const CHARACTER_NAMES: Record<string, string> = { "\r": "a carriage return", "\n": "a line feed", "\0": "a NUL" };
const UNSENDABLE_HINT = "a header value cannot hold CR, LF or NUL";

/** The first character of a header's text, outside its blocks, that a header value cannot hold. */
function textProblem(name: string, ast: Template): Problem | undefined {
  for (const part of ast.parts) {
    const found = part.type === "Text" ? UNSENDABLE.exec(part.value) : null;
    if (!found) continue;
    return {
      code: "INVALID_HEADER_VALUE",
      message: `header ${quoteName(name)} holds ${CHARACTER_NAMES[found[0]]} in its text, which HTTP cannot send`,
      hint: `${UNSENDABLE_HINT}: take it out of the text`,
      offset: part.span.offset + found.index,
      length: 1,
    };
  }
  return undefined;
}

/**
 * The problem of a header whose blocks gave it `character`, which a header value cannot hold:
 * at the first block that gives such a character on its own, or at the whole header when none
 * does (a host whose secrets change from one read to the next).
 */
function blockProblem(header: HeaderPart, character: string, rules: Rules, context: EvalContext): Problem {
  let span: Span = { offset: 0, length: header.source.length };
  let found = character;
  for (const part of (header.program as Program).ast.parts) {
    if (part.type !== "Block") continue;
    const { offset, length } = part.span;
    const own = UNSENDABLE.exec(
      program(rules, header.source.slice(offset, offset + length), { reveal: false }).run(context),
    );
    if (own) {
      span = part.span;
      found = own[0];
      break;
    }
  }
  return {
    code: "INVALID_HEADER_VALUE",
    message: `header ${quoteName(header.name)} gets ${CHARACTER_NAMES[found]} from this block, which HTTP cannot send`,
    hint: `${UNSENDABLE_HINT}: leave out appendNewLine() or encode the value (encodeBase64(), encodeURL())`,
    ...span,
  };
}

/** The error of one part, each problem saying which part it is in. */
function inPart(where: string, e: HashHelperError): HashHelperError {
  return new HashHelperError(
    e.problems.map((p) => ({ ...p, where })),
    e.omitted,
  );
}

/**
 * Every part's problems as one error, in the order of the parts and by offset within each,
 * capped at MAX_REPORTED_PROBLEMS like the error of one template; undefined when there are none.
 */
function joined(parts: readonly Part[], shown: Shown): HashHelperError | undefined {
  const reports: ProblemReport[] = [];
  let omitted = 0;
  for (const part of parts) {
    const error = part.error ?? (part.problems.length > 0 ? failure(part.source, part.problems, shown) : undefined);
    if (!error) continue;
    reports.push(...error.problems.map((p) => ({ ...p, where: part.where })));
    omitted += error.omitted;
  }
  const kept = reports.slice(0, MAX_REPORTED_PROBLEMS);
  return kept.length > 0 ? new HashHelperError(kept, omitted + reports.length - kept.length) : undefined;
}

/** The path and query of a URL as they stand in it, without decoding or normalising them. */
export function pathAndQuery(url: string): { path: string; query: string } {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(?:\?([^#]*))?/.exec(url);
  return { path: match?.[1] || "/", query: match?.[2] ?? "" };
}

/**
 * The order to expand headers in, so that each runs after the headers it reads. A read of a
 * header the request does not have, and a cycle, are problems of the header that makes the read.
 */
function headerOrder(headers: readonly HeaderPart[], byName: ReadonlyMap<string, number[]>, rules: Rules): number[] {
  const report = (i: number, call: Call, code: "MISSING_HEADER" | "HEADER_CYCLE", message: string, hint: string) => {
    headers[i]?.problems.push({ code, message, hint, ...call.nameSpan });
  };
  const reads = headers.map((h) => (h.program ? headerReads(h.program.ast, rules) : []));

  for (const [i, calls] of reads.entries()) {
    for (const { name, call } of calls) {
      if (byName.has(name.toLowerCase())) continue;
      const { message, hint } = missingHeader(name);
      report(i, call, "MISSING_HEADER", message, hint);
    }
  }

  const order: number[] = [];
  const state = headers.map(() => "new" as "new" | "visiting" | "done");
  // A depth-first walk on a stack of its own: a chain of thousands of headers, each reading the
  // next, overflowed the call stack when the walk recursed. A frame is at its header's read
  // `read`, and at the `target`-th header of that read's name.
  for (let root = 0; root < headers.length; root++) {
    if (state[root] !== "new") continue;
    state[root] = "visiting";
    const stack = [{ i: root, read: 0, target: 0 }];
    for (let frame = stack[0]; frame; frame = stack[stack.length - 1]) {
      const read = reads[frame.i]?.[frame.read];
      if (!read) {
        state[frame.i] = "done";
        order.push(frame.i);
        stack.pop();
        continue;
      }
      const j = byName.get(read.name.toLowerCase())?.[frame.target++];
      if (j === undefined) {
        frame.read++;
        frame.target = 0;
      } else if (state[j] === "visiting") {
        const from = quoteName(headers[frame.i]?.name ?? "");
        const to = quoteName(headers[j]?.name ?? "");
        const message = frame.i === j ? `header ${from} reads itself` : `headers ${from} and ${to} read each other`;
        report(frame.i, read.call, "HEADER_CYCLE", message, "a header can only read headers that do not read it back");
      } else if (state[j] === "new") {
        state[j] = "visiting";
        stack.push({ i: j, read: 0, target: 0 });
      }
    }
  }
  return order;
}

/**
 * Every call in a template that reads a header (hash.getRequestHeader("name"): the table says
 * which methods do), with the name it reads, nested calls included.
 */
function headerReads(ast: Template, rules: Rules): { name: string; call: Call }[] {
  const found: { name: string; call: Call }[] = [];
  const chain = (c: Chain): void => {
    for (const call of c.calls) {
      const first = call.args[0];
      const readsHeader = rules.methods.get(call.method)?.reads === "header";
      if (readsHeader && first?.type === "String") found.push({ name: first.value, call });
      call.args.forEach(argument);
    }
  };
  const argument = (a: Argument): void => {
    if (a.type === "Chain") chain(a);
  };
  for (const part of ast.parts) if (part.type === "Block") chain(part.expression);
  return found;
}
