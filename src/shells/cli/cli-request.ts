// The request side of the CLI: `hash-helper sign` and `hash-helper fetch` build a request from
// curl-like flags, sign it with signRequest(), and print or send it. The CLI reads --data @FILE
// itself, with its other inputs. fetch sends with the platform's fetch(); fetch --raw-path with
// node:http, which sends a path as it was written.
import type { request as httpRequest, IncomingMessage, RequestOptions } from "node:http";
import type { Socket } from "node:net";
import type { RequestTemplate, SignedRequest } from "../../index.ts";

type Pairs = (readonly [string, string])[];

/** A mistake in the flags, which the CLI reports as a usage error. */
export class RequestUsageError extends Error {}

/** The request the flags describe: -X METHOD, -H 'Name: value' (repeatable), and the body of --data. */
export function requestFromFlags(flags: {
  url: string;
  method?: string | undefined;
  headers?: readonly string[] | undefined;
  body?: string | undefined;
}): RequestTemplate<Pairs> {
  const headers: Pairs = (flags.headers ?? []).map((line) => {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    if (colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      // RFC 9110 §5.1: a field name is a token. The value is not echoed: it may hold a key.
      throw new RequestUsageError("-H takes 'Name: value', with a name of letters, digits and -");
    }
    // The value as typed after the colon and its spaces (RFC 9110 §5.5 trims them).
    return [name, line.slice(colon + 1).replace(/^[ \t]+/, "")] as const;
  });
  const { body } = flags;
  // As curl does: a request with a body is a POST unless -X says otherwise.
  const method = flags.method ?? (body === undefined ? "GET" : "POST");
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
    throw new RequestUsageError("-X takes a method name such as GET or POST");
  }
  if (body !== undefined && /^(GET|HEAD)$/i.test(method)) {
    throw new RequestUsageError(
      `a ${method.toUpperCase()} request cannot have a body: add -X POST, or leave out --data`,
    );
  }
  return { method, url: flags.url, headers, body };
}

