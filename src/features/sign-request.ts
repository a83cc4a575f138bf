import type { TemplateCaches } from "../engine/cache.ts";
import { type ExpandOptions, evalContext } from "../engine/context.ts";
import { type Built, build, failure, type program, rethrown, type Shown } from "../engine/template.ts";
import type { Span, Template } from "../language/ast.ts";
import { compileTextChain, type TextEvaluator, type Tracer } from "../language/checker.ts";
import type { EvalContext, RequestView, UrlView } from "../language/context.ts";
import { utf8 } from "../language/encoding.ts";
import {
  HashHelperError,
  MAX_REPORTED_PROBLEMS,
  type Problem,
  type ProblemReport,
  quoteName,
} from "../language/errors.ts";
import { limitProblem } from "../language/limits.ts";
import { type Rules, withLimits } from "../language/rules.ts";
import { InvalidUrlError } from "./invalid-url.ts";
import {
  type PlannedPart,
  type PlannedUnit,
  parseUrl,
  planRequest,
  type RequestPlan,
  urlText,
} from "./request-plan.ts";

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

/** A part of a request as the runner of its blocks sees it. */
export interface PartRef {
  /** The part's place: 0 the URL, then the body when there is one, then the headers in order. */
  id: number;
  /** "URL", "body", "header Name". */
  where: string;
  source: string;
  program: Program;
}

/**
 * How one block of a part is run: the default runs it; explain traces it. Blocks run in the
 * order their reads need, which is not the order they stand in.
 */
export type BlockRunner = (part: PartRef, piece: number, context: EvalContext) => string;

/** How a block is run when nothing watches it. */
export const runBlock: BlockRunner = (part, piece, context) => (part.program.pieces[piece] as TextEvaluator)(context);

/**
 * signRequest() against the given rules, with the running of each block left to `runBlock`, and
 * `tracer` built into every part's evaluators (explainRequest()).
 */
export function signRequestWith<H extends Headers>(
  base: Rules,
  request: RequestTemplate<H>,
  options: SignOptions | undefined,
  runOne: BlockRunner,
  tracer?: Tracer,
  caches?: TemplateCaches<CompiledRequest>,
): SignedRequest<H> {
  const rules = withLimits(base, options?.limits);
  const reveal = options?.revealSecrets === true;
  const shown: Shown = { reveal, shape: "template", rules };
  const normalize = options?.normalizeUrl === true;
  const method = request.method ?? "GET";
  const pairs: (readonly [string, string])[] = Array.isArray(request.headers)
    ? [...(request.headers as readonly (readonly [string, string])[])]
    : Object.entries(request.headers ?? {});
  for (const [name] of pairs) {
    // RFC 9110 §5.1: a field name is a token. Names are the host's, not the template's.
    if (!TOKEN.test(name)) throw new TypeError(`the header name ${quoteName(name)} is not an RFC 9110 token`);
  }

  // What a request compiles to depends on its texts and header names alone (and the limits, which
  // choose the cache); one that reveals literals in its errors, or is traced, is never kept.
  const cache = reveal || tracer ? undefined : caches?.for(rules.limits);
  const key = cache ? JSON.stringify([request.url, request.body ?? null, pairs]) : "";
  let compiled = cache?.recall(key);
  if (!compiled) {
    compiled = compileRequest(rules, request.url, request.body, pairs, { reveal, tracer, shown });
    cache?.remember(key, compiled, requestBytes(key, compiled));
  }
  return runRequest(compiled, request, method, options, normalize, shown, runOne);
}

/** A request's parts parsed and checked, and the order of their blocks: what signing reuses. */
export interface CompiledRequest {
  url: Part;
  body: Part | undefined;
  headers: HeaderPart[];
  plan: RequestPlan<Part>;
}

/** The heap a compiled request is estimated to hold: its parts, its key and its plan. */
function requestBytes(key: string, { url, body, headers, plan }: CompiledRequest): number {
  const parts = [url, body, ...headers];
  let bytes = 2 * key.length + REQUEST_BYTES + PLAN_BYTES * (parts.length + plan.units.length);
  for (const part of parts) bytes += part?.built?.bytes ?? 0;
  return bytes;
}
// What a compiled request holds besides its parts' pieces, measured as templates are
// (src/engine/cache.ts): an Unleashed-style request of four parts holds 12.3 KB, estimated 13.7 KB.
const REQUEST_BYTES = 4096;
const PLAN_BYTES = 512;

