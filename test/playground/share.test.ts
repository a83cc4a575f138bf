// The share link's fragment: the template with every key redacted, one bullet a code unit, the
// rest as written; refused, with a reason, for what it cannot carry. The expected text is the
// template with the key replaced by hand here.
import { describe, expect, it } from "vitest";
import { sharedTemplate, shareFragment } from "../../playground/share.ts";
import { createHashHelper, defaultHelper, defaultLimits } from "../../src/index.ts";

const bullets = (key: string) => "\u2022".repeat(key.length);

describe("shareFragment", () => {
  it.each([
    {
      what: "a key literal",
      text: `https://a.test/?s={hash.append("m").encodeHmacSha1("k3y-literal").encodeBase64().encodeURL().printDigest();}`,
      keys: ["k3y-literal"],
    },
    {
      what: "a key built by a nested chain",
      text: `https://a.test/?s={hash.append("m").encodeHmacSha256(hash.append("nested-k3y").append("tail-k3y")).toHex().printDigest();}`,
      keys: ["nested-k3y", "tail-k3y"],
    },
    {
      what: "a key in fromHex()",
      text: `https://a.test/?s={hash.append("m").encodeHmacSha256(hash.fromHex("0a1b2c3d4e5f60718293")).toHex().printDigest();}`,
      keys: ["0a1b2c3d4e5f60718293"],
    },
    {
      what: "a key in a request's header",
      text: [
        "POST https://a.test/v1/items",
        'X-Sig: {hash.append(hash.getRequestBody()).encodeHmacSha256("header-k3y").toHex().printDigest();}',
        "",
        '{"a":1}',
      ].join("\n"),
      keys: ["header-k3y"],
    },
  ])("redacts $what, and keeps the rest as written", ({ text, keys }) => {
    const shared = shareFragment(text, defaultHelper);
    if (!shared.ok) throw new Error(shared.reason);
    const carried = sharedTemplate(`#${shared.fragment}`);
    let expected = text;
    for (const key of keys) expected = expected.replace(`"${key}"`, `"${bullets(key)}"`);
    expect(carried).toBe(expected);
    for (const key of keys) expect(shared.fragment).not.toContain(encodeURIComponent(key));
  });

  it("refuses a template over maxTemplateLength, with the reason, and does not throw", () => {
    const helper = createHashHelper({ limits: { maxTemplateLength: 100 } });
    const shared = shareFragment(`a={hash.append("x").toHex().printDigest();}`.repeat(4), helper);
    expect(shared).toStrictEqual({ ok: false, reason: expect.stringContaining("100") });
    const big = "x".repeat(defaultLimits.maxTemplateLength + 1);
    expect(shareFragment(big, defaultHelper).ok).toBe(false);
  });

  it.each([
    ["a high surrogate alone", "a=\uD83D&b"],
    ["a low surrogate alone", "a=\uDE00"],
    ["a pair cut at the end", '{hash.append("\uD83D").toHex().printDigest();}'],
  ])("refuses %s, which a link would turn into U+FFFD", (_what, text) => {
    expect(shareFragment(text, defaultHelper)).toStrictEqual({
      ok: false,
      reason: expect.stringContaining("surrogate"),
    });
  });

  it("carries a whole pair (an emoji) unchanged", () => {
    const text = `a={hash.append("\uD83D\uDE00").toHex().printDigest();}`;
    const shared = shareFragment(text, defaultHelper);
    if (!shared.ok) throw new Error(shared.reason);
    expect(sharedTemplate(shared.fragment)).toBe(text);
  });
});
