// Completion from the method table, as the source answers a CodeMirror CompletionContext (the
// browser test accepts them in a real editor). The expected sets are read off the table.
import { CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { completionSource } from "../../src/codemirror/complete.ts";
import { type HashHelperEditorOptions, resolve } from "../../src/codemirror/options.ts";
import { createHashHelper, methods, signature } from "../../src/index.ts";

function complete(text: string, options: HashHelperEditorOptions = {}, explicit = false) {
  const context = new CompletionContext(EditorState.create({ doc: text }), text.length, explicit);
  return completionSource(resolve(options))(context) as CompletionResult | null;
}
const labels = (result: CompletionResult | null) => result?.options.map((o) => o.label).sort() ?? [];
const all = [...methods.values()];

describe("completion", () => {
  it("after hash. offers the functions that start a chain, first, and what takes text", () => {
    const result = complete("{hash.");
    const starts = all.filter((m) => m.input === "start").map((m) => m.name);
    expect(labels(result)).toEqual(expect.arrayContaining([...starts, "append"]));
    expect(labels(result)).not.toContain("printDigest");
    for (const option of result?.options ?? []) {
      expect(option.boost ?? 0).toBe(starts.includes(option.label) ? 1 : 0);
      const method = methods.get(option.label);
      expect(option.detail).toBe(method && signature(method));
    }
  });

  it("after a digest offers what takes bytes, and no function that starts a chain", () => {
    const result = complete(`{hash.append("x").encodeSha256().`);
    expect(labels(result)).toStrictEqual(
      all
        .filter((m) => m.input !== "start" && m.input.includes("bytes") && !m.notAfterDigest)
        .map((m) => m.name)
        .sort(),
    );
    expect(labels(result)).toContain("encodeBase64");
    expect(labels(result)).not.toContain("printDigest");
  });

  it("offers nothing after printDigest(), which ends the chain", () => {
    expect(labels(complete(`{hash.append("x").printDigest().`))).toStrictEqual([]);
  });

  it("replaces the part of the name typed", () => {
    const result = complete(`{hash.append("x").enc`);
    expect(result?.from).toBe(`{hash.append("x").`.length);
  });

  it("offers the instance's host functions", () => {
    const helper = createHashHelper({
      methods: [{ name: "getAccountId", summary: "The account", run: () => "a" }],
    });
    expect(labels(complete("{hash.getA", { helper }))).toContain("getAccountId");
    expect(labels(complete("{hash.getA"))).not.toContain("getAccountId");
  });

  it('offers the names of the secrets in getSecret(", never their values', () => {
    const secrets = new Map([
      ["moz", "v4lue-one"],
      ["api_key", "v4lue-two"],
    ]);
    const result = complete(`{hash.append(hash.getSecret("`, { secrets: () => secrets });
    expect(labels(result)).toStrictEqual(["api_key", "moz"]);
    expect(JSON.stringify(result)).not.toMatch(/v4lue/);
    // A closing quote is added to a string left open.
    expect(result?.options.map((o) => o.apply)).toStrictEqual(['moz"', 'api_key"']);
    // In another string, no names.
    expect(complete(`{hash.append("`, { secrets: { moz: "v" } })).toBeNull();
  });

  it.each([
    ["{", true, ["hash."]],
    ["a={ha", false, ["hash."]],
    ["<h", false, ["hash."]],
    ["{x", false, []],
    ["text", true, []],
  ])("%s offers %j", (text, explicit, expected) => {
    expect(labels(complete(text, {}, explicit))).toStrictEqual(expected);
  });
});
