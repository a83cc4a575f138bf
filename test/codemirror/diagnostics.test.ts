// The diagnostics the editor shows: every error and lint warning at its offset in the editor's
// text, for a template and for a request whose parts stand in the text (a .http request). The
// offsets are found by hand in the text; the codes are the stable ones of docs/errors.md.
import { describe, expect, it } from "vitest";
import { requestOf } from "../../playground/request.ts";
import { diagnose } from "../../src/codemirror/diagnostics.ts";
import { type HashHelperEditorOptions, resolve } from "../../src/codemirror/options.ts";
import type { RequestTemplate } from "../../src/index.ts";

const run = (text: string, options: HashHelperEditorOptions = {}) =>
  diagnose(text, resolve(options)).map((d) => ({
    code: d.source,
    severity: d.severity,
    text: text.slice(d.from, d.to),
    from: d.from,
  }));

describe("diagnose", () => {
  it.each([
    { text: `a={hash.apend("x").printDigest();}`, code: "UNKNOWN_METHOD", at: "apend" },
    { text: `a={hash.append("x").encodeMd5().printDigest();}`, code: "INPUT_KIND", at: "printDigest()" },
    { text: `a={hash.getExpiryTime(240).printDigest()}`, code: "MISSING_SEMICOLON" },
  ])("$code", ({ text, code, at }) => {
    const found = run(text).filter((d) => d.severity === "error");
    expect(found.map((d) => d.code)).toContain(code);
    const d = found.find((f) => f.code === code);
    if (at) expect(d?.from).toBe(text.indexOf(at));
  });

  it("finds nothing in a template that is right", () => {
    expect(run(`a={hash.append("x").encodeSha256().toHex().printDigest();}`)).toStrictEqual([]);
  });

  it("shows a request's diagnostics at their parts' places in the text, and drops those of parts it does not hold", () => {
    const text = [
      'GET https://api.example.com/items?x={hash.apend("x").printDigest();}',
      "X-Sig: {hash.getRequestQuery().encodeSha1().printDigest();}",
    ].join("\n");
    const request = (t: string): RequestTemplate => {
      const [line, header] = t.split("\n") as [string, string];
      return {
        method: "GET",
        url: line.slice(4),
        headers: [
          ["X-Sig", header.slice("X-Sig: ".length)],
          ["X-Other", `{hash.apend("y").printDigest();}`],
        ],
      };
    };
    const found = run(text, { request }).filter((d) => d.severity === "error");
    expect(found).toStrictEqual([
      { code: "UNKNOWN_METHOD", severity: "error", text: "apend", from: text.indexOf("apend") },
      { code: "INPUT_KIND", severity: "error", text: "printDigest", from: text.lastIndexOf("printDigest") },
    ]);
  });

  it("shows the errors of a .http request, read by the playground's parser, at their places: a URL continued on indented lines, a header, the body", () => {
    const text = [
      "# a comment before the request",
      "GET https://api.example.test/x",
      '    ?a={hash.apend("q").printDigest();}',
      '    &b={hash.append("r")',
      "      .encodeSha1().printDigest();}",
      'X-Sig: {hash.append("x").encodeMd5().printDigest();}',
      "",
      "{hash.getRequestQuery().prinDigest();}",
    ].join("\n");
    const found = run(text, { request: requestOf })
      .filter((d) => d.severity === "error")
      .sort((a, b) => a.from - b.from);
    const header = text.indexOf("X-Sig");
    expect(found).toStrictEqual([
      { code: "UNKNOWN_METHOD", severity: "error", text: "apend", from: text.indexOf("apend") },
      {
        code: "INPUT_KIND",
        severity: "error",
        text: "printDigest",
        from: text.indexOf("printDigest", text.indexOf("encodeSha1")),
      },
      { code: "INPUT_KIND", severity: "error", text: "printDigest", from: text.indexOf("printDigest", header) },
      { code: "UNKNOWN_METHOD", severity: "error", text: "prinDigest", from: text.indexOf("prinDigest") },
    ]);
  });

  it("maps a span across the line break of a continued URL to the characters on both lines", () => {
    const text = ["GET https://api.example.test/x", "    ?a={hash.appen", '    dd("q").printDigest();}'].join("\n");
    const found = run(text, { request: requestOf });
    // The URL reads `appendd`, which is no method: its span is on two lines of the text.
    expect(found.filter((d) => d.code === "UNKNOWN_METHOD")).toStrictEqual([
      { code: "UNKNOWN_METHOD", severity: "error", text: "appen\n    dd", from: text.indexOf("appen") },
    ]);
  });

  it("never shows a secret's value or a key literal", () => {
    const key = "k3y-literal-abcdef";
    const value = "s3cret-value-abcdef";
    const text = `a={hash.append(hash.getSecret("s")).encodeHmacSha1("${key}").prinDigest();}`;
    const shown = JSON.stringify(diagnose(text, resolve({ secrets: { s: value } })));
    expect(shown).toContain("UNKNOWN_METHOD");
    expect(shown).not.toContain(key);
    expect(shown).not.toContain(value);
  });
});
