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
  caches?: TemplateCaches<CachedRequest>,
): SignedRequest<H> {
  const rules = withLimits(base, options?.limits);
  const reveal = options?.revealSecrets === true;
  const shown: Shown = { reveal, shape: "template", rules };
  const normalize = options?.normalizeUrl === true;
  const method = request.method ?? "GET";
  // What a request compiles to depends on its texts and header names alone (and the limits, which
  // choose the cache); one that reveals literals in its errors, or is traced, is never kept. It is
  // found by its URL, and is this request's when the body and headers are the same too: a key
  // made of them all (JSON) cost a third of a signing to write and to look up.
  const cache = reveal || tracer ? undefined : caches?.for(rules.limits);
  const known = cache?.recall(request.url);
  let compiled = known && sameRequest(known, request.body, request.headers) ? known.compiled : undefined;
  if (!compiled) {
    // Copies of the pairs, not the host's own arrays: a pair changed in place after this call
    // must not change what the cache compares the next request with.
    const pairs: (readonly [string, string])[] = Array.isArray(request.headers)
      ? (request.headers as readonly (readonly [string, string])[]).map(([name, value]) => [name, value] as const)
      : Object.entries(request.headers ?? {});
    for (const [name] of pairs) {
      // RFC 9110 §5.1: a field name is a token. Names are the host's, not the template's.
      if (!TOKEN.test(name)) throw new TypeError(`the header name ${quoteName(name)} is not an RFC 9110 token`);
    }
    compiled = compileRequest(rules, request.url, request.body, pairs, { reveal, tracer, shown });
    const entry: CachedRequest = { body: request.body, pairs, compiled };
    cache?.remember(request.url, entry, requestBytes(entry, request.url));
  }
  return runRequest(compiled, request, method, options, normalize, shown, runOne);
}

/** A request's parts parsed and checked, and the order of their blocks: what signing reuses. */
export interface CompiledRequest {
  url: Part;
  body: Part | undefined;
  headers: HeaderPart[];
  plan: RequestPlan<Part>;
  /** Every part, by its id. */
  parts: Part[];
  /** A URL without blocks as the blocks read it, once read: without normalising, and with. */
  urlViews: [UrlView | undefined, UrlView | undefined];
  /** The headers as a record, those without blocks their text, once signRequest() made one. */
  record?: Record<string, string>;
}

/** A compiled request as signRequest() keeps it, under its URL: with the texts it was compiled from. */
export interface CachedRequest {
  body: string | undefined;
  pairs: readonly (readonly [string, string])[];
  compiled: CompiledRequest;
}

/** Whether a request has the body and headers (names and values, in order) a compiled one was compiled from. */
function sameRequest(known: CachedRequest, body: string | undefined, headers: Headers | undefined): boolean {
  if (known.body !== body) return false;
  const pairs = known.pairs;
  let i = 0;
  if (Array.isArray(headers)) {
    if (headers.length !== pairs.length) return false;
    for (const [name, value] of headers as readonly (readonly [string, string])[]) {
      const pair = pairs[i++] as readonly [string, string];
      if (name !== pair[0] || value !== pair[1]) return false;
    }
    return true;
  }
  // Object.entries' order and keys, without the array it makes.
  const record = (headers ?? {}) as Readonly<Record<string, string>>;
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue;
    const pair = pairs[i++];
    if (pair === undefined || name !== pair[0] || record[name] !== pair[1]) return false;
  }
  return i === pairs.length;
}

/** The heap a compiled request is estimated to hold: its parts, its texts and its plan. */
function requestBytes({ body, pairs, compiled }: CachedRequest, url: string): number {
  const { headers, plan } = compiled;
  const parts = [compiled.url, compiled.body, ...headers];
  let texts = url.length + (body?.length ?? 0);
  for (const [name, value] of pairs) texts += name.length + value.length + 32;
  let bytes = 2 * texts + REQUEST_BYTES + PLAN_BYTES * (parts.length + plan.units.length);
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
  for (const part of parts) {
    part.ref = { id: part.id, where: part.where, source: part.source, program: part.built as Program };
  }
  return { url, body, headers, plan, parts, urlViews: [undefined, undefined] };
}

/**
 * One signing of a compiled request: what each block gave, each part's text once it is whole,
 * and which parts a secret built. It is an object with methods, not closures made on every call:
 * a signing that made a dozen of them, and a view of the request for each block, spent a third
 * of its time there.
 */
class Signing {
  // By part id, made as the parts' blocks run: most parts of a request have none.
  private readonly outputsById: ((string | undefined)[] | undefined)[] = [];
  private readonly ranById: (number | undefined)[] = [];
  private readonly texts: (string | undefined)[] = [];
  // The parts built from a secret, directly or by reading a part that was: a trace of a part
  // that reads one of them masks what it read (see RequestView.fromSecret).
  private secretParts: Set<string> | undefined;
  private wholeUrl: UrlView | undefined;

