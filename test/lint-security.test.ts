import { describe, expect, it } from "vitest";
import { ruleTable } from "../src/features/lint-rules.ts";
import { type Diagnostic, formatDiagnostics, lint, type RequestTemplate } from "../src/index.ts";

// What lint() gives goes to terminals, logs and editors: no key literal and no secret's value may
// appear in it, in any field, drawn or as JSON; messages, hints and fix titles hold no literal's text.

const outputs = (found: Diagnostic[]) => [
  JSON.stringify(found),
  formatDiagnostics(found),
  formatDiagnostics(found, { color: true }),
];

/** Every string literal written in a text, unescaped enough for a search (these hold no escapes). */
const literalsOf = (text: string) => [...text.matchAll(/"([^"\\]*)"/g)].map((m) => m[1] as string);

const texts = (input: string | RequestTemplate): string[] =>
  typeof input === "string"
    ? [input]
    : [
        input.url,
        input.body ?? "",
        ...(Array.isArray(input.headers) ? input.headers : Object.entries(input.headers ?? {})).map(([, v]) => v),
      ];

/** The source text a diagnostic's span covers, in the part it is in. */
function textAt(input: string | RequestTemplate, d: Diagnostic): string {
  const pairs =
    typeof input === "string" ? [] : Array.isArray(input.headers) ? input.headers : Object.entries(input.headers ?? {});
  const source =
    typeof input === "string"
      ? input
      : d.where === "URL"
        ? input.url
        : d.where === "body"
          ? (input.body ?? "")
          : (pairs.find(([n]) => `header ${n}` === d.where)?.[1] ?? "");
  return source.slice(d.span.offset, d.span.offset + d.span.length);
}

// Names the rules' messages may quote (getSecret's, a header's, a parameter's written in the URL).
const NAMES = new Set(["moz", "unleashed", "talon_key", "svix", "api_key", "access_id", "marvel_private", "k", "Date"]);

const KEYS = {
  hex: "0123456789abcdef0123456789abcdef",
  marvel: "d636a3ceceee7cfbce702595820b020d17d67fc5",
  spaced: "my-own-unleashed-key ",
  prefixed: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  base64: "q83vEjRWeJCrze8SNFZ4kA==",
};

const cases: { name: string; input: string | RequestTemplate; secrets?: Record<string, string>; hidden: string[] }[] = [
  {
    name: "a key literal of an HMAC, in a query signed without encodeURL",
    input: `https://api.example.com/v1?sig={hash.append("data").encodeHmacSha1("${KEYS.hex}").encodeBase64().printDigest();}`,
    hidden: [KEYS.hex],
  },
  {
    name: "a private key appended, next to an error",
    input: `https://gateway.marvel.com/v1/public/characters?ts={hash.nope();}&hash={hash.append(hash.getExpiryTime(0)).append("${KEYS.marvel}").encodeMd5().toHex().printDigest();}`,
    hidden: [KEYS.marvel],
  },
  {
    name: "a key literal decoded from hex in a request's header",
    input: {
      url: "https://yourbaseurl.talon.one/v1/customer_sessions/s",
      body: "{}",
      headers: [
        [
          "Content-Signature",
          `{hash.getRequestBody().encodeHmacMd5(hash.fromHex("${KEYS.hex}")).toHex().printDigest();}`,
        ],
      ],
    },
    hidden: [KEYS.hex],
  },
  {
    name: "a key literal with a stray space that looks like base64",
    input: `{hash.append("x").encodeHmacSha256(" ${KEYS.base64}").encodeBase64().printDigest();}`,
    hidden: [KEYS.base64],
  },
  {
    name: "secrets whose shapes are checked",
    input:
      '{hash.append("x").encodeHmacSha256(hash.getSecret("a")).encodeHmacSha256(hash.fromBase64(hash.getSecret("b"))).encodeHmacSha256(hash.getSecret("c")).encodeHmacSha256(hash.getSecret("d")).toHex().printDigest();}',
    secrets: { a: KEYS.hex, b: KEYS.prefixed, c: KEYS.spaced, d: KEYS.base64 },
    hidden: [KEYS.hex, KEYS.prefixed, KEYS.prefixed.slice(6), KEYS.spaced.trim(), KEYS.base64],
  },
  {
    name: "a key literal inside a block that does not parse",
    input: `https://api.example.com/v1?sig={hash.append("x").encodeHmacSha1("${KEYS.hex}").encodeBase64().printDigest()}&b={hash.append("${KEYS.marvel}").encodeMd5().toHex().printDigest();}`,
    hidden: [KEYS.hex, KEYS.marvel],
  },
  {
    // SIGNED_PARAMETER_DIFFERS points at it too, and must neither show it nor write the public key over it.
    name: "a private key beside its public half, which the URL sends",
    input:
      'https://api.example.com/v1?apikey=live-pub-4f3a9c2b7d1e&ts={hash.getExpiryTime(0);}&sig={hash.append(hash.getExpiryTime(0)).append("live-sec-9b8e7d6c5a4f").encodeMd5().toHex().printDigest();}',
    hidden: ["live-sec-9b8e7d6c5a4f"],
  },
  {
    name: "two keys of two MACs, each named in its own hint",
    input:
      'https://a.example.com/v1?a={hash.append("x").encodeHmacSha256("key-one-aaaaaaaa").toHex().printDigest();}&b={hash.append("y").encodeHmacSha256("key-two-bbbbbbbb").toHex().printDigest();}',
    hidden: ["key-one-aaaaaaaa", "key-two-bbbbbbbb"],
  },
];

