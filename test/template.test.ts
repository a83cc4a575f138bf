import { createHash, createHmac } from "node:crypto";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it, vi } from "vitest";
import { program } from "../src/engine/template.ts";
import { compile, expand, HashHelperError } from "../src/index.ts";
import { createHashHelper } from "../src/instance.ts";
import type { Template } from "../src/language/ast.ts";
import { defaultLimits } from "../src/language/limits.ts";
import { defaultRules } from "../src/language/rules.ts";
import { grammarTemplate, validTemplate } from "./arbitraries.ts";

// Expected values are built in each test with node:crypto from the inputs the template is
// documented to sign, never taken from the interpreter's output.

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const epoch = (plusSeconds: number) => String(Math.floor(NOW / 1000) + plusSeconds);

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof HashHelperError) return e.problems.map((p) => ({ code: p.code, offset: p.span.offset }));
    throw e;
  }
  throw new Error("expected a HashHelperError");
}

describe("the Klipfolio documentation templates", () => {
  it("Moz: Expires and the HMAC-SHA1 of AccessID\\nExpires agree", () => {
    const accessId = "mozscape-b6838361ee";
    const key = "0123456789abcdef0123456789abcdef";
    const template = `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${accessId}&Expires={hash.getExpiryTime(240);}&Signature={hash.append("${accessId}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${key}").encodeBase64().encodeURL().printDigest();}`;
    const expires = epoch(240);
    const signature = rfc3986(createHmac("sha1", key).update(`${accessId}\n${expires}`).digest("base64"));
    expect(expand(template, { now: NOW })).toBe(
      `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${accessId}&Expires=${expires}&Signature=${signature}`,
    );
  });

  it("Marvel: ts is now+300 and the hash is MD5(now+240 + private + public), exactly as documented", () => {
    const priv = "d636a3ceceee7cfbce702595820b020d17d67fc5";
    const pub = "91e13b2be07839c935d336286e1b8c45";
    const template = `http://gateway.marvel.com/v1/public/characters?ts={hash.getExpiryTime(300);}&apikey=${pub}&hash={hash.append(hash.getExpiryTime(240)).append("${priv}").append("${pub}").encodeMd5().toHex().printDigest();}`;
    const md5 = createHash("md5")
      .update(`${epoch(240)}${priv}${pub}`)
      .digest("hex");
    expect(expand(template, { now: NOW })).toBe(
      `http://gateway.marvel.com/v1/public/characters?ts=${epoch(300)}&apikey=${pub}&hash=${md5}`,
    );
  });

  it("Marvel's published example: ts=1, private abcd, public 1234", () => {
    // developer.marvel.com/documentation/authorization: md5("1abcd1234")
    const template = `ts={hash.getExpiryTime(0);}&hash={hash.append(hash.getExpiryTime(0)).append("abcd").append("1234").encodeMd5().toHex().printDigest();}`;
    expect(expand(template, { now: 1000 })).toBe("ts=1&hash=ffd275c5130566a2916217b101f26150");
  });

  it("ExampleOnly: MD5 hex of expiry + access id + key", () => {
    const template = `https://api.ExampleOnly.com/v1/data?parameter1=value1&signedAuthentication={hash.append(hash.getExpiryTime(240)).append("0123456789").append("a1b2c3d4e5f6").encodeMd5().toHex().printDigest();}`;
    const md5 = createHash("md5")
      .update(`${epoch(240)}0123456789a1b2c3d4e5f6`)
      .digest("hex");
    expect(expand(template, { now: NOW })).toBe(
      `https://api.ExampleOnly.com/v1/data?parameter1=value1&signedAuthentication=${md5}`,
    );
  });

  it.each([
    {
      query: "customerCode=ACME",
      expr: `hash.append("customerCode=ACME").encodeHmacSha256("s3cr3t").encodeBase64().printDigest();`,
    },
    { query: "", expr: `hash.encodeHmacSha256("s3cr3t").encodeBase64().printDigest();` },
  ])("Unleashed: base64 HMAC-SHA256 of the query $query", ({ query, expr }) => {
    // Unleashed's GetSignature(args, key): Convert.ToBase64String(HMACSHA256(UTF8(key)).ComputeHash(UTF8(args)))
    expect(expand(`{${expr}}`)).toBe(createHmac("sha256", "s3cr3t").update(query).digest("base64"));
  });
});