  constructor(
    readonly compiled: CompiledRequest,
    readonly method: string,
    readonly normalize: boolean,
  ) {}

  /** What each block of the part gave so far, by piece. */
  outputs(part: Part): (string | undefined)[] {
    let outputs = this.outputsById[part.id];
    if (outputs === undefined) {
      outputs = [];
      this.outputsById[part.id] = outputs;
    }
    return outputs;
  }

  /** Counts a block of the part as run, and says how many have. */
  ran(part: Part): number {
    const ran = (this.ranById[part.id] ?? 0) + 1;
    this.ranById[part.id] = ran;
    return ran;
  }

  markSecret(key: string): void {
    this.secretParts ??= new Set();
    this.secretParts.add(key);
  }

  fromSecret(key: string): boolean {
    return this.secretParts?.has(key) === true;
  }

  /** A part's text, once all its blocks have run. */
  text(part: Part): string {
    let known = part.units.length === 0 ? part.source : this.texts[part.id];
    if (known === undefined) {
      // Never a part some of whose blocks have not run: that would send it without their text.
      if ((this.ranById[part.id] ?? 0) < part.units.length)
        throw new Error(`${part.where} was read before all its blocks ran`);
      known = assemble(part, this.outputs(part));
      this.texts[part.id] = known;
    }
    return known;
  }

  // The URL as a block sees it. From the URL itself: what it reads of it has run (the plan
  // orders it so), and a parameter still to run, or one the block leaves out, is not in it. From
  // another part: the whole expanded URL, which has run.
  urlOf(unit: Unit): UrlView {
    const { url, plan } = this.compiled;
    if (unit.part !== url) {
      this.wholeUrl ??=
        url.units.length === 0 ? staticUrl(this.compiled, this.normalize) : parseUrl(this.text(url), this.normalize);
      return this.wholeUrl;
    }
    const outputs = this.outputs(url);
    return parseUrl(urlText(plan.layout, outputs, unit.place, plan.paramsLeftOut.get(unit)), this.normalize);
  }

  bodyText(): string {
    const { body } = this.compiled;
    return body ? this.text(body) : "";
  }

  headerValues(unit: Unit, name: string): readonly string[] | undefined {
    const key = name.toLowerCase();
    const same = this.compiled.plan.byKey.get(key) ?? [];
    if (same.length > 0) return same.map((part) => this.text(part));
    return key === "host" ? [this.urlOf(unit).host] : undefined;
  }
}

/** A URL without blocks, read once for every signing (UrlView is never changed). */
function staticUrl(compiled: CompiledRequest, normalize: boolean): UrlView {
  const index = normalize ? 1 : 0;
  let view = compiled.urlViews[index];
  if (!view) {
    view = Object.freeze(parseUrl(compiled.url.source, normalize));
    compiled.urlViews[index] = view;
  }
  return view;
}

/**
 * What one block of a request runs with: the signing's clock, and the request as the block reads
 * it (a secret it reads marks its part). One object is both, made for each block of each signing.
 */
class UnitContext implements EvalContext, RequestView {
  readonly nowMs: number;
  readonly built: EvalContext["built"];
  readonly random: EvalContext["random"];
  readonly method: string;
  readonly request: RequestView = this;

  constructor(
    private readonly clock: EvalContext,
    private readonly signing: Signing,
    private readonly unit: Unit,
  ) {
    this.nowMs = clock.nowMs;
    this.built = clock.built;
    this.random = clock.random;
    this.method = signing.method;
  }

  secret(name: string): string | undefined {
    const value = this.clock.secret(name);
    if (value !== undefined) this.signing.markSecret(this.unit.part.key);
    return value;
  }

  tainted(): void {
    this.signing.markSecret(this.unit.part.key);
  }

  url(): UrlView {
    return this.signing.urlOf(this.unit);
  }

  body(): Uint8Array {
    return utf8(this.signing.bodyText());
  }

  form(): string {
    const type = this.signing.headerValues(this.unit, "content-type")?.[0] ?? "";
    const form = type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
    return form ? this.signing.bodyText().replaceAll("+", "%20") : "";
  }

  header(name: string): readonly string[] | undefined {
    return this.signing.headerValues(this.unit, name);
  }

  everyHeader(): readonly (readonly [string, string])[] {
    const { headers, plan } = this.signing.compiled;
    const out = plan.headersLeftOut.get(this.unit);
    const taken = headers.filter((h) => !out?.has(h)).map((h) => [h.name, this.signing.text(h)] as const);
    return plan.byKey.has("host") ? taken : [...taken, ["host", this.signing.urlOf(this.unit).host] as const];
  }

