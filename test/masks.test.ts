import { readdirSync, readFileSync } from "node:fs";
import { fc, it as prop } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { Method } from "../src/language/method.ts";
import { methods } from "../src/language/methods.ts";
import { applyMasks, errorMasks, maskSpans } from "../src/secrets/masks.ts";
import { redact } from "../src/secrets/redact.ts";
import { isExpression as looksLikeExpression } from "../src/syntax/forms.ts";
import { keyMutations, keyNeverShownAnywhere, mutatedKey } from "./masks-arbitraries.ts";

/** Text with each «…» run written as one bullet per UTF-16 code unit of what it holds. */
function masked(text: string): string {
  return text.replace(/«([^»]*)»/g, (_, hidden: string) => "•".repeat(hidden.length));
}

const unmarked = (text: string) => text.replace(/[«»]/g, "");

// `all` is what errors show (every literal but names); `keys` what redact() shows by default.
// Each source is its expectations with the marks taken out.
describe.each([
  {
    what: "a keyed call",
    all: `{hash.append("«id»").encodeHmacSha1("«k3y»").toHex().printDigest();}`,
    keys: `{hash.append("id").encodeHmacSha1("«k3y»").toHex().printDigest();}`,
  },
  {
    what: "names and counts, shown in both",
    all: `{hash.append(hash.getSecret("moz")).append(hash.getRequestHeader("Date")).append(hash.getDate("yyyy-MM-dd", 60)).encodeHmacSha256(hash.getSecret("k")).append(hash.getExpiryTime(240)).printDigest();}`,
    keys: `{hash.append(hash.getSecret("moz")).append(hash.getRequestHeader("Date")).append(hash.getDate("yyyy-MM-dd", 60)).encodeHmacSha256(hash.getSecret("k")).append(hash.getExpiryTime(240)).printDigest();}`,
  },
  {
    what: "a name whatever else does not parse",
    all: `{hash.getSecret("moz") "«k3y»" «@»;}`,
    keys: `{hash.getSecret("moz") "«k3y»" «@»;}`,
  },
  {
    what: "a name only as a whole argument",
    all: `{hash.getSecret("«moz»" "«k3y»");}`,
    keys: `{hash.getSecret("«moz»" "«k3y»");}`,
  },
  {
    what: "a name only of a method named exactly",
    all: `{hash.getSecrets("«moz»").getRequestHeaders("«Date»");}`,
    keys: `{hash.getSecrets("moz").getRequestHeaders("Date");}`,
  },
  {
    what: "a name that a quote typed earlier stretched over the key",
    all: `{\thash.getDate('«{hash.append("x").encodeHmacMd5("k3y").toHex().printDigest();}»'`,
    keys: `{\thash.getDate('«{hash.append("x").encodeHmacMd5("k3y").toHex().printDigest();}»'`,
  },
  {
    what: "a name or data that holds calls a stray quote swallowed, followed by a comma",
    all: `{hash.getSecret ("«{hash.appendNewLine().encodeHmacMd5('QQQQ').toHex().printDigest();}{hash.»",`,
    keys: `{hash.getSecret ("«{hash.appendNewLine().encodeHmacMd5('QQQQ').toHex().printDigest();}{hash.»",`,
  },
  {
    what: "the rest of a block's line, when a brace or '>' typed inside it closed it",
    all: `{hash.append("«x»").encodeHmacSha256}"«k3y»").printDigest();«}» «and» {hash.append("«y»").encodeHmacSha1(}«k3y»).printDigest();«}»`,
    keys: `{hash.append("x").encodeHmacSha256}"«k3y»").printDigest();«}» «and» {hash.append("y").encodeHmacSha1(}«k3y»).printDigest();«}»`,
  },
  {
    what: "data that holds calls a stray quote swallowed",
    all: `{hash.append("«a).encodeHmacMd5('k3y').append(»", "«b»").printDigest();}`,
    keys: `{hash.append("«a).encodeHmacMd5('k3y').append(»", "«b»").printDigest();}`,
  },
  {
    what: "an unterminated string, to the end of its line",
    all: `{hash.append("«x).encodeHmacSha1(»"«k3y»"«).printDigest();}»\n«more»;}`,
    keys: `{hash.append("«x).encodeHmacSha1(»"«k3y»"«).printDigest();}»\n«more»;}`,
  },
  {
    what: "an unquoted word, without quotes added",
    all: `{hash.appendMethods(«dataElement»).encodeHmacSha1(«k3y»).printDigest();}`,
    keys: `{hash.appendMethods(«dataElement»).encodeHmacSha1(«k3y»).printDigest();}`,
  },
  {
    what: "numbers but counts",
    all: `{hash.append(«12345»).append(hash.getEpochMillis(60)).encodeHmacSha1(«987»).printDigest();}`,
    keys: `{hash.append(12345).append(hash.getEpochMillis(60)).encodeHmacSha1(«987»).printDigest();}`,
  },
  {
    what: "characters the lexer could not read",
    all: `{hash.append("«x»") «+» «“»«k3y»«”»;}`,
    keys: `{hash.append("x") «+» «“»«k3y»«”»;}`,
  },
  {
    what: "a stray literal",
    all: `{hash.append("«id»") "«s3cr3t-API-KEY»";}`,
    keys: `{hash.append("id") "«s3cr3t-API-KEY»";}`,
  },
  {
    what: "a key argument, nested",
    all: `{hash.append("«x»").encodeHmacSha1(hash.append("«k3y»").append(hash.getSecret("moz"))).printDigest();}`,
    keys: `{hash.append("x").encodeHmacSha1(hash.append("«k3y»").append(hash.getSecret("moz"))).printDigest();}`,
  },
  {
    what: "near misses, unknown methods and extra arguments",
    all: `{hash.appendd("«x»").encodeHmacSha265("«k1»").frob("«k2»").append("«y»", "«k3»");}`,
    keys: `{hash.appendd("x").encodeHmacSha265("«k1»").frob("«k2»").append("y", "«k3»");}`,
  },
  {
    what: "a call after a typo, which no longer reads as data",
    all: `{hash.append("«x»").encodeHmacMd5«[»hash.append("«k3y»")«]».printDigest();}`,
    keys: `{hash.append("x").encodeHmacMd5«[»hash.append("«k3y»")«]».printDigest();}`,
  },
  {
    what: "a call pushed out of its block",
    all: `{hash.append("«x»")}.encodeHmacSha1("«k3y»").append(«data»).toHex().printDigest();«}»`,
    keys: `{hash.append("x")}.encodeHmacSha1("«k3y»").append(«data»).toHex().printDigest();«}»`,
  },
  {
    what: "a JSON body's own quotes",
    all: `{"user": "me", "sig": "<hash.append("«x»").encodeHmacSha1('«k3y»').toHex().printDigest();>"}`,
    keys: `{"user": "me", "sig": "<hash.append("x").encodeHmacSha1('«k3y»').toHex().printDigest();>"}`,
  },
  {
    what: "code units, not characters",
    all: `{hash.append("«😀é»").encodeHmacSha1("«ключ»");}`,
    keys: `{hash.append("😀é").encodeHmacSha1("«ключ»");}`,
  },
  {
    what: "a named value read as a key, in the same block",
    all: `{hash.let("k", "«LETKEY»").append("«x»").encodeHmacSha1(hash.get("k")).toHex().printDigest();}`,
    keys: `{hash.let("k", "«LETKEY»").append("x").encodeHmacSha1(hash.get("k")).toHex().printDigest();}`,
  },
  {
    what: "a named value read as a key in a later block, nested and through fromHex",
    all: `{hash.let("k", «12345»);}{hash.let("h", "«abcd»");}{hash.append("«x»").encodeHmacSha1(hash.append(hash.get("k")).append(hash.fromHex(hash.get("h")))).printDigest();}`,
    keys: `{hash.let("k", «12345»);}{hash.let("h", "«abcd»");}{hash.append("x").encodeHmacSha1(hash.append(hash.get("k")).append(hash.fromHex(hash.get("h")))).printDigest();}`,
  },
  {
    what: "a named value read as a key in an earlier block, and as data: masked",
    all: `{hash.append("«x»").encodeHmacSha1(hash.get('k')).printDigest();}&k={hash.get("k");}{hash.let('k', hash.append("«LETKEY»").toHex());}`,
    keys: `{hash.append("x").encodeHmacSha1(hash.get('k')).printDigest();}&k={hash.get("k");}{hash.let('k', hash.append("«LETKEY»").toHex());}`,
  },
  {
    what: "named values that feed one another, and one that is only data",
    all: `{hash.let("a", "«AKEY»");}{hash.let("b", hash.get("a").append("«more»"));}{hash.let("d", "«data»");}{hash.append(hash.get("d")).encodeHmacSha1(hash.get("b")).printDigest();}`,
    keys: `{hash.let("a", "«AKEY»");}{hash.let("b", hash.get("a").append("«more»"));}{hash.let("d", "data");}{hash.append(hash.get("d")).encodeHmacSha1(hash.get("b")).printDigest();}`,
  },
  {
    what: "a named value defined inside a key argument, and what its value reads",
    all: `{hash.let("s", "«SALT»");}{hash.append("«x»").encodeHmacSha1(hash.let("k", hash.get("s").append("«KEY2»"))).printDigest();}{hash.get("k");}`,
    keys: `{hash.let("s", "«SALT»");}{hash.append("x").encodeHmacSha1(hash.let("k", hash.get("s").append("«KEY2»"))).printDigest();}{hash.get("k");}`,
  },
  {
    what: "a name written with escapes is the same name",
    all: `{hash.let("\u006b", "«LETKEY»");}{hash.append("«x»").encodeHmacSha1(hash.get("k"));}`,
    keys: `{hash.let("\u006b", "«LETKEY»");}{hash.append("x").encodeHmacSha1(hash.get("k"));}`,
  },
  {
    what: "a named value read after a typo, where it may be a key",
    all: `{hash.let("k", "«LETKEY»").append("«x»").encodeHmacSha1 hash.get("k").printDigest();}`,
    keys: `{hash.let("k", "«LETKEY»").append("x").encodeHmacSha1 hash.get("k").printDigest();}`,
  },
  {
    what: "a named value read in a key argument pushed out of its block",
    all: `{hash.let("k", "«LETKEY»").append("«x»")}.encodeHmacSha1(hash.get("k")).printDigest();«}»`,
    keys: `{hash.let("k", "«LETKEY»").append("x")}.encodeHmacSha1(hash.get("k")).printDigest();«}»`,
  },
  {
    what: "a named value read in a key call of the text",
    all: `{hash.let("k", "«LETKEY»");} encodeHmacSha1(«hash.get("k"»)) {hash.append("«x»");}`,
    keys: `{hash.let("k", "«LETKEY»");} encodeHmacSha1(«hash.get("k"»)) {hash.append("x");}`,
  },
  {
    what: "a read by no literal name where a key goes: every named value",
    all: `{hash.let("j", "«J»");}{hash.encodeHmacSha1(hash.get(«j»));}{hash.encodeHmacSha1(hash.get("«k»"`,
    keys: `{hash.let("j", "«J»");}{hash.encodeHmacSha1(hash.get(«j»));}{hash.encodeHmacSha1(hash.get("«k»"`,
  },
  {
    what: "a read left open where a key goes",
    all: `{hash.let("j", "«J»");}{hash.encodeHmacSha1(hash.get("«j»"`,
    keys: `{hash.let("j", "«J»");}{hash.encodeHmacSha1(hash.get("«j»"`,
  },
  {
    what: "named values read as data only",
    all: `{hash.let("d", "«data»").append(hash.get("d")).encodeHmacSha1("«k3y»").printDigest();}`,
    keys: `{hash.let("d", "data").append(hash.get("d")).encodeHmacSha1("«k3y»").printDigest();}`,
  },
  {
    what: "a bare expression",
    all: `hash.append("«x»").encodeHmacSha256"«k3y»")`,
    keys: `hash.append("x").encodeHmacSha256"«k3y»")`,
  },
])("$what", ({ all, keys }) => {
  const source = unmarked(all);
  it("keeps the same source in both columns", () => expect(unmarked(keys)).toBe(source));
  it("all literals", () => expect(applyMasks(source, errorMasks(source))).toBe(masked(all)));
  it("keys", () => expect(applyMasks(source, maskSpans(source, "keys"))).toBe(masked(keys)));
});

