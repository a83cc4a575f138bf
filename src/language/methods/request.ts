// The request being signed, read by the templates of its parts (signRequest()).

import type { EvalContext, RequestView } from "../context.ts";
import { quoteName } from "../errors.ts";
import { type Method, MethodFailure, type Param } from "../method.ts";
import { trimSpaces } from "./strings.ts";

/** A `;`-separated list of header names, for the canonical-headers functions. */
const HEADER_LIST: Param = {
  name: "names",
  accepts: ["text"],
  literal: true,
  isName: true,
  optional: true,
  validate: (list) =>
    headerList(list) ? undefined : "the list is header names separated by ';', such as \"host;x-amz-date\"",
};

export const requestMethods: readonly Method[] = [
  {
    name: "getRequestMethod",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The method of the request being signed (GET, POST…).",
    example: `hash.getRequestMethod()`,
    run: (_input, _args, context) => request(context, "getRequestMethod").method,
  },
  {
    name: "getRequestUrl",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The request's whole expanded URL, as it is sent.",
    example: `hash.append("GET ").append(hash.getRequestUrl())`,
    reads: "url",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestUrl").url().href),
  },
  {
    name: "getRequestScheme",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The scheme of the request's URL, lowercase and without ':' (https).",
    example: `hash.append(hash.getRequestScheme()).append("://").append(hash.getRequestHost())`,
    reads: "scheme",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestScheme").url().scheme),
  },
  {
    name: "getRequestHost",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The host of the request's URL, with ':port' when the URL has one.",
    example: `hash.append("host:").append(hash.getRequestHost())`,
    reads: "host",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestHost").url().host),
  },
  {
    name: "getRequestPath",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The path of the request's expanded URL, as it stands in the URL ('/' when empty).",
    example: `hash.getRequestPath()`,
    reads: "path",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestPath").url().path),
  },
  {
    name: "getRequestQuery",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary:
      "The query of the request's expanded URL without '?', as it stands in the URL ('' when none); read in the URL itself, without the parameter being expanded.",
    example: `hash.append(hash.getRequestQuery()).encodeHmacSha256(hash.getSecret("api_key")).encodeBase64()`,
    reads: "query",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestQuery").url().query),
  },
  {
    name: "getRequestBody",
    params: [],
    input: "start",
    output: "bytes",
    reveals: true,
    summary: "The exact bytes of the request's body, after its own expansion (empty when none).",
    example: `hash.getRequestBody().encodeSha256().toHex()`,
    reads: "body",
    run: (_input, _args, context) => read(context, "body", request(context, "getRequestBody").body()),
  },
  {
    name: "getRequestForm",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary:
      "The body's form parameters (Content-Type application/x-www-form-urlencoded) as text, '+' written as %20; '' for any other body.",
    example: `hash.append(hash.getRequestQuery()).append("&").append(hash.getRequestForm()).canonicalQuery()`,
    reads: "form",
    run: (_input, _args, context) => read(context, "body", request(context, "getRequestForm").form()),
  },
  {
    name: "getRequestHeader",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary:
      "A request header's value (name in any case), after that header's own expansion; repeated headers joined with ', '. Host is the URL's host when not given.",
    example: `hash.append("date: ").append(hash.getRequestHeader("Date"))`,
    reads: "header",
    run: (_input, [name], context) => {
      const values = request(context, "getRequestHeader").header(name as string);
      if (values === undefined) {
        const { message, hint } = missingHeader(name as string);
        throw new MethodFailure("MISSING_HEADER", message, hint);
      }
      return read(context, name as string, values.join(", "));
    },
  },
  {
    name: "getCanonicalHeaders",
    params: [HEADER_LIST],
    input: "start",
    output: "text",
    reveals: true,
    summary:
      "'name:value\\n' for each header of the ';'-separated list (every header when left out), names lowercase and sorted, values trimmed with runs of spaces collapsed, repeats joined with ','.",
    example: `hash.getCanonicalHeaders("host;date").encodeSha256().toHex()`,
    reads: "headers",
    run: (_input, [list], context) =>
      canonical(context, list as string | undefined, "getCanonicalHeaders")
        .map(([name, value]) => `${name}:${value}\n`)
        .join(""),
  },
  {
    name: "getSignedHeaders",
    params: [HEADER_LIST],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The lowercase, sorted names getCanonicalHeaders() signs, joined with ';' (host;x-amz-date).",
    example: `hash.getSignedHeaders("host;date")`,
    reads: "headers",
    run: (_input, [list], context) =>
      canonical(context, list as string | undefined, "getSignedHeaders")
        .map(([name]) => name)
        .join(";"),
  },
];

/** The names of a `;`-separated list, lowercase, or undefined when one is not a header name. */
export function headerList(list: string): string[] | undefined {
  const names = list.split(";").map((n) => n.trim().toLowerCase());
  return names.every((n) => /^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(n)) ? names : undefined;
}

/** The sorted, lowercase names and canonical values of the headers a canonical-headers call reads. */
function canonical(context: EvalContext, list: string | undefined, method: string): [string, string][] {
  const view = request(context, method);
  const values = new Map<string, string[]>();
  if (list === undefined) {
    // The headers the read takes, as parts: two of one name, one of them the reader, give one.
    for (const [name, value] of view.everyHeader()) {
      const key = name.toLowerCase();
      values.set(key, [...(values.get(key) ?? []), value]);
    }
  } else {
    for (const name of headerList(list) ?? []) {
      if (values.has(name)) continue;
      const given = view.header(name);
      if (given === undefined) {
        const { message, hint } = missingHeader(name);
        throw new MethodFailure("MISSING_HEADER", message, hint);
      }
      values.set(name, [...given]);
    }
  }
  for (const name of values.keys()) read(context, name, undefined);
  return [...values]
    .map(([name, v]): [string, string] => [name, v.map(canonicalValue).join(",")])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A header value as SigV4 and its kin sign it: trimmed, each run of spaces and tabs one space. */
export function canonicalValue(value: string): string {
  // Trimmed by index: /^[ \t]+|[ \t]+$/ is quadratic in a long run of spaces.
  return trimSpaces(value).replace(/[ \t]+/g, " ");
}

/** The request being signed, or a failure saying there is none. */
function request(context: EvalContext, method: string): RequestView {
  const view = context.request;
  if (!view) {
    throw new MethodFailure(
      "REQUEST_UNAVAILABLE",
      `${method}() reads the request being signed, and there is none`,
      "use it in a part of a signed request (signRequest()), such as a header",
    );
  }
  return view;
}

/** A value read from a part of the request, reported as a secret's when that part was built from one. */
function read<T>(context: EvalContext, part: string, value: T): T {
  if (context.request?.fromSecret(part)) context.tainted?.();
  return value;
}

/** What MISSING_HEADER says, found while running or, in a signed request, before. */
export function missingHeader(name: string): { message: string; hint: string } {
  return { message: `the request has no header ${quoteName(name)}`, hint: "add it to the request's headers" };
}
