import { describe, expect, it } from "vitest";
import { methods } from "../src/language/methods.ts";
import { suggest } from "../src/language/suggest.ts";

describe("suggest", () => {
  it.each([
    ["encodeHmacSha265", "encodeHmacSha256"],
    ["encodeHmacSHA256", "encodeHmacSha256"],
    ["encodehmacsha1", "encodeHmacSha1"],
    ["appendNewline", "appendNewLine"],
    ["apend", "append"],
    ["printDigets", "printDigest"],
    ["getExpireTime", "getExpiryTime"],
    ["encodeBase46", "encodeBase64"],
    ["encodeUrl", "encodeURL"],
    ["tohex", "toHex"],
    ["frobnicate", undefined],
    ["encodeSha384", undefined], // not encodeSha256 or encodeSha512: a wrong guess would sign with the wrong hash
    ["constructor", undefined],
  ])("%s → %s", (name, expected) => {
    expect(suggest(name, methods.keys())).toBe(expected);
  });
});