describe("the mutations of issue 10 mask the key", () => {
  const K = "k3y";
  it.each([
    `{hash.append("x").encodeHmacSha256"«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha«-256»("«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha «256»("«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha\u00a0«256»("«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha«\u200b256»("«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha256«[»"«${K}»"«]».toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha256 "«${K}»".toHex().printDigest();}`,
    `{hash.append("x").("«${K}»").toHex().printDigest();}`,
    `{hash.append("x").encodeHmacSha256\n("«${K}»").toHex().frob().printDigest();}`,
  ])("%j", (expected) => {
    const source = unmarked(expected);
    expect(applyMasks(source, maskSpans(source, "keys"))).toBe(masked(expected));
  });
});

describe("text outside blocks", () => {
  it.each([`https://x/?a=1&b="two"&c={date.today}`, `{"a": "b", "c": ['d', 1.5, null]}`, "a < b > c { d } e"])(
    "is left alone: %j",
    (text) => {
      expect(errorMasks(text)).toEqual([]);
      expect(maskSpans(text, "keys")).toEqual([]);
    },
  );

  it("masks the arguments of calls, quoted or not, to the end of their line", () => {
    const text = `see f(x) and .("k3y") and g("open\nnext`;
    expect(applyMasks(text, errorMasks(text))).toBe(`see f(•) and .("•••") and g("••••\nnext`);
  });
});

