import type { Argument, Call, Chain, Template } from "./ast.ts";
import { type ExpandOptions, evalContext } from "./context.ts";
import { utf8 } from "./encoding.ts";
import { HashHelperError, type ProblemReport } from "./errors.ts";
import { resolveLimits } from "./limits.ts";
import type { EvalContext, RequestView } from "./methods.ts";
import { errorMasks } from "./masks.ts";
import { program } from "./template.ts";

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

/**
 * Expands a whole request on one clock: the URL first, then the body (which may read the URL),
 * then the headers in the order their reads of each other require (a header that reads another
 * with hash.getRequestHeader() waits for it). Every problem in every part is reported in one
 * HashHelperError, each saying which part it is in.
 */
export function signRequest<H extends Headers>(request: RequestTemplate<H>, options?: SignOptions): SignedRequest<H> {
  return signRequestWith(request, options, (_where, _source, p, context) => p.run(context));
}

/**
 * How one part of a request is run: the default runs it; explain traces it. `where` names the
 * part ("URL", "body", "header Name").
 */
export type PartRunner = (where: string, source: string, p: Program, context: EvalContext) => string;

/** signRequest() with the running of each part left to `runPart`. */
export function signRequestWith<H extends Headers>(
  request: RequestTemplate<H>,
  options: SignOptions | undefined,
  runPart: PartRunner,
): SignedRequest<H> {
  const limits = resolveLimits(options?.limits);
  const method = request.method ?? "GET";
  const pairs: (readonly [string, string])[] = Array.isArray(request.headers)
    ? [...(request.headers as readonly (readonly [string, string])[])]
    : Object.entries(request.headers ?? {});

  const reports: ProblemReport[] = [];
  const compileIn = (where: string, source: string): Program | undefined => {
    try {
      return program(source, limits);
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      reports.push(...e.problems.map((p) => ({ ...p, where })));
      return undefined;
    }
  };
  const url = compileIn("URL", request.url);
  const body = request.body === undefined ? undefined : compileIn("body", request.body);
  const headers = pairs.map(([name, value]) => ({ name, source: value, program: compileIn(`header ${name}`, value) }));
  const sources = { URL: request.url, body: request.body ?? "" } as Record<string, string>;
  const order = headerOrder(headers, reports);
  if (reports.length > 0) throw new HashHelperError(reports);

  const base = evalContext(options); // one clock for every part
  const view: RequestView = {
    part: "url",
    method,
    url: "",
    path: "",
    query: "",
    body: undefined,
    header: (name) => {
      const wanted = name.toLowerCase();
      const values = expanded.filter((h, i) => h !== undefined && pairs[i]?.[0].toLowerCase() === wanted);
      return values.length > 0 ? values.join(", ") : undefined;
    },
    fromSecret: (part) => fromSecret.has(part.toLowerCase()),
  };
  const expanded: (string | undefined)[] = pairs.map(() => undefined);
  // The parts built from a secret, directly or by reading a part that was: a trace of a part
  // that reads one of them masks what it read (see RequestView.fromSecret).
  const fromSecret = new Set<string>();
  const run = (where: string, p: Program, source = sources[where] ?? "") => {
    const part = where === "URL" ? "url" : where === "body" ? "body" : where.slice("header ".length).toLowerCase();
    const context: EvalContext = {
      ...base,
      request: view,
      secret: (name) => {
        const value = base.secret(name);
        if (value !== undefined) fromSecret.add(part);
        return value;
      },
      tainted: () => fromSecret.add(part),
    };
    try {
      return runPart(where, source, p, context);
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      throw new HashHelperError(e.problems.map((r) => ({ ...r, where })));
    }
  };

  let signedUrl = run("URL", url as Program);
  if (options?.normalizeUrl) {
    // The URL itself is not quoted: blocks may have put a secret in it.
    if (!URL.canParse(signedUrl)) throw new InvalidUrlError("the expanded URL is not an absolute URL");
    signedUrl = new URL(signedUrl).href;
  }
  Object.assign(view, { url: signedUrl, ...pathAndQuery(signedUrl), part: "body" });
  const signedBody = body ? run("body", body) : undefined;
  view.body = utf8(signedBody ?? "");
  view.part = "header";
  for (const i of order) {
    const header = headers[i] as { name: string; program: Program };
    expanded[i] = run(`header ${header.name}`, header.program, pairs[i]?.[1]);
  }

  const out = pairs.map(([name], i) => [name, expanded[i] as string] as const);
  return {
    method,
    url: signedUrl,
    headers: (Array.isArray(request.headers) ? out : Object.fromEntries(out)) as unknown as H,
    body: signedBody,
  };
}

