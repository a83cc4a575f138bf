// The text functions and canonical forms (src/language/methods/strings.ts), through the public API.
// Expected values come from the specifications (RFC 3986 §5.2.4 and §5.4, RFC 5849 §3.4.1.3.2),
// AWS's own SigV4 test suite, JavaScript's own String methods and decodeURIComponent, and the
// reference model (test/model/strings.ts, written from the documentation with Buffer); never
// from the interpreter's own output.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate, HashHelperError, type Limits, methods } from "../../src/index.ts";
import { errorOf } from "../helpers.ts";
import { errorOutputs } from "../masks-arbitraries.ts";
import { Refusal } from "../model/core.ts";
import { stringModels } from "../model/strings.ts";

/** A string literal of the language holding `s`: anything but printable ASCII as \uXXXX. */
const lit = (s: string) =>
  `"${[...s]
    .map((c) =>
      c.length === 1 && c >= " " && c <= "~" && c !== '"' && c !== "\\"
        ? c
        : [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    )
    .join("")}"`;

/** `hash.getSecret("v").<call>` with the secret v set to `value`: any text, lone surrogates too. */
const on = (value: string, call: string, limits?: Partial<Limits>, more: Record<string, string> = {}) =>
  evaluate(`hash.getSecret("v").${call}`, { secrets: { ...more, v: value }, ...(limits ? { limits } : {}) });

/** replace() with find and replacement read from secrets: literals cannot hold a lone surrogate. */
const replaceCall = `replace(hash.getSecret("f"), hash.getSecret("r"))`;

/** The text of the source an error points at. */
const at = (source: string, e: HashHelperError) => source.slice(e.span.offset, e.span.offset + e.span.length);

/** What the model gives for a method, or the code it refuses with. */
function modelled(name: string, input: string, args: readonly (string | number)[]): string | { code: string } {
  try {
    return stringModels[name]?.run(input, args, { nowMs: 0, secret: () => undefined }) as string;
  } catch (e) {
    if (e instanceof Refusal) return { code: e.code };
    throw e;
  }
}

