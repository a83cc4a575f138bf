import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { evaluate, methods } from "../src/index.ts";

// Every expected value here is a published test vector or node:crypto computing the same
// thing by hand; none is the interpreter's own output.

/** RFC 3986 §2.3: only unreserved characters stay; encodeURIComponent leaves !'()* too. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A string literal of the language holding `s`. */
const lit = (s: string) => JSON.stringify(s);

describe("encodeMd5: RFC 1321 §A.5 test suite", () => {
  it.each([
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
    ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
  ])("MD5(%j)", (input, expected) => {
    expect(evaluate(`hash.append(${lit(input)}).encodeMd5().toHex()`)).toBe(expected);
  });
});

describe("encodeSha1: FIPS 180-2 / RFC 3174 §7.3 vectors", () => {
  it.each([
    ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"],
    ["", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
  ])("SHA1(%j)", (input, expected) => {
    expect(evaluate(`hash.append(${lit(input)}).encodeSha1().toHex()`)).toBe(expected);
  });
});

describe("HMACs with text keys: RFC 2202 §3 and RFC 4231 §4.3 (test case 2)", () => {
  it("HMAC-SHA1, key 'Jefe'", () => {
    expect(evaluate(`hash.append("what do ya want for nothing?").encodeHmacSha1("Jefe").toHex()`)).toBe(
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    );
  });
  it("HMAC-SHA256, key 'Jefe'", () => {
    expect(evaluate(`hash.append("what do ya want for nothing?").encodeHmacSha256("Jefe").toHex()`)).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
});

describe("HMACs against node:crypto", () => {
  const cases = [
    { data: "", key: "k" },
    { data: "customerCode=ACME", key: "unleashed-api-key" },
    { data: "naïve ☃ 😀", key: "ключ" },
    { data: "x".repeat(1000), key: "k".repeat(200) }, // key longer than the block size is hashed first
  ];
  it.each(cases)("HMAC-SHA1 and HMAC-SHA256 of $data.length chars", ({ data, key }) => {
    for (const [method, alg] of [
      ["encodeHmacSha1", "sha1"],
      ["encodeHmacSha256", "sha256"],
    ] as const) {
      expect(evaluate(`hash.append(${lit(data)}).${method}(${lit(key)}).toHex()`)).toBe(
        createHmac(alg, key).update(data).digest("hex"),
      );
    }
  });

  it("a key may be the bytes of a nested chain (here, an MD5 digest)", () => {
    const key = createHash("md5").update("seed").digest();
    expect(evaluate(`hash.append("data").encodeHmacSha256(hash.append("seed").encodeMd5()).toHex()`)).toBe(
      createHmac("sha256", key).update("data").digest("hex"),
    );
  });

  it("a key may be the text of a nested chain", () => {
    expect(evaluate(`hash.append("data").encodeHmacSha1(hash.append("ab").append("cd")).toHex()`)).toBe(
      createHmac("sha1", "abcd").update("data").digest("hex"),
    );
  });

  it("digests and MACs take bytes as input (a digest of a digest)", () => {
    const inner = createHash("sha1").update("abc").digest();
    expect(evaluate(`hash.append("abc").encodeSha1().encodeMd5().toHex()`)).toBe(
      createHash("md5").update(inner).digest("hex"),
    );
    expect(evaluate(`hash.append("abc").encodeSha1().encodeHmacSha1("k").toHex()`)).toBe(
      createHmac("sha1", "k").update(inner).digest("hex"),
    );
  });

  it("text is hashed as UTF-8", () => {
    expect(evaluate(`hash.append("\\u00e9").encodeMd5().toHex()`)).toBe(
      createHash("md5")
        .update(Buffer.from([0xc3, 0xa9]))
        .digest("hex"),
    );
  });
});

describe("encodeBase64: RFC 4648 §10 vectors", () => {
  it.each([
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ])("BASE64(%j) = %j", (input, expected) => {
    expect(evaluate(`hash.append(${lit(input)}).encodeBase64()`)).toBe(expected);
  });

  it("encodes the bytes of a MAC", () => {
    expect(evaluate(`hash.append("m").encodeHmacSha256("k").encodeBase64()`)).toBe(
      createHmac("sha256", "k").update("m").digest("base64"),
    );
  });
});

describe("toHex: RFC 4648 §10 base16, lowercase", () => {
  it.each([
    ["", ""],
    ["f", "66"],
    ["foobar", "666f6f626172"],
  ])("HEX(%j) = %j", (input, expected) => {
    expect(evaluate(`hash.append(${lit(input)}).toHex()`)).toBe(expected);
  });
});

describe("encodeURL: RFC 3986 percent-encoding", () => {
  it.each(["", "AZaz09-._~", "a b+c/d?e=f&g#h%", "!'()*", "naïve ☃ 😀", "W88QaZ7m1Xoj205U1wUMYt578jI="])(
    "%j",
    (input) => {
      expect(evaluate(`hash.append(${lit(input)}).encodeURL()`)).toBe(rfc3986(input));
    },
  );

  it("encodes every byte of bytes, uppercase hex", () => {
    const digest = createHash("md5").update("abc").digest();
    const expected = [...digest]
      .map((b) =>
        /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
      )
      .join("");
    expect(evaluate(`hash.append("abc").encodeMd5().encodeURL()`)).toBe(expected);
  });
});

describe("append, appendNewLine, printDigest", () => {
  it.each([
    { expr: `hash.append("a").append("b")`, expected: "ab" },
    { expr: `hash.append(240)`, expected: "240" },
    { expr: `hash.append(-60)`, expected: "-60" },
    { expr: `hash.append('single "quoted"')`, expected: 'single "quoted"' },
    { expr: String.raw`hash.append("\\ \" \' \n \r \t \u0041")`, expected: "\\ \" ' \n \r \t A" },
    { expr: `hash.append("before").appendNewLine().append("after")`, expected: "before\nafter" },
    { expr: `hash.appendNewLine()`, expected: "\n" },
    { expr: `hash.append(hash.append("in").append("ner"))`, expected: "inner" },
    { expr: `hash.append("x").printDigest()`, expected: "x" },
    { expr: `hash.append("x").printDigest();`, expected: "x" },
  ])("$expr", ({ expr, expected }) => {
    expect(evaluate(expr)).toBe(expected);
  });
});

describe("getExpiryTime", () => {
  it.each([
    { now: 1_700_000_000_000, seconds: 240, expected: "1700000240" },
    { now: 1_700_000_000_999, seconds: 240, expected: "1700000240" }, // whole seconds, rounded down
    { now: 1_700_000_000_000, seconds: 0, expected: "1700000000" },
    { now: 1_700_000_000_000, seconds: -60, expected: "1699999940" },
    {
      now: new Date("2014-06-07T20:51:35Z"),
      seconds: 300,
      expected: String(Date.UTC(2014, 5, 7, 20, 51, 35) / 1000 + 300),
    },
  ])("now=$now +$seconds s", ({ now, seconds, expected }) => {
    expect(evaluate(`hash.getExpiryTime(${seconds})`, { now })).toBe(expected);
  });

  it("reads the real clock when none is given", () => {
    const before = Math.floor(Date.now() / 1000);
    const value = Number(evaluate("hash.getExpiryTime(10)"));
    const after = Math.floor(Date.now() / 1000);
    expect(value).toBeGreaterThanOrEqual(before + 10);
    expect(value).toBeLessThanOrEqual(after + 10);
  });

  it("may start a chain that goes on", () => {
    expect(evaluate(`hash.getExpiryTime(1).encodeMd5().toHex()`, { now: 0 })).toBe(
      createHash("md5").update("1").digest("hex"),
    );
  });
});

describe("the method table", () => {
  it("documents every method", () => {
    for (const method of methods.values()) {
      expect(method.summary, method.name).toMatch(/\S/);
      expect(method.example, method.name).toContain(method.name);
      expect(typeof evaluate(method.example, { now: 0, secrets: { api_key: "k" } }), method.example).toBe("string");
    }
  });

  it("is a Map, so Object.prototype names are not methods", () => {
    for (const name of ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"]) {
      expect(methods.has(name)).toBe(false);
    }
  });
});
