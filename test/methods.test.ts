import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EXAMPLE_REQUEST, runExample } from "../scripts/examples.ts";
import { evaluate, HashHelperError, methods } from "../src/index.ts";
import { exampleResults } from "./arbitraries.ts";

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
    }
  });

  // docs/methods.md shows what each example gives: worked out here by hand, for every method.
  const byHand = exampleResults({ nowMs: 0, secret: () => "k", request: EXAMPLE_REQUEST });

  it("has an example worked out by hand for every method", () => {
    expect(Object.keys(byHand).sort()).toEqual([...methods.keys()].sort());
  });

  // An example that fails with the secret "k" (a signature's, which is no key) fails with the
  // code worked out.
  const attempt = (run: () => string) => {
    try {
      return run();
    } catch (e) {
      if (e instanceof HashHelperError) return { code: e.code };
      throw e;
    }
  };
  it.each([...methods.values()])("the example of $name() gives what it is worked out to give", (method) => {
    expect(
      attempt(() => runExample(method, { now: 0, secrets: () => "k" })),
      method.example,
    ).toEqual(byHand[method.name]);
  });

  it("is a Map, so Object.prototype names are not methods", () => {
    for (const name of ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"]) {
      expect(methods.has(name)).toBe(false);
    }
  });
});

const hex = (byte: string, n: number) => byte.repeat(n);
const KEY_0102 = Array.from({ length: 25 }, (_, i) => (i + 1).toString(16).padStart(2, "0")).join("");
/** `hash.fromHex(data).<method>(hash.fromHex(key)).toHex()`, with text data given as text. */
const macOf = (method: string, key: string, data: { hex?: string; text?: string }) =>
  evaluate(
    `${data.text !== undefined ? `hash.append(${lit(data.text)})` : `hash.fromHex("${data.hex}")`}.${method}(hash.fromHex("${key}")).toHex()`,
  );

