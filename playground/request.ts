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
export const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A request curl cannot send as it was signed; the message names no value, only what is wrong. */
export class CurlRefused extends Error {
  override readonly name = "CurlRefused";
}

/**
 * Headers curl adds by itself (curl 7.88, `curl -v`): User-Agent and Accept always, Content-Type
 * `application/x-www-form-urlencoded` with --data-raw, Expect: 100-continue for a large body. An
 * API that signs its headers (getCanonicalHeaders, a Content-Type in the string to sign) would see
 * headers that were not signed, so each one the request does not set is removed, as curl's manual
 * says for -H: "Remove an internal header by giving a replacement without content on the right
 * side of the colon". Host and Content-Length stay: HTTP/1.1 needs them, and they are what the
 * request gives (the URL's host, the body's length).
 */
const CURL_ADDS = ["User-Agent", "Accept", "Content-Type", "Expect"];

/**
 * The signed request as a curl command line that sends it byte for byte: `-q` first, so no
 * ~/.curlrc adds to it; `--globoff`, so `[…]` and `{…}` in the URL are not curl's globs;
 * `--path-as-is`, so `/../` and `/./` are not squashed; an empty header (or one of spaces) as `Name;`, which is
 * curl's way to send one (`Name:` removes it); `--head` for HEAD, which `-X HEAD` would leave
 * waiting for a body. Throws CurlRefused for what curl cannot send as signed.
 */
export function curlOf(request: SignedRequest): string {
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers);
  const method = request.method;
  const body = request.body;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new CurlRefused("the method is not an HTTP token");
  if (method === "HEAD" && body !== undefined) {
    throw new CurlRefused("a HEAD request has no body: curl cannot send one with it");
  }
  if (/[\r\n\0]/.test(request.url)) throw new CurlRefused("the URL holds a line break");
  if (body?.includes("\0")) throw new CurlRefused("the body holds a NUL character, which no command line can");
  for (const [name, value] of headers) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new CurlRefused("a header name is not an HTTP token");
    }
    if (/[\r\n\0]/.test(value)) throw new CurlRefused(`the value of header ${name} holds a line break`);
  }
  const parts = ["curl", "-q", "--globoff", "--path-as-is"];
  if (method === "HEAD") parts.push("--head");
  else if (body === undefined ? method !== "GET" : method !== "POST") parts.push("-X", quote(method));
  const given = new Set(headers.map(([name]) => name.toLowerCase()));
  // A value of spaces and tabs alone is empty to HTTP (RFC 9110 §5.5 trims them) and `Name:   ` would
  // make curl drop the header: it is sent as an empty one.
  for (const [name, value] of headers)
    parts.push("-H", quote(/^[ \t]*$/.test(value) ? `${name};` : `${name}: ${value}`));
  for (const name of CURL_ADDS) {
    if (given.has(name.toLowerCase())) continue;
    if ((name === "Content-Type" || name === "Expect") && body === undefined) continue;
    parts.push("-H", quote(`${name}:`));
  }
  if (body !== undefined) parts.push("--data-raw", quote(body));
  parts.push("--url", quote(request.url));
  return parts.join(" ");
}
