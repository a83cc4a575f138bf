// The request being signed, read by the templates of its parts (signRequest()).

import { type EvalContext, type RequestPart, type RequestView, requestPartReadable } from "../context.ts";
import { quoteName } from "../errors.ts";
import { type Method, MethodFailure } from "../method.ts";

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
    name: "getRequestPath",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The path of the request's expanded URL, as it stands in the URL ('/' when empty).",
    example: `hash.getRequestPath()`,
    reads: "url",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestPath", "url").path),
  },
  {
    name: "getRequestQuery",
    params: [],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The query of the request's expanded URL without '?', as it stands in the URL ('' when none).",
    example: `hash.append(hash.getRequestQuery()).encodeHmacSha256(hash.getSecret("api_key")).encodeBase64()`,
    reads: "url",
    run: (_input, _args, context) => read(context, "url", request(context, "getRequestQuery", "url").query),
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
    run: (_input, _args, context) =>
      read(context, "body", request(context, "getRequestBody", "body").body as Uint8Array),
  },
  {
    name: "getRequestHeader",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary: "A request header's value (name in any case), after that header's own expansion.",
    example: `hash.append("date: ").append(hash.getRequestHeader("Date"))`,
    reads: "header",
    run: (_input, [name], context) => {
      const value = request(context, "getRequestHeader", "header").header(name as string);
      if (value === undefined) {
        const { message, hint } = missingHeader(name as string);
        throw new MethodFailure("MISSING_HEADER", message, hint);
      }
      return read(context, name as string, value);
    },
  },
];

/**
 * The request being signed, when the running template may read `reads` of it: parts are
 * expanded in the order of REQUEST_PARTS, and each reads only what comes before it.
 */
function request(context: EvalContext, method: string, reads?: RequestPart): RequestView {
  const view = context.request;
  if (!view) {
    throw new MethodFailure(
      "REQUEST_UNAVAILABLE",
      `${method}() reads the request being signed, and there is none`,
      "use it in a part of a signed request (signRequest()), such as a header",
    );
  }
  if (reads !== undefined && !requestPartReadable(reads, view.part)) {
    throw new MethodFailure(
      "REQUEST_UNAVAILABLE",
      `${method}() cannot be used in the request's ${view.part}: it is expanded before what it reads`,
      "the URL is expanded first, then the body, then the headers; read the request from a header",
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
