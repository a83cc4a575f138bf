// A text in the editor is a whole request when it starts with a request line (`GET https://…`),
// as the recipes write them; anything else is a template, a URL most often.

import type { RequestTemplate, SignedRequest } from "../src/index.ts";
import { parseHttpFile } from "../src/shells/cli/http-file.ts";

const REQUEST_LINE = /^[A-Z]+[ \t]+\S/;

/** The first line that is neither blank nor a comment. */
function firstLine(text: string): string {
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^\s*(?:#|\/\/)/.test(line)) continue;
    return line;
  }
  return "";
}

/** The request the text writes, or undefined for a template. Throws HttpFileError for a line it cannot read. */
export function requestOf(text: string): RequestTemplate<[string, string][]> | undefined {
  if (!REQUEST_LINE.test(firstLine(text))) return undefined;
  const [first] = parseHttpFile(text);
  if (!first) return undefined;
  const request: RequestTemplate<[string, string][]> = { method: first.method, url: first.url, headers: first.headers };
  if (first.body !== undefined) request.body = first.body;
  return request;
}

/** POSIX shell quoting: the text inside single quotes, each `'` written as `'\''`. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The signed request as a curl command line. */
export function curlOf(request: SignedRequest): string {
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers);
  const parts = ["curl"];
  if (request.method !== "GET" || request.body !== undefined) parts.push("-X", quote(request.method));
  for (const [name, value] of headers) parts.push("-H", quote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push("--data-raw", quote(request.body));
  parts.push(quote(request.url));
  return parts.join(" ");
}