describe("blocks and text", () => {
  it.each([
    { name: "another tool's braces", template: "a={date.today}&b={ x }&c=<b>&d={hash}&e={hashx.y}&f={Hash.append(1)}" },
    { name: "lone and doubled braces", template: "{{ }} { < > } {{{ <<<" },
    { name: "percent escapes and entities", template: "q=moz.com%2fblog&x=%E2%98%83&amp;y=%zz" },
    { name: "unicode, CRLF and NUL", template: "naïve ☃ 😀\r\nline2\0end\u2028" },
    { name: "empty", template: "" },
  ])("$name pass through byte-for-byte", ({ template }) => {
    expect(expand(template)).toBe(template);
  });

  it("replaces only the blocks and keeps the text between them exactly", () => {
    expect(expand(`%2f{hash.append("a").printDigest();}{ }<hash.append("b").printDigest();>&{x}`)).toBe("%2fa{ }b&{x}");
  });

  it.each([
    { template: `{hash.append("a};b").printDigest();}`, expected: "a};b" },
    { template: `<hash.append("x;>y").printDigest();>`, expected: "x;>y" },
    { template: `{hash.append('it"s};').printDigest();}`, expected: 'it"s};' },
    { template: `<hash.append("{hash.append(1);}").printDigest();>`, expected: "{hash.append(1);}" },
  ])("a closer inside a string does not end the block: $template", ({ template, expected }) => {
    expect(expand(template)).toBe(expected);
  });

  it("allows whitespace, tabs and line breaks around tokens", () => {
    expect(expand(`{ hash . append ( "x" ) \n\t. printDigest ( ) ; }`)).toBe("x");
    expect(expand(`< hash.append( 1 ).printDigest() ; >`)).toBe("1");
  });

  it("does not treat text that merely mentions hash. as a block", () => {
    expect(expand("see hash.append in the docs")).toBe("see hash.append in the docs");
  });
});