function compileRequest(
  rules: Rules,
  urlSource: string,
  bodySource: string | undefined,
  pairs: readonly (readonly [string, string])[],
  { reveal, tracer, shown }: { reveal: boolean; tracer: Tracer | undefined; shown: Shown },
): CompiledRequest {
  // Parsed first, checked once the order of every block of the request is known.
  const parse = (id: number, kind: Part["kind"], where: string, key: string, source: string): Part => {
    const part: Part = { id, kind, where, key, source, problems: [], units: [] };
    try {
      part.built = build(source, { rules, reveal, check: false });
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      part.error = e;
    }
    return part;
  };
  const url = parse(0, "url", "URL", "url", urlSource);
  const body = bodySource === undefined ? undefined : parse(1, "body", "body", "body", bodySource);
  const first = body ? 2 : 1;
  const headers = pairs.map(([name, value], i) => ({
    ...parse(first + i, "header", `header ${name}`, name.toLowerCase(), value),
    name,
  }));
  const parts: Part[] = [url, ...(body ? [body] : []), ...headers];
  for (const header of headers) {
    const problem = header.built && textProblem(header.name, header.built.ast);
    if (problem) header.problems.push(problem);
  }

  // maxBlocks bounds the request as a whole, as it bounds one template: what ordering the
  // blocks costs grows with their number, whatever parts they are spread over.
  let blocks = 0;
  for (const part of parts) {
    for (const node of part.built?.ast.parts ?? []) {
      if (node.type !== "Block" || ++blocks !== rules.limits.maxBlocks + 1) continue;
      part.problems.push(
        limitProblem(
          "maxBlocks",
          rules.limits,
          "the request has more blocks than the limit, in all its parts",
          node.span,
          "use fewer blocks",
        ),
      );
    }
  }
  if (blocks > rules.limits.maxBlocks) throw joined(parts, shown) as HashHelperError;
  const plan = planRequest(parts, url, body, headers, rules, (part) =>
    part.kind === "header" ? `header ${quoteName(part.name ?? part.key)}` : `the ${part.where}`,
  );
  // A part that could not be read may define names the others read.
  if (parts.some((p) => p.error !== undefined)) plan.scope.complete = false;
  for (const u of plan.order) {
    const unit = plan.units[u] as Unit;
    const built = unit.part.built as Built;
    built.pieces[unit.piece] = compileTextChain(
      unit.block.expression,
      "block",
      unit.part.problems,
      rules,
      tracer,
      plan.scope,
    );
  }
  const error = joined(parts, shown);
  if (error) throw error;
  return { url, body, headers, plan };
}