/** The signed request the way HTTP writes it: request line, headers, a blank line, the body. */
export function formatRequest(signed: SignedRequest<Pairs>): string {
  const lines = [`${signed.method} ${signed.url}`, ...signed.headers.map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join("\n")}\n\n${signed.body ?? ""}`;
}

/**
 * Refuses a header whose expanded value fetch() or node:http cannot send: they send Latin-1
 * only, and no control character but tab (signRequest has already refused line breaks and
 * NUL). The value is not quoted: it may hold a secret.
 */
export function checkHeaders(signed: SignedRequest<Pairs>): void {
  for (const [name, value] of signed.headers) {
    if (/[\u0100-\uffff]/.test(value)) {
      throw new RequestUsageError(
        `header '${name}' holds a character outside Latin-1 after expansion, which HTTP cannot send`,
      );
    }
    // RFC 9110 §5.5: field-vchar, SP, HTAB and obs-text.
    if (/[^\t\x20-\x7e\x80-\uffff]/.test(value)) {
      throw new RequestUsageError(`header '${name}' holds a control character after expansion, which HTTP cannot send`);
    }
  }
}

export interface FetchResult {
  status: number;
  statusText: string;
  headers: Pairs;
  body: string;
}

/** How a request is sent: the headers added to it when it lacks them, and when to give up. */
export interface SendOptions {
  /** Headers sent after the request's own when it has none of that name (User-Agent). */
  defaults?: Pairs;
  signal?: AbortSignal;
  /**
   * The most bytes of body read, after its Content-Encoding is undone; more is a BodyTooLarge.
   * Default: DEFAULT_MAX_BODY; 0 for no bound.
   */
  maxBody?: number;
  /**
   * A response whose body is not wanted (a redirect that will be followed): it is dropped
   * unread, and the result's body is "".
   */
  skipBody?: (response: { status: number; headers: Pairs }) => boolean;
}

/** fetch's default --max-filesize: a response body larger than this is not read further. */
export const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/** The response body grew past SendOptions.maxBody: reading stopped there. */
export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  constructor(readonly limit: number) {
    super(`the response body is larger than ${limit} bytes`);
  }
}

/** The bound of SendOptions.maxBody, as a number of bytes (Infinity for none). */
const bodyBound = (options: SendOptions) => {
  const max = options.maxBody ?? DEFAULT_MAX_BODY;
  return max === 0 ? Number.POSITIVE_INFINITY : max;
};

/** The request's headers, then each of `defaults` whose name it lacks (names compared case-insensitively). */
export function withDefaults(headers: Pairs, defaults: Pairs = []): Pairs {
  const given = new Set(headers.map(([name]) => name.toLowerCase()));
  return [...headers, ...defaults.filter(([name]) => !given.has(name.toLowerCase()))];
}

/**
 * Sends the signed request with the platform's fetch and reads the response, its body up to
 * options.maxBody bytes (fetch() has undone its Content-Encoding): past that it stops reading
 * and throws BodyTooLarge, so an endless answer is never held whole.
 */
export async function send(signed: SignedRequest<Pairs>, options: SendOptions = {}): Promise<FetchResult> {
  const response = await fetch(signed.url, {
    method: signed.method,
    headers: withDefaults(signed.headers, options.defaults).map(([name, value]) => [name, value] as [string, string]),
    body: signed.body ?? null,
    redirect: "manual",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const headers: Pairs = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  const result = { status: response.status, statusText: response.statusText, headers, body: "" };
  const stream = response.body;
  if (!stream) return result;
  if (options.skipBody?.(result)) {
    await stream.cancel().catch(() => {});
    return result;
  }
  const max = bodyBound(options);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(max);
    }
    chunks.push(value);
  }
  // Response.text(): UTF-8, a byte order mark dropped, malformed bytes replaced.
  return { ...result, body: new TextDecoder("utf-8").decode(Buffer.concat(chunks)) };
}

/**
 * How long fetch --raw-path waits, the same as fetch() does (undici's defaults): 10 s for the
 * connection (TLS included), and 300 s of silence while waiting for the response or its body.
 */
export const RAW_TIMEOUTS = { connectMs: 10_000, idleMs: 300_000 };

/** Where fetch --raw-path connects, and the request-target it writes on the request line. */
export interface RawTarget {
  protocol: "http:" | "https:";
  /** A host name or IP address (an IPv6 address without its brackets). */
  hostname: string;
  port: number | undefined;
  /**
   * The Host header it sends: the URL's authority as written, so that what a template read
   * with getRequestHost() or getRequestHeader("Host") is what goes on the wire.
   */
  host: string;
  /** The path and query as written (the fragment left out), but for the bytes rawPath() encodes. */
  path: string;
}

/**
 * The parts of an expanded URL that fetch --raw-path sends it with. Only http and https, as
 * `scheme://authority/path`: the path is taken as written, so the URL is not parsed beyond
 * its authority. Nothing of the URL is quoted: blocks may have put a secret in it.
 */
export function rawTarget(url: string): RawTarget {
  const match = /^(https?):\/\/([^/?#\\]*)([^#]*)/i.exec(url);
  const [, scheme = "", authority = "", rest = ""] = match ?? [];
  const origin = `${scheme.toLowerCase()}://${authority}`;
  // After the authority, the path or the query: a backslash there would be a '/' to the URL parser.
  if (!match || !/^(?:[/?]|$)/.test(rest) || !URL.canParse(origin)) {
    throw new RequestUsageError("fetch --raw-path sends an http:// or https:// URL with a host");
  }
  const parsed = new URL(origin);
  if (parsed.username !== "" || parsed.password !== "") {
    throw new RequestUsageError("a URL with user:password@ cannot be sent: put the credentials in a header");
  }
  return {
    protocol: parsed.protocol as RawTarget["protocol"],
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? undefined : Number(parsed.port),
    host: authority,
    // RFC 9112 §3.2: the origin-form starts with '/'.
    path: rawPath(rest.startsWith("/") ? rest : `/${rest}`),
  };
}

/**
 * A path as the request line can carry it: every byte of the text kept, but for those RFC 9112
 * §3.2 and RFC 3986 §2.1 leave no way to send but percent-encoded: space, the control
 * characters and non-ASCII (as its UTF-8 bytes, uppercase hex). Node's http refuses to send them
 * as they are (ERR_UNESCAPED_CHARACTERS). Dot segments, '//' and '%' escapes are kept.
 */
export function rawPath(path: string): string {
  return path.replace(/[^\x21-\x7e]+/gu, (run) =>
    Array.from(Buffer.from(run, "utf8"), (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

/** A failure to send or to read the answer, with the system's error (its code) as the cause, as fetch() gives it. */
class RawSendError extends Error {
  override readonly name = "RawSendError";
}

const timedOut = () => Object.assign(new Error("timed out"), { code: "ETIMEDOUT" });

/**
 * Sends the signed request with node:http or node:https, its path exactly as rawTarget() gives
 * it, and reads the response as send() does: redirects not followed, the body (up to
 * sendOptions.maxBody) decoded from its Content-Encoding and read as UTF-8, the headers
 * lower-cased and sorted. Only the
 * request's own headers are sent, with Host (from the URL) and Content-Length when the request
 * lacks them, and sendOptions.defaults (User-Agent); fetch() adds its own (Accept,
 * Accept-Encoding…), which this does not. sendOptions.signal gives up.
 */
export async function sendRaw(
  signed: SignedRequest<Pairs>,
  timeouts = RAW_TIMEOUTS,
  sendOptions: SendOptions = {},
): Promise<FetchResult> {
  const target = rawTarget(signed.url);
  const body = signed.body === undefined ? undefined : Buffer.from(signed.body, "utf8");
  const given = new Set(signed.headers.map(([name]) => name.toLowerCase()));
  const headers: string[] = [];
  if (!given.has("host")) headers.push("Host", target.host);
  for (const [name, value] of withDefaults(signed.headers, sendOptions.defaults)) headers.push(name, value);
  // As fetch() does: a POST or PUT without a body says so with a length of 0.
  const length = body?.length ?? (/^(POST|PUT)$/i.test(signed.method) ? 0 : undefined);
  if (length !== undefined && !given.has("content-length") && !given.has("transfer-encoding")) {
    headers.push("Content-Length", String(length));
  }
  const options: RequestOptions = {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: signed.method,
    path: target.path,
    headers,
    timeout: timeouts.idleMs,
  };
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(new RawSendError("the request failed", { cause: err }));
    let req: ReturnType<typeof httpRequest>;
    try {
      const send =
        target.protocol === "https:"
          ? process.getBuiltinModule("node:https").request
          : process.getBuiltinModule("node:http").request;
      req = send(options, (res) => {
        readResponse(res, signed.method, sendOptions).then(resolve, (err) =>
          err instanceof BodyTooLarge ? reject(err) : fail(err),
        );
      });
    } catch (err) {
      // Node checks the method and the headers before it connects (ERR_INVALID_CHAR).
      fail(err);
      return;
    }
    req.on("error", fail);
    req.on("timeout", () => req.destroy(timedOut()));
    const { signal } = sendOptions;
    if (signal) {
      const abort = () => req.destroy(signal.reason ?? timedOut());
      if (signal.aborted) abort();
      else signal.addEventListener("abort", abort, { once: true });
      req.once("close", () => signal.removeEventListener("abort", abort));
    }
    req.on("socket", (socket: Socket) => {
      if (!socket.connecting) return; // a kept-alive connection
      const timer = setTimeout(() => req.destroy(timedOut()), timeouts.connectMs);
      socket.once(target.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    });
    req.end(body);
  });
}

/** The Fetch standard's null body statuses, whose body fetch() does not decode (a redirect's it does). */
const UNDECODED_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The response, as fetch() and Response.text() would give it: its body up to options.maxBody
 * bytes as it came and again once decoded (a small gzip can inflate to gigabytes), else
 * BodyTooLarge; none read at all when options.skipBody says so.
 */
async function readResponse(res: IncomingMessage, method: string, options: SendOptions): Promise<FetchResult> {
  const { signal } = options;
  if (signal) {
    const abort = () => res.destroy(signal.reason ?? timedOut());
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
    res.once("close", () => signal.removeEventListener("abort", abort));
  }
  const headers = responseHeaders(res);
  const head = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers };
  if (options.skipBody?.(head)) {
    res.destroy();
    return { ...head, body: "" };
  }
  const max = bodyBound(options);
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop destroys the response: the rest of an endless body is never read.
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge(max);
    chunks.push(chunk as Buffer);
  }
  let bytes: Buffer = Buffer.concat(chunks);
  if (!/^(HEAD|CONNECT)$/i.test(method) && !UNDECODED_STATUSES.has(res.statusCode ?? 0)) {
    // RFC 9110 §8.4: the codings are listed in the order they were applied. As fetch() does,
    // a body with a coding it cannot decode is left as it came, every coding undone or none.
    const codings = (res.headers["content-encoding"] ?? "").split(",").map((c) => c.trim().toLowerCase());
    const decoders = codings.filter((c) => c !== "").map((c) => DECODERS.get(c));
    if (decoders.every((d) => d !== undefined)) {
      const limit = Number.isFinite(max) ? max : undefined;
      try {
        for (const decode of decoders.reverse()) bytes = decode(bytes, limit);
      } catch (err) {
        // zlib's maxOutputLength: the decoded body would be larger than the bound.
        if ((err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new BodyTooLarge(max);
        throw err;
      }
    }
  }
  return {
    ...head,
    // Response.text(): UTF-8, a byte order mark dropped, malformed bytes replaced.
    body: new TextDecoder("utf-8").decode(bytes),
  };
}

/** The Headers of fetch(), from node:http's. */
function responseHeaders(res: IncomingMessage): Pairs {
  const headers: Pairs = [];
  const distinct = res.headersDistinct;
  // The Headers of fetch(): names lower-cased and sorted, a repeated header's values joined
  // with ", ", but for Set-Cookie, which gives each of its own.
  for (const name of Object.keys(distinct).sort()) {
    const values = distinct[name] ?? [];
    if (name === "set-cookie") for (const value of values) headers.push([name, value]);
    else headers.push([name, values.join(", ")]);
  }
  return headers;
}

// node:http, node:https and node:zlib are fetched when a request is sent, not imported: loading
// them was about 10 ms of every start of the CLI, `eval` included.
const zlib = () => process.getBuiltinModule("node:zlib");
// fetch()'s leniency: a body cut short gives what it has rather than an error. maxOutputLength
// stops a decoding that would give more than the bound (ERR_BUFFER_TOO_LARGE).
const bounded = (max: number | undefined) => (max === undefined ? {} : { maxOutputLength: max });
const gzipOptions = (max: number | undefined) => ({
  flush: zlib().constants.Z_SYNC_FLUSH,
  finishFlush: zlib().constants.Z_SYNC_FLUSH,
  ...bounded(max),
});
const brotliOptions = (max: number | undefined) => ({
  flush: zlib().constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib().constants.BROTLI_OPERATION_FLUSH,
  ...bounded(max),
});

type Decoder = (bytes: Buffer, max: number | undefined) => Buffer;
const gunzip: Decoder = (b, max) => zlib().gunzipSync(b, gzipOptions(max));
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ["gzip", gunzip],
  ["x-gzip", gunzip],
  // RFC 9110 §8.4.1.2 says zlib-wrapped (RFC 1950, whose first byte says method 8); raw deflate
  // (RFC 1951) is taken too, as fetch() takes it.
  [
    "deflate",
    (b, max) =>
      ((b[0] ?? 0) & 0x0f) === 8 ? zlib().inflateSync(b, gzipOptions(max)) : zlib().inflateRawSync(b, gzipOptions(max)),
  ],
  ["br", (b, max) => zlib().brotliDecompressSync(b, brotliOptions(max))],
]);

/** What fetch prints: the status line, the response headers when asked, and the body. */
export function formatResponse(response: FetchResult, options: { includeHeaders: boolean }): string {
  const head = [`${response.status} ${response.statusText}`.trimEnd()];
  if (options.includeHeaders) head.push(...response.headers.map(([name, value]) => `${name}: ${value}`));
  const { body } = response;
  return `${head.join("\n")}\n${options.includeHeaders ? "\n" : ""}${body}${body.endsWith("\n") || body === "" ? "" : "\n"}`;
}

/** RFC 9110 §15.4: the redirections -L follows. */
export const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];
/** As fetch() (the Fetch standard's 20) does. */
export const MAX_REDIRECTS = 20;

/** Headers the Fetch standard drops when a redirect turns the request into a GET without body. */
const BODY_HEADERS: readonly string[] = [
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
  "content-length",
];
/** Credentials that never go to another origin, whatever built them (curl and fetch() drop the same). */
export const CREDENTIAL_HEADERS: readonly string[] = ["authorization", "cookie", "proxy-authorization"];

/**
 * Where a redirect response sends the request next: its Location resolved against the URL it
 * answered, without the fragment, or undefined when it has none. The text comes from the server
 * and is signed as a template: `{`, `}`, `<` and `>` are percent-encoded so that none of it can
 * read as a block.
 */
export function redirectLocation(response: { headers: Pairs }, from: string): URL | undefined {
  const location = response.headers.find(([name]) => name.toLowerCase() === "location")?.[1];
  if (location === undefined || !URL.canParse(location, from)) return undefined;
  const url = new URL(location, from);
  url.hash = "";
  return url;
}

/** A URL as a template that reads as itself: no character of it can start a block. */
export function literalUrl(url: URL): string {
  return url.href.replace(/[{}<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The request a redirect asks for (the Fetch standard's HTTP-redirect fetch): 303, and 301 or 302
 * after a POST, become a GET without body or the headers that describe one; 307 and 308 keep the
 * method and the body. To another origin, `dropped` (credentials and the headers built from
 * secrets) is not sent: the caller has checked that the body, if it stays, holds no secret.
 */
export function redirectedRequest(
  request: RequestTemplate<Pairs>,
  status: number,
  url: string,
  dropped: ReadonlySet<string>,
): RequestTemplate<Pairs> {
  const method = request.method ?? "GET";
  const toGet = status === 303 ? !/^HEAD$/i.test(method) : (status === 301 || status === 302) && /^POST$/i.test(method);
  const headers = (request.headers ?? []).filter(([name]) => {
    const lower = name.toLowerCase();
    return !dropped.has(lower) && !(toGet && BODY_HEADERS.includes(lower));
  });
  return toGet ? { method: "GET", url, headers, body: undefined } : { method, url, headers, body: request.body };
}