  // The Host a request without one reads is the URL's host: a secret there is one here.
  fromSecret(part: string): boolean {
    const { signing } = this;
    const key = part.toLowerCase();
    return (
      signing.fromSecret(key) ||
      (key === "host" && !signing.compiled.plan.byKey.has("host") && signing.fromSecret("url"))
    );
  }
}

/** One signing of a compiled request: its blocks run in the plan's order, on one clock. */
function runRequest<H extends Headers>(
  compiled: CompiledRequest,
  request: RequestTemplate<H>,
  method: string,
  options: SignOptions | undefined,
  normalize: boolean,
  shown: Shown,
  runOne: BlockRunner,
): SignedRequest<H> {
  const { url, plan } = compiled;
  const signing = new Signing(compiled, method, normalize);
  const clock = evalContext(options); // one clock, one set of names and draws, for every part
  for (const u of plan.order) {
    const unit = plan.units[u] as Unit;
    const part = unit.part;
    const context = new UnitContext(clock, signing, unit);
    const outputs = signing.outputs(part);
    try {
      outputs[unit.piece] = runOne(part.ref as PartRef, unit.piece, context);
    } catch (e) {
      const converted = rethrown(e, part.source, shown);
      throw converted instanceof HashHelperError ? inPart(part.where, converted) : converted;
    }
    // A header is refused as soon as it is whole, before any other part reads it.
    const ran = signing.ran(part);
    if (ran === part.units.length && part.kind === "header") refuseUnsendable(signing, part as HeaderPart, shown);
    if (part === url && plan.readsUrl) refuseRestructuring(url, unit, outputs[unit.piece] as string, shown);
  }
  return signed(compiled, signing, request, method, normalize);
}

/** A header whose text HTTP cannot send, refused at the block that gave it the character. */
function refuseUnsendable(signing: Signing, header: HeaderPart, shown: Shown): void {
  const unsendable = UNSENDABLE.exec(signing.text(header));
  if (unsendable)
    throw inPart(
      header.where,
      failure(header.source, [blockProblem(header, signing.outputs(header), unsendable[0])], shown),
    );
}

/**
 * The URL's components are read from the template's own text: a block that writes a delimiter
 * of its component would move what a signature reads (a parameter it never sees, a path cut).
 */
function refuseRestructuring(url: Part, unit: Unit, output: string, shown: Shown): void {
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
}

/** The signed request, once every block has run: each part's text. */
function signed<H extends Headers>(
  compiled: CompiledRequest,
  signing: Signing,
  request: RequestTemplate<H>,
  method: string,
  normalize: boolean,
): SignedRequest<H> {
  const { url, body, headers } = compiled;
  let signedUrl = signing.text(url);
  if (normalize) {
    // The URL itself is not quoted: blocks may have put a secret in it.
    if (!URL.canParse(signedUrl)) throw new InvalidUrlError("the expanded URL is not an absolute URL");
    signedUrl = new URL(signedUrl).href;
  }
  const signedBody = body ? signing.text(body) : undefined;

  return {
    method,
    url: signedUrl,
    headers: (Array.isArray(request.headers)
      ? headers.map((h) => [h.name, signing.text(h)] as const)
      : headerRecord(compiled, signing)) as unknown as H,
    body: signedBody,
  };
}

/**
 * The headers as a record, in their order: a copy of the record of the headers without blocks,
 * made once for the compiled request, with the others' texts written in. Copying an object of a
 * known shape is one step; Object.fromEntries of the pairs cost as much as the rest of a small
 * signing, and adding the names one by one half of that. A name that is the prototype's key is
 * defined, not assigned, as fromEntries does.
 */
function headerRecord(compiled: CompiledRequest, signing: Signing): Record<string, string> {
  let base = compiled.record;
  if (base === undefined) {
    base = {};
    for (const h of compiled.headers) define(base, h.name, h.units.length === 0 ? h.source : "");
    compiled.record = base;
  }
  const out = { ...base };
  for (const h of compiled.headers) if (h.units.length > 0) define(out, h.name, signing.text(h));
  return out;
}

function define(record: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__") {
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[name] = value;
  }
}

/** A part's text: its text as written, and what each of its blocks gave. */
function assemble(part: Part, outputs: readonly (string | undefined)[]): string {
  const pieces = part.built?.pieces ?? [];
  let out = "";
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    out += typeof piece === "string" ? piece : (outputs[i] ?? "");
  }
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
  /** What a block runner is given of the part, once it is compiled. */
  ref?: PartRef;
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