/** The path and query of a URL as they stand in it, without decoding or normalising them. */
export function pathAndQuery(url: string): { path: string; query: string } {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(?:\?([^#]*))?/.exec(url);
  return { path: match?.[1] || "/", query: match?.[2] ?? "" };
}

/**
 * The order to expand headers in, so that each runs after the headers it reads. A read of a
 * header the request does not have, and a cycle, are reported as problems of the header that
 * makes the read.
 */
function headerOrder(
  headers: readonly { name: string; source: string; program: Program | undefined }[],
  reports: ProblemReport[],
): number[] {
  const report = (i: number, call: Call, code: "MISSING_HEADER" | "HEADER_CYCLE", message: string, hint: string) => {
    const header = headers[i] as { name: string; source: string };
    const problem = { code, message, hint, ...call.nameSpan };
    const [made] = HashHelperError.from(header.source, [problem], errorMasks(header.source)).problems;
    reports.push({ ...(made as ProblemReport), where: `header ${header.name}` });
  };
  const index = new Map<string, number[]>();
  for (const [i, h] of headers.entries()) {
    const name = h.name.toLowerCase();
    index.set(name, [...(index.get(name) ?? []), i]);
  }
  const reads = headers.map((h) => (h.program ? headerReads(h.program.ast) : []));

  for (const [i, calls] of reads.entries()) {
    for (const { name, call } of calls) {
      if (index.has(name.toLowerCase())) continue;
      report(
        i,
        call,
        "MISSING_HEADER",
        `the request has no header '${name}'`,
        `add it to the request, e.g. -H '${name}: …'`,
      );
    }
  }

  const order: number[] = [];
  const state = headers.map(() => "new" as "new" | "visiting" | "done");
  const visit = (i: number): void => {
    if (state[i] !== "new") return;
    state[i] = "visiting";
    for (const { name, call } of reads[i] ?? []) {
      for (const j of index.get(name.toLowerCase()) ?? []) {
        if (state[j] === "visiting") {
          const from = headers[i]?.name ?? "";
          const to = headers[j]?.name ?? "";
          const message = i === j ? `header '${from}' reads itself` : `headers '${from}' and '${to}' read each other`;
          report(i, call, "HEADER_CYCLE", message, "a header can only read headers that do not read it back");
          continue;
        }
        visit(j);
      }
    }
    state[i] = "done";
    order.push(i);
  };
  for (let i = 0; i < headers.length; i++) visit(i);
  return order;
}

/** Every hash.getRequestHeader("name") call in a template, nested ones included. */
function headerReads(ast: Template): { name: string; call: Call }[] {
  const found: { name: string; call: Call }[] = [];
  const chain = (c: Chain): void => {
    for (const call of c.calls) {
      const first = call.args[0];
      if (call.method === "getRequestHeader" && first?.type === "String") found.push({ name: first.value, call });
      call.args.forEach(argument);
    }
  };
  const argument = (a: Argument): void => {
    if (a.type === "Chain") chain(a);
  };
  for (const part of ast.parts) if (part.type === "Block") chain(part.expression);
  return found;
}