function outcome(run: () => string): string | { code: string } {
  try {
    return run();
  } catch (e) {
    if (e instanceof HashHelperError) return { code: e.code };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// AWS's SigV4 test suite (a copy of ../shared/conformance/aws-sigv4 in test/fixtures, from awslabs/aws-c-auth)

const SUITE = new URL("../fixtures/conformance/aws-sigv4/", import.meta.url);
const cases = readdirSync(SUITE, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const read = (name: string, file: string) => readFileSync(new URL(`${name}/${file}`, SUITE), "utf8");
/** The request target of a request's first line: `GET /path?query HTTP/1.1`. */
const target = (request: string) => (/^\S+ (.*) HTTP\/1\.1$/m.exec(request) as RegExpExecArray)[1] as string;
const splitTarget = (t: string) => {
  const q = t.indexOf("?");
  return q < 0 ? { path: t, query: undefined } : { path: t.slice(0, q), query: t.slice(q + 1) };
};
/** Line `n` (from 1) of a canonical request: method, path, query, headers... */
const line = (text: string, n: number) => text.split("\n")[n - 1] as string;
/** RFC 3986 §2.3 encoding of one path segment, as the canonical request writes the path. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe("the AWS SigV4 suite", () => {
  it("is there, all 38 cases", () => {
    expect(cases).toHaveLength(38);
  });

  const withQuery = cases.filter((name) => splitTarget(target(read(name, "request.txt"))).query !== undefined);
  it.each(withQuery)("%s: canonicalQuery() of the request's query is line 3 of its canonical request", (name) => {
    const { query } = splitTarget(target(read(name, "request.txt")));
    expect(on(query as string, "canonicalQuery()")).toBe(line(read(name, "header-canonical-request.txt"), 3));
  });

  it.each(cases)("%s: canonicalQuery() of the presigned URL's query (less X-Amz-Signature) is its line 3", (name) => {
    const { query } = splitTarget(target(read(name, "query-signed-request.txt")));
    // The signature is not signed, nor the session token that omit_session_token adds after signing.
    const omitToken = JSON.parse(read(name, "context.json")).omit_session_token === true;
    const signed = (query as string)
      .split("&")
      .filter((p) => !p.startsWith("X-Amz-Signature=") && !(omitToken && p.startsWith("X-Amz-Security-Token=")))
      .join("&");
    expect(on(signed, "canonicalQuery()")).toBe(line(read(name, "query-canonical-request.txt"), 3));
  });

  const normalized = cases.filter((name) => name.endsWith("-normalized"));
  it.each(normalized)(
    "%s: normalizePath() of the path, percent-encoded, is line 2 of its canonical request",
    (name) => {
      const { path } = splitTarget(target(read(name, "request.txt")));
      const encoded = on(path, "normalizePath()").split("/").map(rfc3986).join("/");
      expect(encoded).toBe(line(read(name, "header-canonical-request.txt"), 2));
    },
  );

  it("normalises the paths the issue names as AWS does", () => {
    expect(normalized).toHaveLength(7);
    for (const [path, expected] of [
      ["//example//", "/example/"],
      ["/example1/example2/../..", "/"],
      ["/./", "/"],
      ["/example/..", "/"],
    ]) {
      expect(on(path as string, "normalizePath()"), path).toBe(expected);
    }
  });

  it.each(cases)(
    "%s: each signed header, lower-cased, folded, collapsed and trimmed, is a line of the canonical request",
    (name) => {
      const [head = ""] = read(name, "request.txt").split("\n\n");
      const canonical = read(name, "header-canonical-request.txt").split("\n");
      const signed = (canonical[canonical.length - 2] as string).split(";");
      // Continuation lines (obs-fold, RFC 9112 §5.2) belong to the header above them.
      const headers: [string, string][] = [];
      for (const l of head.split("\n").slice(1)) {
        const last = headers[headers.length - 1];
        if (/^[ \t]/.test(l) && last) last[1] += `\n${l}`;
        else headers.push([l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]);
      }
      const once = headers.filter(([n]) => headers.filter(([m]) => m.toLowerCase() === n.toLowerCase()).length === 1);
      for (const [header, value] of once) {
        const lower = evaluate(`hash.append(${lit(header)}).toLowerCase()`);
        if (!signed.includes(lower)) continue;
        const canonicalValue = on(value, `replace("\\n", " ").collapseSpaces().trim()`);
        expect(canonical).toContain(`${lower}:${canonicalValue}`);
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("toLowerCase and toUpperCase: JavaScript's own, in every locale", () => {
  it.each([
    "X-Amz-Date",
    "HOST;Content-Type",
    "İstanbul", // U+0130 lowercases to i + U+0307, two code units
    "Straße", // ß uppercases to SS
    "ΑΣ ΟΔΟΣ", // the final sigma rule
    "ǅ", // titlecase
    "ﬃ", // one code unit uppercases to three
    "\u{10400}\u{10428}", // Deseret, outside the BMP
    "\ud800a\udc00", // lone surrogates stay as they are
    "",
  ])("%j", (s) => {
    expect(on(s, "toLowerCase()")).toBe(s.toLowerCase());
    expect(on(s, "toUpperCase()")).toBe(s.toUpperCase());
  });

  it("are the locale-independent mappings (Unicode SpecialCasing), not Turkish or Lithuanian ones", () => {
    expect(on("I", "toLowerCase()")).toBe("i");
    expect(on("i", "toUpperCase()")).toBe("I");
    expect(on("İ", "toLowerCase()")).toBe("i\u0307");
    expect(on("ß", "toUpperCase()")).toBe("SS");
  });

  it("say how long the mapped text will be before they make it, for every code unit", () => {
    for (const name of ["toLowerCase", "toUpperCase"] as const) {
      const method = methods.get(name);
      const map = (s: string) => (name === "toLowerCase" ? s.toLowerCase() : s.toUpperCase());
      for (let c = 0; c < 0x10000; c++) {
        const s = String.fromCharCode(c);
        if (method?.size?.(s, []) !== map(s).length) expect.fail(`${name}() size of U+${c.toString(16)}`);
      }
      expect(method?.size?.("ßﬃİ\u{10400}a", [])).toBe(map("ßﬃİ\u{10400}a").length);
    }
  });

  it("refuse a result past maxValueSize before making it", () => {
    expect(on("ßßß", "toUpperCase()", { maxValueSize: 6 })).toBe("SSSSSS");
    const e = errorOf(() => on("ßßß", "toUpperCase()", { maxValueSize: 5 }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
  });
});

describe("trim: spaces and tabs at either end, nothing else", () => {
  it.each([
    [" a ", "a"],
    ["\t a \t", "a"],
    ["  a  b  ", "a  b"],
    ["    ", ""],
    ["", ""],
    ["a", "a"],
    ["\na\n", "\na\n"], // line breaks stay
    ["\r\n a", "\r\n a"],
    ["\u00a0a\u00a0", "\u00a0a\u00a0"], // no-break spaces stay
    ["\u3000a\u2003", "\u3000a\u2003"], // other Unicode spaces stay
    ["\ufeffa", "\ufeffa"],
  ])("%j gives %j", (input, expected) => {
    expect(on(input, "trim()")).toBe(expected);
  });

  it("is linear in a long run of spaces inside the text", () => {
    const s = `a${" ".repeat(200_000)}b`;
    const started = performance.now();
    expect(on(s, "trim()")).toBe(s);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("collapseSpaces: every run of spaces and tabs becomes one space", () => {
  it.each([
    ['"a   b   c"', '"a b c"'], // AWS get-header-value-trim
    ["a \t\t b", "a b"],
    ["  a  ", " a "], // it does not trim
    ["\t", " "],
    ["a\n\nb", "a\n\nb"],
    ["a\u00a0\u00a0b", "a\u00a0\u00a0b"],
    ["", ""],
  ])("%j gives %j", (input, expected) => {
    expect(on(input, "collapseSpaces()")).toBe(expected);
  });

  it("with trim(), is EdgeGrid's and SigV4's canonical header value", () => {
    expect(on("  value1   value2\t ", "trim().collapseSpaces()")).toBe("value1 value2");
  });
});

describe("substring: UTF-16 indexes, as JavaScript's String.prototype.substring", () => {
  it("drops Svix's whsec_ prefix (Standard Webhooks)", () => {
    expect(on("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "substring(6)")).toBe("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  });

  const s = "a😀bcé";
  it.each([
    [0, undefined],
    [2, undefined],
    [1, 3], // the surrogate pair whole
    [2, 4], // half of it
    [3, 1], // swapped
    [0, 99], // past the end
    [99, undefined],
    [-3, 2], // negative counts as 0
    [-3, -1],
    [4, 4],
  ])("substring(%j, %j)", (start, end) => {
    const call = end === undefined ? `substring(${start})` : `substring(${start}, ${end})`;
    expect(on(s, call)).toBe(s.substring(start, end));
  });

  it("bounds its indexes by maxValueSize", () => {
    const source = `hash.append("abc").substring(1048577)`;
    const e = errorOf(() => evaluate(source));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(at(source, e)).toBe("1048577");
    expect(evaluate(`hash.append("abc").substring(1048576)`)).toBe("");
    expect(errorOf(() => evaluate(`hash.append("abc").substring(0, -11)`, { limits: { maxValueSize: 10 } })).code).toBe(
      "LIMIT_EXCEEDED",
    );
  });

  it("takes whole numbers only", () => {
    expect(errorOf(() => evaluate(`hash.append("abc").substring("1")`)).code).toBe("ARGUMENT_KIND");
    expect(errorOf(() => evaluate(`hash.append("abc").substring()`)).code).toBe("ARGUMENT_COUNT");
    expect(errorOf(() => evaluate(`hash.append("abc").substring(1, 2, 3)`)).code).toBe("ARGUMENT_COUNT");
  });
});

describe("replace: every occurrence of a literal text", () => {
  it.each([
    ["a3=2+q", "+", "%20", "a3=2%20q"],
    ["a+b+c", "+", "%20", "a%20b%20c"],
    ["aaa", "aa", "b", "ba"], // left to right, without overlaps
    ["abc", "x", "y", "abc"],
    ["", "a", "b", ""],
    ["a.b.c", ".", "", "abc"],
    ["a.*b", ".*", "-", "a-b"], // no patterns
    ["a$&b", "$&", "x", "axb"],
    // No $ substitutions in the replacement (String.prototype.replaceAll would make these ab, aab, a, a):
    ["ab", "b", "$&$&", "a$&$&"],
    ["ab", "b", "$`", "a$`"],
    ["ab", "b", "$'", "a$'"],
    ["ab", "b", "$$", "a$$"],
    ["ab", "b", "$1", "a$1"],
    ["😀😀", "\ude00", "x", "\ud83dx\ud83dx"], // code units, as JavaScript strings are
  ])("%j: %j → %j gives %j", (input, find, replacement, expected) => {
    expect(on(input, replaceCall, undefined, { f: find, r: replacement })).toBe(expected);
    if (!/[\ud800-\udfff]/.test(find + replacement)) {
      expect(on(input, `replace(${lit(find)}, ${lit(replacement)})`)).toBe(expected);
    }
  });

  it("takes nested values for both", () => {
    expect(on("a+b", `replace(hash.append("+"), hash.append("%2").append("0"))`)).toBe("a%20b");
  });

  it("refuses an empty literal find when the template compiles, pointing at it", () => {
    const source = `hash.append("ab").replace("", "x")`;
    const e = errorOf(() => evaluate(source));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(at(source, e)).toBe('""');
    expect(e.hint).toBe('for example .replace("+", "%20")');
  });

  it("refuses an empty nested find when it runs, pointing at the call", () => {
    const source = `hash.getSecret("v").replace(hash.append(""), "x")`;
    const e = errorOf(() => evaluate(source, { secrets: { v: "Val0e-of-secret" } }));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(at(source, e)).toBe("replace");
    for (const text of errorOutputs(e)) expect(text).not.toContain("Val0e");
  });

  it("refuses a result past maxValueSize before making it", () => {
    expect(on("aaaa", `replace("a", "bbbb")`, { maxValueSize: 16 })).toBe("b".repeat(16));
    const source = `hash.getSecret("v").replace("a", "bbbb")`;
    const e = errorOf(() => evaluate(source, { secrets: { v: "aaaa" }, limits: { maxValueSize: 15 } }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toContain("maxValueSize");
    expect(at(source, e)).toBe("replace");
  });
});

describe("decodeURL: percent-decoding of UTF-8, + kept", () => {
  it.each([
    ["a%20b%2Bc+d", "a b+c+d"],
    ["a+b", "a+b"],
    ["%E1%88%B4", "ሴ"],
    ["%e1%88%b4", "ሴ"],
    ["%F0%9F%98%80", "😀"],
    ["%25", "%"],
    ["%2525", "%25"],
    ["%00", "\0"],
    ["%EF%BF%BD", "\ufffd"],
    ["caf%C3%A9 é", "café é"],
    ["no escapes", "no escapes"],
    ["\ud800", "\ud800"], // a lone surrogate as it stands
    ["", ""],
  ])("%j gives %j (as decodeURIComponent)", (input, expected) => {
    expect(on(input, "decodeURL()")).toBe(expected);
    expect(decodeURIComponent(input)).toBe(expected);
  });

  it.each([
    ["%", "'%'"],
    ["%4", "'%'"],
    ["%zz", "'%'"],
    ["a%2", "'%'"],
    ["%%41", "'%'"],
    ["100%", "'%'"],
    ["%FF", "UTF-8"], // not a UTF-8 lead byte
    ["%C3", "UTF-8"], // a lead byte without its continuation
    ["%C3x", "UTF-8"],
    ["%E1%88x%B4", "UTF-8"],
    ["%80", "UTF-8"],
    ["%C0%80", "UTF-8"], // overlong
    ["%ED%A0%80", "UTF-8"], // a surrogate
    ["%F4%90%80%80", "UTF-8"], // past U+10FFFF
  ])("refuses %j with INVALID_ENCODING (as decodeURIComponent does), saying what is wrong", (input, says) => {
    expect(() => decodeURIComponent(input)).toThrow(URIError);
    const source = `hash.getSecret("v").decodeURL()`;
    const e = errorOf(() => evaluate(source, { secrets: { v: `Val0e${input}` } }));
    expect(e.code).toBe("INVALID_ENCODING");
    expect(at(source, e)).toBe("decodeURL");
    expect(e.message).toContain(says);
    for (const text of errorOutputs(e)) expect(text).not.toContain("Val0e");
  });

  it("never shows a literal's text in its error", () => {
    const source = `hash.append("Lit3ral-%zz").decodeURL()`;
    const e = errorOf(() => evaluate(source));
    expect(e.code).toBe("INVALID_ENCODING");
    for (const text of errorOutputs(e)) expect(text).not.toContain("Lit3ral");
  });
});

describe("canonicalQuery", () => {
  it.each([
    ["", ""],
    ["&", ""],
    ["&&", ""],
    ["a=1&&b=2", "a=1&b=2"],
    ["a=1&", "a=1"],
    ["&a=1", "a=1"],
    ["a", "a="],
    ["a=", "a="],
    ["=1", "=1"],
    ["a=b=c", "a=b%3Dc"], // split at the first =
    ["b=1&a=2&a=1", "a=1&a=2&b=1"],
    ["a-b=1&a=2", "a=2&a-b=1"], // by name, then value: not by the joined text, where - sorts before =
    ["A=1&a=1&B=1", "A=1&B=1&a=1"], // byte order: uppercase first
    ["a=b&a=B&a=%41", "a=A&a=B&a=b"],
    ["~=1&%7F=1", "%7F=1&~=1"], // by the encoded text
    ["%7e=%7E", "~=~"],
    ["a=%2f%2F/", "a=%2F%2F%2F"],
    ["a=%FF", "a=%FF"], // bytes that are not UTF-8 are encoded again as they are
    ["é=ü", "%C3%A9=%C3%BC"],
    ["a=b+c", "a=b%2Bc"], // + is a plus
    ["a=b%20c d", "a=b%20c%20d"],
    ["a=!'()*", "a=%21%27%28%29%2A"],
    ["a=\ud800", "a=%EF%BF%BD"], // a lone surrogate is U+FFFD, as every encoder here writes it
  ])("%j gives %j", (input, expected) => {
    expect(on(input, "canonicalQuery()")).toBe(expected);
  });

  it("is RFC 5849 §3.4.1.3.2's normalized parameters, from the §3.4.1 request's query, form body and oauth_*", () => {
    const query = "b5=%3D%253D&a3=a&c%40=&a2=r%20b";
    const body = "c2&a3=2+q";
    const oauth =
      "oauth_consumer_key=9djdj82h48djs9d2&oauth_token=kkk9d7dh3k39sjv7&oauth_signature_method=HMAC-SHA1" +
      "&oauth_timestamp=137131201&oauth_nonce=7d8f3e4a";
    // A form body writes a space as + (HTML's application/x-www-form-urlencoded); the query does not.
    const source =
      `hash.append(${lit(query)}).append("&").append(hash.append(${lit(body)}).replace("+", "%20"))` +
      `.append("&").append(${lit(oauth)}).canonicalQuery()`;
    expect(evaluate(source)).toBe(
      "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a" +
        "&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7",
    );
  });

  it.each(["a=%zz", "%=1", "a=1&b=%4", "a=100%"])(
    "refuses %j with INVALID_ENCODING, never showing the value",
    (input) => {
      const source = `hash.getSecret("v").canonicalQuery()`;
      const e = errorOf(() => evaluate(source, { secrets: { v: `Val0e=1&${input}` } }));
      expect(e.code).toBe("INVALID_ENCODING");
      expect(at(source, e)).toBe("canonicalQuery");
      for (const text of errorOutputs(e)) expect(text).not.toContain("Val0e");
    },
  );

  it("refuses a result past maxValueSize before making it", () => {
    // a=%C3%A9%C3%A9%C3%A9: 20 characters from 5.
    expect(on("a=ééé", "canonicalQuery()", { maxValueSize: 20 })).toBe("a=%C3%A9%C3%A9%C3%A9");
    const source = `hash.getSecret("v").canonicalQuery()`;
    const e = errorOf(() => evaluate(source, { secrets: { v: "a=ééé" }, limits: { maxValueSize: 19 } }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(at(source, e)).toBe("canonicalQuery");
  });

  it("is linear in pairs without '=' (no search for '=' past its own pair)", () => {
    const s = `${"a&".repeat(100_000)}b=1`;
    const started = performance.now();
    expect(on(s, "canonicalQuery()")).toBe(`${"a=&".repeat(100_000)}b=1`);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("normalizePath: RFC 3986 §5.2.4, then runs of / as one", () => {
  it.each([
    // RFC 3986 §5.2.4's own examples.
    ["/a/b/c/./../../g", "/a/g"],
    ["mid/content=5/../6", "mid/6"],
    ["", ""],
    ["/", "/"],
    ["//", "/"],
    ["///a///b//", "/a/b/"],
    ["/..", "/"],
    ["/../..", "/"],
    [".", ""],
    ["..", ""],
    ["./a", "a"],
    ["../a", "a"],
    ["a/..", "/"],
    ["/a/b/..", "/a/"],
    ["/a/b/.", "/a/b/"], // only the dot goes
    ["/a/.b/..c/b..", "/a/.b/..c/b.."],
    ["/a/%2E%2E/b", "/a/%2E%2E/b"], // escapes are not decoded: %2E%2E is not a dot-segment
    ["/a//../b", "/a/b"], // dot-segments first: the empty segment is the one .. removes
    ["/example space/", "/example space/"],
  ])("%j gives %j", (input, expected) => {
    expect(on(input, "normalizePath()")).toBe(expected);
  });

  // RFC 3986 §5.4.1 and §5.4.2 resolve references against http://a/b/c/d;p?q. For a reference that
  // is only a path, the target's path is remove_dot_segments of the merged path (§5.2.2, §5.2.3):
  // the reference itself when it starts with '/', else the base's path up to its last '/' ("/b/c/")
  // followed by the reference.
  it.each([
    // §5.4.1
    ["g", "http://a/b/c/g"],
    ["./g", "http://a/b/c/g"],
    ["g/", "http://a/b/c/g/"],
    ["/g", "http://a/g"],
    [";x", "http://a/b/c/;x"],
    ["g;x", "http://a/b/c/g;x"],
    [".", "http://a/b/c/"],
    ["./", "http://a/b/c/"],
    ["..", "http://a/b/"],
    ["../", "http://a/b/"],
    ["../g", "http://a/b/g"],
    ["../..", "http://a/"],
    ["../../", "http://a/"],
    ["../../g", "http://a/g"],
    // §5.4.2
    ["../../../g", "http://a/g"],
    ["../../../../g", "http://a/g"],
    ["/./g", "http://a/g"],
    ["/../g", "http://a/g"],
    ["g.", "http://a/b/c/g."],
    [".g", "http://a/b/c/.g"],
    ["g..", "http://a/b/c/g.."],
    ["..g", "http://a/b/c/..g"],
    ["./../g", "http://a/b/g"],
    ["./g/.", "http://a/b/c/g/"],
    ["g/./h", "http://a/b/c/g/h"],
    ["g/../h", "http://a/b/c/h"],
    ["g;x=1/./y", "http://a/b/c/g;x=1/y"],
    ["g;x=1/../y", "http://a/b/c/y"],
  ])("RFC 3986 §5.4: %j resolves to %j", (reference, target) => {
    const merged = reference.startsWith("/") ? reference : `/b/c/${reference}`;
    expect(on(merged, "normalizePath()")).toBe(target.slice("http://a".length));
  });

  it("is linear in the path", () => {
    const s = "/a/..".repeat(50_000) + "/./".repeat(50_000) + "/".repeat(100_000);
    const started = performance.now();
    expect(on(s, "normalizePath()")).toBe("/");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("on bytes", () => {
  it.each([
    "toLowerCase()",
    "toUpperCase()",
    "trim()",
    "collapseSpaces()",
    "substring(1)",
    `replace("a", "b")`,
    "decodeURL()",
    "canonicalQuery()",
    "normalizePath()",
  ])("%s is INPUT_KIND, pointing at it", (call) => {
    const source = `hash.append("a").encodeMd5().${call}`;
    const e = errorOf(() => evaluate(source));
    expect(e.code).toBe("INPUT_KIND");
    expect(at(source, e)).toBe(call.slice(0, call.indexOf("(")));
  });
});

// ---------------------------------------------------------------------------------------------
// The methods against their model, on text made to hit their edges

const piece = fc.oneof(
  fc.constantFrom(" ", "\t", "  ", "\n", "%", "%2", "%20", "%2B", "%2b", "%7E", "%C3%A9", "%E1%88%B4", "%FF", "%C3"),
  fc.constantFrom("&", "=", "&&", "+", "/", "//", ".", "..", "/./", "/../", "a", "B", "~", "é", "ß", "İ", "😀"),
  fc.constantFrom("\ud800", "\udc00", "\u00a0", "$&", "$1"),
  fc.string({ maxLength: 3 }),
);
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(""));

type Call = { call: string; args: (string | number)[]; more?: Record<string, string> };
const calls: Record<string, fc.Arbitrary<Call>> = {
  toLowerCase: fc.constant({ call: "toLowerCase()", args: [] }),
  toUpperCase: fc.constant({ call: "toUpperCase()", args: [] }),
  trim: fc.constant({ call: "trim()", args: [] }),
  collapseSpaces: fc.constant({ call: "collapseSpaces()", args: [] }),
  substring: fc
    .tuple(fc.integer({ min: -5, max: 40 }), fc.option(fc.integer({ min: -5, max: 40 }), { nil: undefined }))
    .map(([s, e]) =>
      e === undefined ? { call: `substring(${s})`, args: [s] } : { call: `substring(${s}, ${e})`, args: [s, e] },
    ),
  replace: fc
    .tuple(
      piece.filter((p) => p !== ""),
      text,
    )
    .map(([f, r]) => ({ call: replaceCall, args: [f, r], more: { f, r } })),
  decodeURL: fc.constant({ call: "decodeURL()", args: [] }),
  canonicalQuery: fc.constant({ call: "canonicalQuery()", args: [] }),
  normalizePath: fc.constant({ call: "normalizePath()", args: [] }),
};

describe("the reference model", () => {
  it("models exactly the methods of this family", () => {
    expect(Object.keys(stringModels).sort()).toEqual(Object.keys(calls).sort());
  });

  it.each(Object.keys(calls))("%s() gives what the model predicts, or refuses as it does", (name) => {
    fc.assert(
      fc.property(text, calls[name] as fc.Arbitrary<Call>, (input, { call, args, more }) => {
        expect(outcome(() => on(input, call, undefined, more))).toEqual(modelled(name, input, args));
      }),
      { numRuns: 400 },
    );
  });

  it("decodeURL() is decodeURIComponent, wherever that decodes", () => {
    fc.assert(
      fc.property(text, (input) => {
        let expected: string | { code: string };
        try {
          expected = decodeURIComponent(input);
        } catch {
          expected = { code: "INVALID_ENCODING" };
        }
        expect(outcome(() => on(input, "decodeURL()"))).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it.each(["replace", "canonicalQuery", "toLowerCase", "toUpperCase"])(
    "%s() says exactly how long its value will be before it makes it",
    (name) => {
      const method = methods.get(name);
      fc.assert(
        fc.property(text, calls[name] as fc.Arbitrary<Call>, (input, { args }) => {
          let made: string;
          try {
            made = method?.run(input, args, {} as never) as string;
          } catch {
            return; // a refusal: size may refuse first, or give any number
          }
          expect(method?.size?.(input, args)).toBe(made.length);
        }),
        { numRuns: 400 },
      );
    },
  );
});