it("tells a bare expression from a template as the REPL does", () => {
  expect(looksLikeExpression(` \thash .append("x")`)).toBe(true);
  expect(looksLikeExpression(`x={hash.append("x");}`)).toBe(false);
  expect(looksLikeExpression(`hashes.append("x")`)).toBe(false);
  // A template that reads as an expression is masked as one: every literal, as in a block.
  expect(applyMasks(`hash."x"`, errorMasks(`hash."x"`))).toBe(`hash."•"`);
});

it("reads names and keys from the table it is given, as an instance's with host functions", () => {
  const getAccount = { ...methods.get("getSecret"), name: "getAccount" } as Method;
  const table = new Map([...methods, ["getAccount", getAccount]]);
  const source = `{hash.getAccount("acme").encodeHmacSha1("k3y");}`;
  expect(applyMasks(source, errorMasks(source))).toBe(`{hash.getAccount("••••").encodeHmacSha1("•••");}`);
  expect(applyMasks(source, errorMasks(source, { methods: table }))).toBe(
    `{hash.getAccount("acme").encodeHmacSha1("•••");}`,
  );
});

it("masks what the caller says is an expression as one", () => {
  expect(applyMasks(`"s3cr3t"`, errorMasks(`"s3cr3t"`))).toBe(`"s3cr3t"`);
  expect(applyMasks(`"s3cr3t"`, errorMasks(`"s3cr3t"`, { shape: "expression" }))).toBe(`"••••••"`);
});

it("keeps the named values of every recipe that only reads them as data as they were written", () => {
  const dir = new URL("../docs/recipes/", import.meta.url);
  const lines = readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .flatMap((f) => readFileSync(new URL(f, dir), "utf8").split("\n"))
    .filter((line) => /hash\.let\("[^"]+", (["'])/.test(line));
  expect(lines.length).toBeGreaterThan(3);
  const values = (text: string) => [...text.matchAll(/hash\.let\("[^"]+", ("[^"]*"|'[^']*')/g)].map((m) => m[1]);
  for (const line of lines) expect(values(redact(line)), line).toEqual(values(line));
});

it("every mutation is generated", () => {
  const seen = new Set(fc.sample(mutatedKey, { numRuns: 400, seed: 7 }).map((m) => m.mutation));
  expect([...seen].sort()).toEqual([...keyMutations].sort());
});

describe("keyed templates with a typo in or around the keyed call", () => {
  prop.prop([mutatedKey], { numRuns: 400 })(
    "show no part of the key in any output of their error, and only bullets where it stood in redact()",
    (m) => {
      keyNeverShownAnywhere(m);
    },
  );
});