describe("lint() never shows a key or a secret", () => {
  it.each(cases)("$name", ({ input, secrets, hidden }) => {
    const found = lint(input, { secrets });
    expect(found.length).toBeGreaterThan(0);
    for (const out of outputs(found)) for (const secret of hidden) expect(out).not.toContain(secret);
  });

  it("the secrets' shapes are reported without them", () => {
    const { input, secrets } = cases[4] as (typeof cases)[number];
    expect(lint(input, { secrets }).map((d) => d.code)).toEqual([
      "KEY_LOOKS_BINARY",
      "PREFIXED_SECRET_DECODED",
      "KEY_HAS_SPACE",
      "KEY_LOOKS_BINARY",
    ]);
  });

  it.each(ruleTable.map((r) => [r.code, r] as const))(
    "%s: its trigger's literals and secrets stay out of messages, hints and fix titles, and its keys out of everything",
    (_code, rule) => {
      const found = lint(rule.trigger.input, { secrets: rule.trigger.secrets });
      const literals = texts(rule.trigger.input)
        .flatMap(literalsOf)
        .filter((l) => l.length >= 3 && !NAMES.has(l));
      const secrets = Object.values(rule.trigger.secrets ?? {});
      for (const d of found) {
        const words = [d.message, d.hint ?? "", d.fix?.title ?? ""].join("\n");
        for (const l of [...literals, ...secrets]) expect(words).not.toContain(l);
      }
      // A key literal a rule points at is in no field at all, and a fix never writes it back.
      const keys = found
        .filter((d) => d.code.startsWith("KEY_") || d.code === "PREFIXED_SECRET_DECODED")
        .map((d) => textAt(rule.trigger.input, d))
        .filter((t) => t.startsWith('"'))
        .map((t) => t.slice(1, -1))
        .concat(secrets.map((s) => s.trim()));
      for (const out of outputs(found)) for (const key of keys) expect(out).not.toContain(key);
    },
  );

  it("a fix's text holds no literal that a key rule found", () => {
    for (const c of cases) {
      for (const d of lint(c.input, { secrets: c.secrets })) {
        for (const secret of c.hidden) expect(d.fix?.text ?? "").not.toContain(secret);
      }
    }
  });

  it("terminal controls in a key reach no output", () => {
    const found = lint(
      '{hash.append("x").encodeHmacSha1("\\u001b[2Jkey\u001b[31m-with-escapes").toHex().printDigest();}',
    );
    expect(found.map((d) => d.code)).toContain("KEY_IN_TEMPLATE");
    for (const out of outputs(found).slice(1, 2)) expect(out).not.toContain("\u001b");
  });
});
