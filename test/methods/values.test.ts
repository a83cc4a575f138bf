// Named values, one nonce per expansion, and bytes joined by append: checked with node:crypto and
// Buffer doing the same by hand.
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { evaluate, expand, explainAndExpand, signRequest } from "../../src/index.ts";
import { errorOf } from "../helpers.ts";

/** A random source giving 00 01 02 …, as a test fixes it. */
const counting = (bytes: Uint8Array) => {
  for (let i = 0; i < bytes.length; i++) bytes[i] = i;
};

describe("append with bytes", () => {
  it("joins text and bytes as bytes, text as UTF-8 (Slack's v0:timestamp:body)", () => {
    const request = {
      method: "POST",
      url: "https://example.com/hook",
      body: '{"é":1}',
      headers: [
        ["X-Slack-Request-Timestamp", "1531420618"],
        [
          "X-Slack-Signature",
          `v0={hash.append("v0:").append(hash.getRequestHeader("X-Slack-Request-Timestamp")).append(":").append(hash.getRequestBody()).encodeHmacSha256(hash.getSecret("slack")).toHex().printDigest();}`,
        ],
      ] as [string, string][],
    };
    const signed = signRequest(request, { secrets: { slack: "8f742231b10e8888abcd99yyyzzz85a5" } });
    const expected = createHmac("sha256", "8f742231b10e8888abcd99yyyzzz85a5")
      .update(Buffer.concat([Buffer.from("v0:1531420618:"), Buffer.from('{"é":1}', "utf8")]))
      .digest("hex");
    expect(signed.headers[1]?.[1]).toBe(`v0=${expected}`);
  });

  it.each([
    ["text + bytes", `hash.append("ab").append(hash.fromHex("00ff")).toHex()`, "616200ff"],
    ["bytes + text", `hash.fromHex("00ff").append("ab").toHex()`, "00ff6162"],
    ["bytes + a number", `hash.fromHex("01").append(7).toHex()`, "0137"],
    ["bytes + bytes", `hash.fromHex("01").append(hash.fromHex("02")).toHex()`, "0102"],
    ["bytes + a line feed", `hash.fromHex("01").appendNewLine().toHex()`, "010a"],
    [
      "a digest, nested",
      `hash.append(hash.append("a").encodeMd5()).append("b").toHex()`,
      `${createHash("md5").update("a").digest("hex")}62`,
    ],
    ["text + text stays text", `hash.append("é").append("x")`, "éx"],
  ])("%s", (_name, expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });

  it("refuses append and appendNewLine right after a digest, with the nested form as the hint", () => {
    for (const [expression, after, method] of [
      [`hash.append("a").encodeMd5().append("b").toHex()`, "encodeMd5()", "append"],
      [`hash.append("a").encodeHmacSha1("k").appendNewLine().toHex()`, "encodeHmacSha1(…)", "appendNewLine"],
    ] as const) {
      const e = errorOf(() => evaluate(expression));
      expect(e.code).toBe("MISPLACED_METHOD");
      expect(e.span.offset).toBe(expression.lastIndexOf(method));
      expect(e.hint).toContain(`hash.append(hash.….${after})`);
    }
  });

  it("the hint, applied, gives the bytes of the digest and then the text", () => {
    const fixed = `hash.append(hash.append("a").encodeMd5()).append("b").encodeSha256().toHex()`;
    const bytes = Buffer.concat([createHash("md5").update("a").digest(), Buffer.from("b")]);
    expect(evaluate(fixed)).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("a block that ends in bytes is still not printed", () => {
    expect(errorOf(() => expand(`{hash.append("a").append(hash.fromHex("00")).printDigest();}`)).code).toBe(
      "INPUT_KIND",
    );
  });
});

describe("named values", () => {
  it("prints a let's value and reads it in any block, before or after", () => {
    const t = `{hash.append(hash.get("day")).append("!").printDigest();}|{hash.let("day", hash.getDate("yyyyMMdd"));}`;
    expect(expand(t, { now: Date.UTC(2024, 0, 2) })).toBe("20240102!|20240102");
  });

  it("keeps a value's kind: bytes read back are bytes (a key), and printing them is an error", () => {
    const key = createHmac("sha256", "AWS4secret").update("20240102").digest();
    const t = `{hash.append(hash.let("kDate", hash.getDate("yyyyMMdd").encodeHmacSha256("AWS4secret")).toHex()).printDigest();}-{hash.append("x").encodeHmacSha256(hash.get("kDate")).toHex().printDigest();}`;
    expect(expand(t, { now: Date.UTC(2024, 0, 2) })).toBe(
      `${key.toString("hex")}-${createHmac("sha256", key).update("x").digest("hex")}`,
    );
    expect(errorOf(() => expand(`{hash.let("b", hash.fromHex("00"));}`)).code).toBe("RESULT_KIND");
    expect(errorOf(() => expand(`{hash.let("b", "x");}{hash.get("b").encodeMd5().printDigest();}`)).code).toBe(
      "INPUT_KIND",
    );
  });

  it("names a number as its text, and reads a value within its own block after the let", () => {
    expect(evaluate(`hash.let("n", 42).append(hash.get("n"))`)).toBe("4242");
  });

  it.each([
    ["an undefined name", `{hash.get("nope");}`, "UNDEFINED_NAME", `"nope"`],
    ["a name defined twice", `{hash.let("a", "1");}{hash.let("a", "2");}`, "DUPLICATE_NAME", `"a", "2"`],
    [
      "a read before its own block defines it",
      `{hash.append(hash.get("a")).append(hash.let("a", "x")).printDigest();}`,
      "UNDEFINED_NAME",
      "get",
    ],
    [
      "two values defined from each other",
      `{hash.let("a", hash.get("b"));}{hash.let("b", hash.get("a"));}`,
      "READ_CYCLE",
      "get",
    ],
    ["a name that is not one", `{hash.let("two words", "x");}`, "INVALID_ARGUMENT", `"two words"`],
  ])("refuses %s", (_name, template, code, at) => {
    const e = errorOf(() => expand(template));
    expect(e.code).toBe(code);
    expect(template.slice(e.span.offset)).toContain(at.split(",")[0]?.replace(/"/g, "") ?? "");
  });

  it("keeps what a secret built masked in a trace, through get", () => {
    const t = `{hash.let("k", hash.getSecret("key").append("-x"));}{hash.append(hash.get("k")).printDigest();}`;
    const { explanation, result } = explainAndExpand(t, { secrets: { key: "s3cr3t" } });
    expect(result).toBe("s3cr3t-xs3cr3t-x");
    expect(JSON.stringify(explanation)).not.toContain("s3cr3t");
  });

  it("spans the parts of a signed request: a header defines, the URL and another header read", () => {
    const signed = signRequest(
      {
        url: `https://x/?d={hash.get("date");}`,
        headers: [
          ["X-Sig", `{hash.append(hash.get("date")).encodeSha256().toHex().printDigest();}`],
          ["X-Date", `{hash.let("date", hash.getDate("yyyyMMdd'T'HHmmss'Z'"));}`],
        ],
      },
      { now: Date.UTC(2024, 0, 2, 3, 4, 5) },
    );
    expect(signed.url).toBe("https://x/?d=20240102T030405Z");
    expect(signed.headers).toEqual([
      ["X-Sig", createHash("sha256").update("20240102T030405Z").digest("hex")],
      ["X-Date", "20240102T030405Z"],
    ]);
  });
});

describe("one nonce per expansion", () => {
  it("draws each length once: every block and part reads the same value", () => {
    const t = `{hash.getNonce();}|{hash.getNonce(16);}|{hash.getNonce(4);}|{hash.getUuid();}|{hash.getUuid();}`;
    expect(expand(t, { random: counting })).toBe(
      "000102030405060708090a0b0c0d0e0f|000102030405060708090a0b0c0d0e0f|00010203|00010203-0405-4607-8809-0a0b0c0d0e0f|00010203-0405-4607-8809-0a0b0c0d0e0f",
    );
    const signed = signRequest(
      {
        url: "https://x/",
        headers: [
          ["X-Nonce", `{hash.getNonce();}`],
          [
            "X-Sig",
            `{hash.append(hash.getRequestHeader("X-Nonce")).append(hash.getNonce()).encodeMd5().toHex().printDigest();}`,
          ],
        ],
      },
      {},
    );
    const nonce = signed.headers[0]?.[1] ?? "";
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(signed.headers[1]?.[1]).toBe(
      createHash("md5")
        .update(nonce + nonce)
        .digest("hex"),
    );
  });

  it("sets the version and variant bits of a UUID (RFC 9562 §5.4), whatever the bytes", () => {
    const ones = (bytes: Uint8Array) => bytes.fill(0xff);
    expect(evaluate("hash.getUuid()", { random: ones })).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(evaluate("hash.getUuid()", { random: (b) => b.fill(0) })).toBe("00000000-0000-4000-8000-000000000000");
  });

  it("comes from crypto.getRandomValues by default: two expansions differ", () => {
    const a = evaluate("hash.getNonce(32)");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(evaluate("hash.getNonce(32)")).not.toBe(a);
    expect(evaluate("hash.getUuid()")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("reports a random source that fails, with its message, and lengths out of range", () => {
    const short = () => {
      throw new Error("only 4 bytes");
    };
    const e = errorOf(() => evaluate("hash.getNonce()", { random: short }));
    expect(e).toMatchObject({ code: "RANDOM_SOURCE", message: "the random source gave no 16 bytes: only 4 bytes" });
    expect(errorOf(() => evaluate("hash.getNonce(0)")).code).toBe("INVALID_ARGUMENT");
    expect(errorOf(() => evaluate("hash.getNonce(1025)")).code).toBe("INVALID_ARGUMENT");
  });
});
