// One run through the public API, the same for every build of the package: the sources, the
// Node bundle, the browser bundle in Node and the browser bundle in Chromium. It must stay a
// self-contained function (no imports, no outer names), because Playwright sends its source
// text to the page.
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as source from "../../src/index.ts";

type HashHelper = typeof source;

/** A file of the built package. */
export const dist = (file: string): string => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

export interface WorkloadInput {
  now: number;
  moz: string;
  /** [method name, template] for every method's example, as a header of `request`. */
  examples: [string, string][];
  /** Templates with mistakes: every problem of each is reported. */
  broken: string[];
  /** Bare expressions with mistakes, for evaluate(). */
  brokenExpressions: string[];
  expression: string;
  request: { method: string; url: string; body: string; headers: [string, string][] };
  secrets: Record<string, string>;
}

export type WorkloadResult = Record<string, unknown>;

export function workload(api: HashHelper, input: WorkloadInput): WorkloadResult {
  const { now, secrets } = input;
  // The random bytes getNonce() and getUuid() draw: 00 01 02 …, the same in every build.
  const random = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
  };
  const failure = (err: unknown) =>
    err instanceof api.HashHelperError
      ? { code: err.code, problems: err.problems.map((p) => p.code), text: err.format() }
      : { thrown: String(err) };
  const attempt = (run: () => unknown) => {
    try {
      return run();
    } catch (err) {
      return failure(err);
    }
  };
  return {
    moz: attempt(() => api.expand(input.moz, { now })),
    compiled: attempt(() => api.compile(input.moz).expand({ now })),
    examples: input.examples.map(([name, template]) => [
      name,
      attempt(
        () =>
          api.signRequest(
            { ...input.request, headers: [...input.request.headers, ["X-Example", template]] },
            { now, secrets, random },
          ).headers,
      ),
    ]),
    broken: input.broken.map((template) => attempt(() => api.expand(template, { now }))),
    evaluate: attempt(() => api.evaluate(input.expression, { now })),
    brokenExpressions: input.brokenExpressions.map((expression) => attempt(() => api.evaluate(expression, { now }))),
    parse: attempt(() => JSON.parse(JSON.stringify(api.parse(input.expression)))),
    explain: attempt(() => api.formatExplanation(api.explain(input.moz, { now }))),
    redact: api.redact(input.moz),
    signed: attempt(() => api.signRequest(input.request, { now, secrets })),
  };
}

const now = Date.UTC(2025, 0, 1, 12, 30, 15);
const accessId = "mozscape-b6838361ee";
const key = "0123456789abcdef0123456789abcdef";
const head = `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com?AccessID=${accessId}&Expires=`;
const expression = `hash.append("${accessId}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${key}").encodeBase64().encodeURL().printDigest()`;

/** Moz's URL built by hand: RFC 3986 percent-encoding of base64 HMAC-SHA1 of `id\nexpires`. */
export function mozByHand(): string {
  const expires = Math.floor(now / 1000) + 240;
  const mac = createHmac("sha1", key).update(`${accessId}\n${expires}`).digest("base64");
  const encoded = encodeURIComponent(mac).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${head}${expires}&Signature=${encoded}`;
}

export const input: WorkloadInput = {
  now,
  moz: `${head}{hash.getExpiryTime(240);}&Signature={${expression};}`,
  examples: [...source.methods.values()].map((method) => {
    const ends = /\.printDigest\(\)$/.test(method.example) ? "" : ".printDigest()";
    return [method.name, `{${method.example}${ends};}`];
  }),
  broken: [
    `a={hash.append("unterminated);}`,
    `a={hash.apend("x").printDigest();}&b={hash.append(1.5).printDigest();}`,
    `{hash.append("x").encodeHmacSha1("${key}").printDigest();}`,
    `{hash.append("x").encodeHmacSha1().encodeURL().printDigest();}`,
    `<hash.append("x").printdigest();>`,
    `{hash.append("x"}`,
    `{hash.getExpiryTime(99999999999).printDigest();}`,
    // Each of the parser's error paths: a missing call, no viable argument, a wrong token,
    // a character no token matches, and a block never closed.
    `{hash.;}`,
    `{hash.append(,).printDigest();}`,
    `{hash.append(;).printDigest();}`,
    `{hash.append("x")@.printDigest();}`,
    `<hash.append("x").printDigest()`,
  ],
  brokenExpressions: [`hash.append("x").printDigest() trailing`, "hash", "hash.append(,)", `hash.append("x"`],
  expression,
  request: {
    method: "POST",
    url: "https://api.unleashedsoftware.com/Products?pageSize=10&productCode=A%20B",
    body: '{"name":"widget"}',
    headers: [
      ["Date", "Wed, 01 Jan 2025 00:00:00 GMT"],
      [
        "api-auth-signature",
        `{hash.getRequestQuery().encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`,
      ],
    ],
  },
  secrets: { unleashed: "unleashed-key", example: "example-secret", api_key: "example-secret" },
};

/** The sources' results: what every bundle must give. */
export const expected: WorkloadResult = workload(source, input);