describe("RFC 2202 §2 and §3: every HMAC-MD5 and HMAC-SHA1 test case, binary keys through fromHex", () => {
  it.each([
    { key: hex("0b", 16), data: { text: "Hi There" }, md5: "9294727a3638bb1c13f48ef8158bfc9d" },
    { key: "4a656665", data: { text: "what do ya want for nothing?" }, md5: "750c783e6ab0b503eaa86e310a5db738" },
    { key: hex("aa", 16), data: { hex: hex("dd", 50) }, md5: "56be34521d144c88dbb8c733f0e8b3f6" },
    { key: KEY_0102, data: { hex: hex("cd", 50) }, md5: "697eaf0aca3a3aea3a75164746ffaa79" },
    { key: hex("0c", 16), data: { text: "Test With Truncation" }, md5: "56461ef2342edc00f9bab995690efd4c" },
    {
      key: hex("aa", 80),
      data: { text: "Test Using Larger Than Block-Size Key - Hash Key First" },
      md5: "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
    },
    {
      key: hex("aa", 80),
      data: { text: "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data" },
      md5: "6f630fad67cda0ee1fb1f562db3aa53e",
    },
  ])("HMAC-MD5 case %#", ({ key, data, md5 }) => {
    expect(macOf("encodeHmacMd5", key, data)).toBe(md5);
  });

  it.each([
    { key: hex("0b", 20), data: { text: "Hi There" }, sha1: "b617318655057264e28bc0b6fb378c8ef146be00" },
    {
      key: "4a656665",
      data: { text: "what do ya want for nothing?" },
      sha1: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    },
    { key: hex("aa", 20), data: { hex: hex("dd", 50) }, sha1: "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
    { key: KEY_0102, data: { hex: hex("cd", 50) }, sha1: "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
    { key: hex("0c", 20), data: { text: "Test With Truncation" }, sha1: "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
    {
      key: hex("aa", 80),
      data: { text: "Test Using Larger Than Block-Size Key - Hash Key First" },
      sha1: "aa4ae5e15272d00e95705637ce8a3b55ed402112",
    },
    {
      key: hex("aa", 80),
      data: { text: "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data" },
      sha1: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
    },
  ])("HMAC-SHA1 case %#", ({ key, data, sha1 }) => {
    expect(macOf("encodeHmacSha1", key, data)).toBe(sha1);
  });
});

describe("RFC 4231 §4: HMAC-SHA256 and HMAC-SHA512 test cases 1-4, 6 and 7", () => {
  const longText =
    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";
  it.each([
    {
      key: hex("0b", 20),
      data: { text: "Hi There" },
      sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      sha512:
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
    },
    {
      key: "4a656665",
      data: { text: "what do ya want for nothing?" },
      sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      sha512:
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    },
    {
      key: hex("aa", 20),
      data: { hex: hex("dd", 50) },
      sha256: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
      sha512:
        "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
    },
    {
      key: KEY_0102,
      data: { hex: hex("cd", 50) },
      sha256: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      sha512:
        "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
    },
    {
      key: hex("aa", 131),
      data: { text: "Test Using Larger Than Block-Size Key - Hash Key First" },
      sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      sha512:
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
    },
    {
      key: hex("aa", 131),
      data: { text: longText },
      sha256: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      sha512:
        "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
    },
  ])("case %#", ({ key, data, sha256, sha512 }) => {
    expect(macOf("encodeHmacSha256", key, data)).toBe(sha256);
    expect(macOf("encodeHmacSha512", key, data)).toBe(sha512);
  });
});

describe("SHA-2 digests: FIPS 180-4 examples", () => {
  it.each([
    ["encodeSha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["encodeSha256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    [
      "encodeSha512",
      "abc",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    ],
  ])("%s(%j)", (method, input, expected) => {
    expect(evaluate(`hash.append(${lit(input)}).${method}().toHex()`)).toBe(expected);
  });
});

describe("encodeBase64Url: RFC 4648 §5, no padding", () => {
  it.each([
    ["", ""],
    ["66", "Zg"],
    ["666f", "Zm8"],
    ["666f6f", "Zm9v"],
    ["666f6f626172", "Zm9vYmFy"],
    ["fbff", "-_8"],
    ["fbefbe", "----"],
    ["ffffff", "____"],
  ])("%s → %j", (bytes, expected) => {
    expect(evaluate(`hash.fromHex("${bytes}").encodeBase64Url()`)).toBe(expected);
  });

  it("is the base64 of node:crypto with the URL alphabet", () => {
    expect(evaluate(`hash.append("m").encodeHmacSha256("k").encodeBase64Url()`)).toBe(
      createHmac("sha256", "k").update("m").digest("base64url"),
    );
  });
});

describe("fromHex and fromBase64", () => {
  it.each([
    { expr: `hash.fromHex("").toHex()`, expected: "" },
    { expr: `hash.fromHex("DEADbeef").toHex()`, expected: "deadbeef" },
    { expr: `hash.fromBase64("Zm9vYmFy").toHex()`, expected: "666f6f626172" },
    { expr: `hash.fromBase64("Zm9vYg==").toHex()`, expected: "666f6f62" },
    { expr: `hash.fromBase64("Zm9vYg").toHex()`, expected: "666f6f62" },
    { expr: `hash.fromBase64("-_8").toHex()`, expected: "fbff" },
    { expr: `hash.fromBase64("+/8=").toHex()`, expected: "fbff" },
    { expr: `hash.fromHex(hash.append("0a").append("0b")).toHex()`, expected: "0a0b" },
  ])("$expr", ({ expr, expected }) => {
    expect(evaluate(expr)).toBe(expected);
  });

  it.each([
    `hash.fromHex("abc").toHex()`,
    `hash.fromHex("zz").toHex()`,
    `hash.fromHex("0x00").toHex()`,
    `hash.fromBase64("Zm9v YmFy").toHex()`,
    `hash.fromBase64("Zm9vY").toHex()`,
    `hash.fromBase64("Zm9vYg=").toHex()`,
    `hash.fromBase64("-_+/").toHex()`,
    `hash.fromHex(hash.append("0g")).toHex()`,
  ])("refuses %s with INVALID_ARGUMENT", (expr) => {
    expect(() => evaluate(expr)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("gives bytes that chain on directly and work as keys", () => {
    expect(evaluate(`hash.fromHex("00ff").encodeHmacMd5(hash.fromHex("0102")).toHex()`)).toBe(
      createHmac("md5", Buffer.from("0102", "hex")).update(Buffer.from("00ff", "hex")).digest("hex"),
    );
  });
});

describe("getDate and getEpochMillis", () => {
  const now = new Date("2014-06-07T20:51:35.042Z");
  it.each([
    { pattern: "EEE, dd MMM yyyy HH:mm:ss 'GMT'", expected: "Sat, 07 Jun 2014 20:51:35 GMT" },
    { pattern: "yyyyMMdd'T'HHmmss'Z'", expected: "20140607T205135Z" },
    { pattern: "yyyyMMdd", expected: "20140607" },
    { pattern: "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", expected: "2014-06-07T20:51:35.042Z" },
    { pattern: "'it''s' HH 'o''clock'", expected: "it's 20 o'clock" },
    { pattern: "''", expected: "'" },
    { pattern: "", expected: "" },
  ])("$pattern", ({ pattern, expected }) => {
    expect(evaluate(`hash.getDate(${lit(pattern)})`, { now })).toBe(expected);
  });

  it("adds secondsFromNow, across a year's end", () => {
    expect(evaluate(`hash.getDate("yyyy-MM-dd HH:mm:ss", 1)`, { now: new Date("2024-12-31T23:59:59Z") })).toBe(
      "2025-01-01 00:00:00",
    );
    expect(evaluate(`hash.getDate("yyyy-MM-dd", -86400)`, { now: new Date("2024-03-01T00:00:00Z") })).toBe(
      "2024-02-29",
    );
  });

  it.each(["yyyyMMddTHHmmss", "yy", "D", "'open"])("refuses the pattern %j", (pattern) => {
    expect(() => evaluate(`hash.getDate(${lit(pattern)})`)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("takes the pattern as a literal only", () => {
    expect(() => evaluate(`hash.getDate(hash.append("yyyy"))`)).toThrow(
      expect.objectContaining({ code: "ARGUMENT_KIND" }),
    );
  });

  it.each([
    { expr: "hash.getEpochMillis()", expected: String(now.getTime()) },
    { expr: "hash.getEpochMillis(2)", expected: String(now.getTime() + 2000) },
  ])("$expr", ({ expr, expected }) => {
    expect(evaluate(expr, { now })).toBe(expected);
  });

  it("reads the same clock as getExpiryTime within one expansion", () => {
    const out = evaluate(
      `hash.append(hash.getExpiryTime(0)).append("|").append(hash.getEpochMillis()).append("|").append(hash.getDate("ss"))`,
    );
    const [seconds, millis, ss] = out.split("|");
    expect(Math.floor(Number(millis) / 1000)).toBe(Number(seconds));
    expect(Number(ss)).toBe(Math.floor(Number(millis) / 1000) % 60);
  });

  it.each([
    [`hash.getDate()`, "ARGUMENT_COUNT"],
    [`hash.getDate("yyyy", 1, 2)`, "ARGUMENT_COUNT"],
    [`hash.getEpochMillis(1, 2)`, "ARGUMENT_COUNT"],
    [`hash.getDate("yyyy", 400000000)`, "LIMIT_EXCEEDED"],
  ])("%s is %s", (expr, code) => {
    expect(() => evaluate(expr)).toThrow(expect.objectContaining({ code }));
  });
});