describe("one clock per expansion", () => {
  it("every block reads the same instant even when the clock moves", () => {
    let t = NOW;
    const spy = vi.spyOn(Date, "now").mockImplementation(() => {
      t += 7_000; // seven seconds pass on every read
      return t;
    });
    try {
      const out = expand(
        `{hash.getExpiryTime(0);}|{hash.append(hash.getExpiryTime(0)).printDigest();}|{hash.getExpiryTime(0);}`,
      );
      const [a, b, c] = out.split("|");
      expect(a).toBe(b);
      expect(b).toBe(c);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("accepts a Date or epoch milliseconds", () => {
    const t = `{hash.getExpiryTime(60);}`;
    expect(expand(t, { now: new Date(NOW) })).toBe(expand(t, { now: NOW }));
    expect(expand(t, { now: NOW })).toBe(epoch(60));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, new Date("nope")])("rejects an invalid clock %s", (now) => {
    expect(() => expand("{hash.getExpiryTime(1);}", { now })).toThrow(TypeError);
  });
});

describe("compile", () => {
  it("parses once and expands many times, each expansion with its own clock", () => {
    const t = compile(`a={hash.getExpiryTime(10);}`);
    expect(t.expand({ now: 0 })).toBe("a=10");
    expect(t.expand({ now: 5000 })).toBe("a=15");
    expect(t.expand({ now: 0 })).toBe(expand(`a={hash.getExpiryTime(10);}`, { now: 0 }));
  });

  it("exposes the template's AST with spans", () => {
    const { ast } = compile(`x{hash.getExpiryTime(1);}y`);
    expect(ast.parts.map((p) => [p.type, p.span])).toEqual([
      ["Text", { offset: 0, length: 1 }],
      ["Block", { offset: 1, length: 24 }],
      ["Text", { offset: 25, length: 1 }],
    ]);
  });
});

describe("every problem of a template in one run", () => {
  it("reports problems from every block, in source order", () => {
    const template = [
      `a={hash.append("x").encodeMd5().printDigest();}`, // INPUT_KIND at printDigest
      `b={hash.appnd("y").printDigest();}`, // UNKNOWN_METHOD
      `c={hash.append("z").printDigest()}`, // MISSING_SEMICOLON
      `d={hash.append("ok").printDigest();}`,
      `e={hash.append("q).printDigest();}`, // UNTERMINATED_STRING
    ].join("&");
    const problems = problemsOf(() => expand(template));
    expect(problems).toEqual([
      { code: "INPUT_KIND", offset: template.indexOf("printDigest") },
      { code: "UNKNOWN_METHOD", offset: template.indexOf("appnd") },
      { code: "MISSING_SEMICOLON", offset: template.indexOf(")}") + 1 },
      { code: "UNTERMINATED_STRING", offset: template.indexOf(`"q`) },
    ]);
  });

  it("reports several problems inside one block", () => {
    const template = `{hash.append("\\q").getExpiryTime(1).encodeMd5().append("x");}`;
    expect(problemsOf(() => expand(template)).map((p) => p.code)).toEqual([
      "INVALID_ESCAPE",
      "MISPLACED_METHOD",
      "MISPLACED_METHOD",
      "MISSING_PRINT_DIGEST",
    ]);
  });

  it("reports an unclosed block at its opener, or after its ';' when it has one", () => {
    expect(problemsOf(() => expand(`ok&x={hash.append("a").printDigest()`))).toEqual([
      { code: "UNCLOSED_BLOCK", offset: 5 },
    ]);
    expect(problemsOf(() => expand(`ok&x={hash.append("a").printDigest();`))).toEqual([
      { code: "UNCLOSED_BLOCK", offset: 37 },
    ]);
  });
});

describe("compile's tree, built again when asked for", () => {
  // The oracle is the tree program() builds while checking, which it keeps.
  fcTest.prop(
    [
      fc.oneof(
        validTemplate.map((t) => t.source),
        grammarTemplate,
      ),
    ],
    { numRuns: 300 },
  )("is the tree built while checking", (source) => {
    let eager: Template;
    try {
      eager = program(defaultRules, source, { reveal: false }).ast;
    } catch (e) {
      if (e instanceof HashHelperError) return;
      throw e;
    }
    const compiled = compile(source);
    expect(compiled.ast).toStrictEqual(eager);
    expect(compiled.ast).toBe(compiled.ast);
  });
});

describe("expand's cache of compiled templates", () => {
  it("gives what compile gives, with the limits as part of what a template compiles to", () => {
    const template = `{hash.append("x").toHex().printDigest();}`.repeat(3);
    expect(expand(template)).toBe("78".repeat(3));
    // The same text under a tighter limit is another compilation, not the cached one.
    expect(() => expand(template, { limits: { maxBlocks: 2 } })).toThrow(
      expect.objectContaining({ code: "LIMIT_EXCEEDED" }),
    );
    expect(expand(template)).toBe("78".repeat(3));
  });

  // Each test on an instance of its own, as the top-level expand() has one.
  let helper = createHashHelper();
  const clearCache = () => {
    helper = createHashHelper();
  };
  const expand = (template: string, options?: Parameters<typeof helper.expand>[1]) => helper.expand(template, options);
  const cached = (key: string) => helper.cacheUsage().templates.includes(key);

  it("never gives one set of limits an entry made under another, whatever the template's text", () => {
    clearCache();
    const strict = { maxValueSize: 4 };
    const template = `{hash.append("abcdefgh").printDigest();}`;
    // Under the old keys, this text with the default limits was the strict caller's key.
    const forged = `${JSON.stringify({ ...defaultLimits, ...strict })}\u0000${template}`;
    expect(expand(forged)).toContain("abcdefgh");
    expect(() => expand(template, { limits: strict })).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED" }));
    // And the other way round: the strict caller's entry is not what the default caller gets.
    clearCache();
    expect(() => expand(template, { limits: strict })).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED" }));
    expect(expand(forged)).toContain("abcdefgh");
  });

  it("keeps no compilation made to reveal literals in errors", () => {
    clearCache();
    const template = `{hash.append("x").printDigest();}`;
    expand(template, { revealSecrets: true });
    expect(cached(template)).toBe(false);
  });

  it("reads each expansion's own clock and secrets", () => {
    const t = `{hash.append(hash.getSecret("s")).append(hash.getExpiryTime(0)).printDigest();}`;
    expect(expand(t, { now: 1000, secrets: { s: "a" } })).toBe("a1");
    expect(expand(t, { now: 2000, secrets: { s: "b" } })).toBe("b2");
  });
});
