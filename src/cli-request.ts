// The request side of the CLI: `hash-helper sign` and `hash-helper fetch` build a request from
// curl-like flags, sign it with signRequest(), and print or send it.
import { readFile } from "node:fs/promises";
import type { RequestTemplate, SignedRequest } from "./sign-request.ts";

type Pairs = (readonly [string, string])[];

/** A mistake in the flags, which the CLI reports as a usage error. */
export class RequestUsageError extends Error {}

/** The request the flags describe: -X METHOD, -H 'Name: value' (repeatable), --data TEXT or @FILE. */
export async function requestFromFlags(flags: {
  url: string;
  method?: string | undefined;
  headers?: readonly string[] | undefined;
  data?: string | undefined;
}): Promise<RequestTemplate<Pairs>> {
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
  let body: string | undefined;
  if (flags.data?.startsWith("@")) {
    const file = flags.data.slice(1);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new RequestUsageError(`--data @${file}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`);
    }
    try {
      // A body is a template, so text: bytes that are not UTF-8 would be sent changed.
      body = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new RequestUsageError(
        `--data @${file}: not UTF-8 text; a body is a template, so binary files are not supported`,
      );
    }
  } else {
    body = flags.data;
  }
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
 * Refuses a header whose expanded value HTTP cannot carry (RFC 9110 §5.5): a line break or NUL
 * would inject header lines into what `sign` prints, and fetch() only sends Latin-1. The value
 * is not quoted: it may hold a secret.
 */
function sendable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x00 || c > 0xff) return false;
  }
  return true;
}

export function checkHeaders(signed: SignedRequest<Pairs>): void {
  for (const [name, value] of signed.headers) {
    if (!sendable(value)) {
      throw new RequestUsageError(
        `header '${name}' holds a line break, a NUL or a character outside Latin-1 after expansion, which HTTP cannot send`,
      );
    }
  }
}

export interface FetchResult {
  status: number;
  /** What to print: the status line, the response headers when asked, and the body. */
  text: string;
}

/** Sends the signed request with the platform's fetch and reads the whole response. */
export async function send(signed: SignedRequest<Pairs>, options: { includeHeaders: boolean }): Promise<FetchResult> {
  const response = await fetch(signed.url, {
    method: signed.method,
    headers: signed.headers.map(([name, value]) => [name, value] as [string, string]),
    body: signed.body ?? null,
    redirect: "manual",
  });
  const body = await response.text();
  const head = [`${response.status} ${response.statusText}`.trimEnd()];
  if (options.includeHeaders) {
    response.headers.forEach((value, name) => {
      head.push(`${name}: ${value}`);
    });
  }
  const text = `${head.join("\n")}\n${options.includeHeaders ? "\n" : ""}${body}${body.endsWith("\n") || body === "" ? "" : "\n"}`;
  return { status: response.status, text };
}