/** One signing of a compiled request: its blocks run in the plan's order, on one clock. */
function runRequest<H extends Headers>(
  { url, body, headers, plan }: CompiledRequest,
  request: RequestTemplate<H>,
  method: string,
  options: SignOptions | undefined,
  normalize: boolean,
  shown: Shown,
  runOne: BlockRunner,
): SignedRequest<H> {
  // What each block of each part gave in this signing, and how many of a part's blocks have run.
  const runs = new Map<Part, { outputs: (string | undefined)[]; ran: number }>();
  const run = (part: Part) => {
    let state = runs.get(part);
    if (!state) {
      state = { outputs: [], ran: 0 };
      runs.set(part, state);
    }
    return state;
  };
  const clock = evalContext(options); // one clock, one set of names and draws, for every part
  // The parts built from a secret, directly or by reading a part that was: a trace of a part
  // that reads one of them masks what it read (see RequestView.fromSecret).
  const fromSecret = new Set<string>();
  const texts = new Map<Part, string>();
  /** A part's text, once all its blocks have run. */
  const text = (part: Part): string => {
    let known = texts.get(part);
    if (known === undefined) {
      // Never a part some of whose blocks have not run: that would send it without their text.
      if (run(part).ran < part.units.length) throw new Error(`${part.where} was read before all its blocks ran`);
      known = assemble(part, run(part).outputs);
      texts.set(part, known);
    }
    return known;
  };
  // The URL as a block sees it. From the URL itself: what it reads of it has run (the plan
  // orders it so), and a parameter still to run, or one the block leaves out, is not in it. From
  // another part: the whole expanded URL, which has run.
  let wholeUrl: UrlView | undefined;
  const urlOf = (unit: Unit): UrlView => {
    if (unit.part !== url) {
      wholeUrl ??= parseUrl(text(url), normalize);
      return wholeUrl;
    }
    return parseUrl(urlText(plan.layout, run(url).outputs, unit.place, plan.paramsLeftOut.get(unit)), normalize);
  };
  const bodyText = () => (body ? text(body) : "");
  const { byKey } = plan;
  const headerValues = (unit: Unit, name: string): readonly string[] | undefined => {
    const key = name.toLowerCase();
    const same = byKey.get(key) ?? [];
    if (same.length > 0) return same.map(text);
    return key === "host" ? [urlOf(unit).host] : undefined;
  };

  const refuseUnsendable = (header: HeaderPart) => {
    const unsendable = UNSENDABLE.exec(text(header));
    if (unsendable)
      throw inPart(
        header.where,
        failure(header.source, [blockProblem(header, run(header).outputs, unsendable[0])], shown),
      );
  };

  // The URL's components are read from the template's own text: a block that writes a delimiter
  // of its component would move what a signature reads (a parameter it never sees, a path cut).
  const refuseRestructuring = (unit: Unit, output: string) => {
    const component = unit.place?.component;
    const found = component ? DELIMITERS[component]?.exec(output) : null;
    if (!found || !component) return;
    const where = component === "authority" ? "host" : component;
    const problem: Problem = {
      code: "INVALID_URL_VALUE",
      message: `this block gives ${quoteName(found[0])} in the URL's ${where}, which would change what the request's reads of the URL see`,
      hint: "encode the value with encodeURL(), or write the delimiter in the template's text",
      ...unit.block.span,
    };
    throw inPart(url.where, failure(url.source, [problem], shown));
  };

  const viewOf = (unit: Unit): RequestView => ({
    method,
    url: () => urlOf(unit),
    body: () => utf8(bodyText()),
    form: () => {
      const type = headerValues(unit, "content-type")?.[0] ?? "";
      const form = type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
      return form ? bodyText().replaceAll("+", "%20") : "";
    },
    header: (name) => headerValues(unit, name),
    everyHeader: () => {
      const out = plan.headersLeftOut.get(unit);
      const taken = headers.filter((h) => !out?.has(h)).map((h) => [h.name, text(h)] as const);
      return byKey.has("host") ? taken : [...taken, ["host", urlOf(unit).host] as const];
    },
    // The Host a request without one reads is the URL's host: a secret there is one here.
    fromSecret: (part) =>
      fromSecret.has(part.toLowerCase()) ||
      (part.toLowerCase() === "host" && !byKey.has("host") && fromSecret.has("url")),
  });

  for (const u of plan.order) {
    const unit = plan.units[u] as Unit;
    const part = unit.part;
    const context: EvalContext = {
      ...clock,
      request: viewOf(unit),
      secret: (name) => {
        const value = clock.secret(name);
        if (value !== undefined) fromSecret.add(part.key);
        return value;
      },
      tainted: () => fromSecret.add(part.key),
    };
    const ref: PartRef = { id: part.id, where: part.where, source: part.source, program: part.built as Program };
    try {
      run(part).outputs[unit.piece] = runOne(ref, unit.piece, context);
    } catch (e) {
      const converted = rethrown(e, part.source, shown);
      throw converted instanceof HashHelperError ? inPart(part.where, converted) : converted;
    }
    // A header is refused as soon as it is whole, before any other part reads it.
    const state = run(part);
    if (++state.ran === part.units.length && part.kind === "header") refuseUnsendable(part as HeaderPart);
    if (part === url && plan.readsUrl) refuseRestructuring(unit, state.outputs[unit.piece] as string);
  }

  let signedUrl = text(url);
  if (normalize) {
    // The URL itself is not quoted: blocks may have put a secret in it.
    if (!URL.canParse(signedUrl)) throw new InvalidUrlError("the expanded URL is not an absolute URL");
    signedUrl = new URL(signedUrl).href;
  }
  const signedBody = body ? text(body) : undefined;

  const out = headers.map((h) => [h.name, text(h)] as const);
  return {
    method,
    url: signedUrl,
    headers: (Array.isArray(request.headers) ? out : Object.fromEntries(out)) as unknown as H,
    body: signedBody,
  };
}

/** A part's text: its text as written, and what each of its blocks gave. */
function assemble(part: Part, outputs: readonly (string | undefined)[]): string {
  const pieces = part.built?.pieces ?? [];
  let out = "";
  for (const [i, piece] of pieces.entries()) out += typeof piece === "string" ? piece : (outputs[i] ?? "");
  return out;
}
/**
 * One text of a request: what parsing it gave, or the error that parsing gave, the problems
 * found in it beyond that, and, as the request is expanded, what each of its blocks gave.
 */
interface Part extends PlannedPart {
  id: number;
  kind: "url" | "body" | "header";
  where: string;
  /** What RequestView.fromSecret names it by: "url", "body", or the header's name in lowercase. */
  key: string;
  source: string;
  built?: Built;
  error?: HashHelperError;
  problems: Problem[];
  /** The units (blocks) of the part. */
  units: number[];
}

type HeaderPart = Part & { name: string };

/** A block of a part of the request: what runs, in the order the reads of blocks need. */
type Unit = PlannedUnit<Part>;

/** What a block of each component of a URL may not give when the URL is read (RFC 3986 §3). */
const DELIMITERS: Partial<Record<string, RegExp>> = {
  scheme: /[:/?#@]/,
  authority: /[/?#@]/,
  path: /[?#]/,
  query: /[&#]/,
};

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
 * at the first block that gave such a character.
 */
function blockProblem(header: HeaderPart, outputs: readonly (string | undefined)[], character: string): Problem {
  let span: Span = { offset: 0, length: header.source.length };
  let found = character;
  for (const [i, part] of (header.built as Built).ast.parts.entries()) {
    const own = part.type === "Block" ? UNSENDABLE.exec(outputs[i] ?? "") : null;
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
