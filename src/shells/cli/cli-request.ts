// The request side of the CLI: `hash-helper sign` and `hash-helper fetch` build a request from
// curl-like flags, sign it with signRequest(), and print or send it. The CLI reads --data @FILE
// itself, with its other inputs.
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
 * Refuses a header whose expanded value fetch() cannot send: it sends Latin-1 only (signRequest
 * has already refused line breaks and NUL). The value is not quoted: it may hold a secret.
 */
export function checkHeaders(signed: SignedRequest<Pairs>): void {
  for (const [name, value] of signed.headers) {
    if (/[\u0100-\uffff]/.test(value)) {
      throw new RequestUsageError(
        `header '${name}' holds a character outside Latin-1 after expansion, which HTTP cannot send`,
      );
    }
  }
}

export interface FetchResult {
  status: number;
  statusText: string;
  headers: Pairs;
  body: string;
}

/** Sends the signed request with the platform's fetch and reads the whole response. */
export async function send(signed: SignedRequest<Pairs>): Promise<FetchResult> {
  const response = await fetch(signed.url, {
    method: signed.method,
    headers: signed.headers.map(([name, value]) => [name, value] as [string, string]),
    body: signed.body ?? null,
    redirect: "manual",
  });
  const headers: Pairs = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return { status: response.status, statusText: response.statusText, headers, body: await response.text() };
}

/** What fetch prints: the status line, the response headers when asked, and the body. */
export function formatResponse(response: FetchResult, options: { includeHeaders: boolean }): string {
  const head = [`${response.status} ${response.statusText}`.trimEnd()];
  if (options.includeHeaders) head.push(...response.headers.map(([name, value]) => `${name}: ${value}`));
  const { body } = response;
  return `${head.join("\n")}\n${options.includeHeaders ? "\n" : ""}${body}${body.endsWith("\n") || body === "" ? "" : "\n"}`;
}
