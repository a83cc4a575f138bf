// The hints of the checker, applied literally: each gives a template that signs what the user
// meant (worked out here with node:crypto), or an error again, never another signature silently.
// In particular the hints that used to say "add .toHex()" for bytes given where text was wanted,
// which led users to sign the hex of the body instead of the body.
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { evaluate, signRequest } from "../src/index.ts";
import { errorOf } from "./helpers.ts";

const formRequest = (header: string) => ({
  method: "POST",
  url: "https://x/",
  body: "b=2&a=1+1",
  headers: [
    ["Content-Type", "application/x-www-form-urlencoded"],
    ["X-Sig", `{${header};}`],
  ] as [string, string][],
});

describe("hints, applied literally", () => {
  it("bytes appended need no hint: the body is appended as its bytes (it used to say add .toHex())", () => {
    const signed = signRequest({
      method: "POST",
      url: "https://x/",
      body: "payload",
      headers: [
        ["X-Sig", `{hash.append("v0:").append(hash.getRequestBody()).encodeHmacSha256("k").toHex().printDigest();}`],
      ],
    });
    expect(signed.headers[0]?.[1]).toBe(createHmac("sha256", "k").update("v0:payload").digest("hex"));
  });

  it("append after a digest: the nested form the hint shows appends to the digest's bytes", () => {
    const e = errorOf(() => evaluate(`hash.append("a").encodeSha256().append("b").toHex()`));
    expect(e.hint).toContain(`hash.append(hash.….encodeSha256()).append(…)`);
    const applied = `hash.append(hash.append("a").encodeSha256()).append("b").toHex()`;
    expect(evaluate(applied)).toBe(
      Buffer.concat([createHash("sha256").update("a").digest(), Buffer.from("b")]).toString("hex"),
    );
    // The other reading, "append before the digest", is the hint's first half.
    expect(e.hint).toMatch(/^put \.append\(\) before \.encodeSha256\(\)/);
  });

  it("a text function after a digest: the hex of a MAC, lowercased or uppercased, is what was meant", () => {
    const e = errorOf(() => evaluate(`hash.append("a").encodeHmacSha256("k").toUpperCase()`));
    expect(e.code).toBe("INPUT_KIND");
    expect(e.hint).toContain(".toHex().toUpperCase() or .encodeBase64().toUpperCase()");
    // The hint's first form, inserted where it says: before the call.
    const applied = `hash.append("a").encodeHmacSha256("k").toHex().toUpperCase()`;
    expect(applied).toBe(`hash.append("a").encodeHmacSha256("k")${e.hint?.match(/\.toHex\(\)\.toUpperCase\(\)/)?.[0]}`);
    expect(evaluate(applied)).toBe(createHmac("sha256", "k").update("a").digest("hex").toUpperCase());
  });

  it("a parsing function on the body's bytes points to the form's text, never to its hex", () => {
    const e = errorOf(() =>
      signRequest(formRequest(`hash.getRequestBody().canonicalQuery().encodeMd5().toHex().printDigest()`)),
    );
    expect(e.code).toBe("INPUT_KIND");
    expect(e.hint).not.toContain("toHex");
    expect(e.hint).toContain("hash.getRequestForm()");
    const applied = signRequest(
      formRequest(`hash.getRequestForm().canonicalQuery().encodeMd5().toHex().printDigest()`),
    );
    expect(applied.headers[1]?.[1]).toBe(createHash("md5").update("a=1%201&b=2").digest("hex"));
  });

  it("bytes where only text can stand: the hint does not tell to add .toHex() unconditionally", () => {
    const e = errorOf(() => evaluate(`hash.append("a").replace(hash.fromHex("61"), "b")`));
    expect(e.code).toBe("ARGUMENT_KIND");
    expect(e.hint).toMatch(/^bytes cannot stand here; only if the API wants them written as text/);
  });

  it("bytes printed: the hint makes the user choose the encoding, and either is an encoding of those bytes", () => {
    const e = errorOf(() => evaluate(`{hash.append("a").encodeMd5().printDigest();}`));
    expect(e.hint).toBe("add .toHex() or .encodeBase64() first");
    const md5 = createHash("md5").update("a").digest();
    expect(evaluate(`{hash.append("a").encodeMd5().toHex().printDigest();}`)).toBe(md5.toString("hex"));
    expect(evaluate(`{hash.append("a").encodeMd5().encodeBase64().printDigest();}`)).toBe(md5.toString("base64"));
  });

  it("an undefined name: defining it as the hint writes it is accepted", () => {
    const e = errorOf(() => evaluate(`hash.get("day")`));
    expect(e.hint).toBe(`define it in some block or part with hash.let("day", value)`);
    expect(evaluate(`hash.let("day", "d").append(hash.get("day"))`)).toBe("dd");
  });
});
